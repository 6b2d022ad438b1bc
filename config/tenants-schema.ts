import { z } from 'zod';
import { cidr, guid, key, upn } from './fields';

/** Cluster roles of an owner in each tenant namespace; default admin + capsule-namespace-deleter. */
const clusterRoles = z.array(z.string().min(1)).min(1).optional();

/** A tenant owner: a group or user of the `entra` section by key, or an existing group / user. */
export const tenantOwnerSchema = z.union([
  z.strictObject({ group: key, clusterRoles }),
  z.strictObject({ user: key, clusterRoles }),
  z.strictObject({ groupObjectId: guid, clusterRoles }),
  z.strictObject({ userPrincipalName: upn, clusterRoles }),
]);

const stringMap = z.record(z.string(), z.string());
const metadata = z.strictObject({ labels: stringMap.optional(), annotations: stringMap.optional() });
const forbiddenList = z.strictObject({ denied: z.array(z.string()).optional(), deniedRegex: z.string().optional() });
const allowedList = z.strictObject({ allowed: z.array(z.string()).optional(), default: z.string().optional(), matchLabels: stringMap.optional() });

/** An embedded Kubernetes spec (NetworkPolicySpec, ResourceQuotaSpec, LimitRangeSpec): checked by the construct. */
const kubeSpec = z.record(z.string(), z.unknown());

/** CIDRs inside a NetworkPolicySpec (ipBlock.cidr / except), checked here so the file and line are reported. */
const ipBlock = z.looseObject({ cidr, except: z.array(cidr).optional() });
const peer = z.looseObject({ ipBlock: ipBlock.optional() });
const networkPolicySpec = z.looseObject({
  podSelector: z.record(z.string(), z.unknown()),
  ingress: z.array(z.looseObject({ from: z.array(peer).optional() })).optional(),
  egress: z.array(z.looseObject({ to: z.array(peer).optional() })).optional(),
});

export const tenantSchema = z.strictObject({
  owners: z.array(tenantOwnerSchema).min(1, { message: 'must have at least one owner' }),
  /** Namespace quota and namespace metadata rules (spec.namespaceOptions). */
  namespaceOptions: z
    .strictObject({
      quota: z.number().int().min(0).optional(),
      additionalMetadata: metadata.optional(),
      forbiddenLabels: forbiddenList.optional(),
      forbiddenAnnotations: forbiddenList.optional(),
    })
    .optional(),
  /** A network policy preset: isolated (the POC's) or isolated-strict. */
  networkPolicy: z.enum(['isolated', 'isolated-strict']).optional(),
  /** Further network policies (NetworkPolicySpec objects). */
  networkPolicies: z.array(networkPolicySpec).optional(),
  /** Resource quotas (ResourceQuotaSpec objects), shared by the tenant (scope Tenant, default) or per namespace. */
  resourceQuotas: z.strictObject({ scope: z.enum(['Tenant', 'Namespace']).optional(), items: z.array(kubeSpec).min(1) }).optional(),
  /** A limit range preset: standard. */
  limitRange: z.enum(['standard']).optional(),
  /** Further limit ranges (LimitRangeSpec objects). */
  limitRanges: z.array(z.looseObject({ limits: z.array(z.looseObject({ type: z.string().min(1) })).min(1) })).optional(),
  /** Deliver network policies and limit ranges in the Tenant spec (default, the POC's) or by a GlobalTenantResource. */
  replication: z.enum(['tenant-spec', 'global-tenant-resource']).optional(),
  ingressOptions: z
    .strictObject({
      allowedClasses: allowedList.optional(),
      allowedHostnames: z.array(z.string().min(1)).optional(),
      hostnameCollisionScope: z.enum(['Cluster', 'Tenant', 'Namespace', 'Disabled']).optional(),
      allowWildcardHostnames: z.boolean().optional(),
    })
    .optional(),
  nodeSelector: stringMap.optional(),
  storageClasses: allowedList.optional(),
  priorityClasses: allowedList.optional(),
  /** Trusted image registries (spec.containerRegistries.allowed). */
  containerRegistries: z.array(z.string().min(1)).optional(),
  /** Capsule preventDeletion; always true in a protected environment. */
  preventDeletion: z.boolean().optional(),
  cordoned: z.boolean().optional(),
  forceTenantPrefix: z.boolean().optional(),
  additionalRoleBindings: z
    .array(
      z.strictObject({
        clusterRoleName: z.string().min(1),
        subjects: z.array(z.strictObject({ kind: z.enum(['User', 'Group', 'ServiceAccount']), name: z.string().min(1), apiGroup: z.string().optional(), namespace: z.string().optional() })).min(1),
        labels: stringMap.optional(),
        annotations: stringMap.optional(),
      }),
    )
    .optional(),
  /** kubelogin mode of the generated kubeconfig: devicecode (default) or azurecli. */
  kubeconfigLogin: z.enum(['devicecode', 'azurecli']).optional(),
});

export type TenantOwnerConfig = z.infer<typeof tenantOwnerSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
