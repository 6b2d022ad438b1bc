import { z } from 'zod';
import { cidr, guid, key, upn } from './fields';
import { LimitRangeSpec } from '../constructs/capsule-tenant-types';
import { LIMIT_RANGE_PRESETS } from '../constructs/tenant-presets';
import { KEY_VAULT_NAME_RE } from '../constructs/kubeconfig-vault';
import { CLASS_NAME_ALLOWED, CLASS_NAME_RE } from '../constructs/allowed-class-labels';
import {
  isQuotaResourceName,
  missingContainerDefaults,
  POD_SECURITY_LEVELS,
  PULL_POLICIES,
  QUANTITY_RE,
  QUOTA_RESOURCE_ALLOWED,
  REGISTRY_PATTERN_ALLOWED,
  REGISTRY_PATTERN_RE,
} from '../constructs/tenant-rules';

/** Cluster roles of an owner in each tenant namespace; default admin + capsule-namespace-deleter. */
const clusterRoles = z.array(z.string().min(1)).min(1).optional();

/** A ServiceAccount owner, `<namespace>/<name>` (e.g. a Flux or Argo CD reconciler in a tenant namespace). */
export const serviceAccountRef = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
  message: 'must be <namespace>/<name> of a ServiceAccount, such as dev-gitops/flux-reconciler',
});

/** A tenant owner: a group or user of the `entra` section by key, an existing group / user, or a ServiceAccount. */
export const tenantOwnerSchema = z.union([
  z.strictObject({ group: key, clusterRoles }),
  z.strictObject({ user: key, clusterRoles }),
  z.strictObject({ groupObjectId: guid, clusterRoles }),
  z.strictObject({ userPrincipalName: upn, clusterRoles }),
  z.strictObject({ serviceAccount: serviceAccountRef, clusterRoles }),
]);

/** Pod Security Standards level of a tenant's namespaces. */
export const podSecurityLevel = z.enum(POD_SECURITY_LEVELS as unknown as [string, ...string[]], { message: `must be one of ${POD_SECURITY_LEVELS.join(', ')}` });

/** Hard limits of a quota: known resource names, quantities. */
const quotaHard = z.record(
  z.string().refine(isQuotaResourceName, { message: QUOTA_RESOURCE_ALLOWED }),
  z.union([z.string(), z.number()]).refine((v) => QUANTITY_RE.test(String(v)), { message: 'must be a Kubernetes quantity such as 4, 500m or 8Gi' }),
);

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.strictObject({ key: z.string().min(1), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() })).optional(),
});

const regexString = z.string().min(1).refine(
  (v) => {
    try {
      new RegExp(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);
const expressionMatch = z
  .strictObject({ exact: z.array(z.string().min(1)).min(1).optional(), exp: regexString.optional(), negate: z.boolean().optional() })
  .refine((m) => m.exact !== undefined || m.exp !== undefined, { message: 'must set exact or exp' });
const metadataValueRule = z.strictObject({
  required: z.boolean().optional(),
  values: z.array(expressionMatch).optional(),
  default: z.string().optional(),
  managed: z.string().optional(),
});
const roleBinding = z.strictObject({
  clusterRoleName: z.string().min(1),
  subjects: z.array(z.strictObject({ kind: z.enum(['User', 'Group', 'ServiceAccount']), name: z.string().min(1), apiGroup: z.string().optional(), namespace: z.string().optional() })).min(1),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A tenant rule (Capsule 0.14 `spec.rules[]`); registries are given as registry patterns. */
export const tenantRuleSchema = z.strictObject({
  /** Namespaces of the tenant the rule applies to (default: all). */
  namespaceSelector: labelSelector.optional(),
  enforce: z
    .strictObject({
      /** allow: what is listed is allowed and anything else refused; deny: what is listed is refused; audit: events only. */
      action: z.enum(['allow', 'deny', 'audit'], { message: 'must be allow, deny or audit (required: Capsule defaults to deny, which would refuse what you list)' }),
      workloads: z
        .strictObject({
          registries: z
            .array(
              z.strictObject({
                registry: z.string().regex(REGISTRY_PATTERN_RE, { message: REGISTRY_PATTERN_ALLOWED }),
                pullPolicies: z.array(z.enum(PULL_POLICIES as unknown as [string, ...string[]])).min(1).optional(),
              }),
            )
            .min(1)
            .optional(),
          qosClasses: z.array(z.enum(['Guaranteed', 'Burstable', 'BestEffort'])).min(1).optional(),
        })
        .optional(),
      metadata: z
        .array(
          z
            .strictObject({
              kinds: z.array(z.string().min(1)).min(1),
              apiGroups: z.array(z.string()).optional(),
              labels: z.record(z.string().min(1), metadataValueRule).optional(),
              annotations: z.record(z.string().min(1), metadataValueRule).optional(),
            })
            .refine((m) => m.labels !== undefined || m.annotations !== undefined, { message: 'must set labels or annotations' }),
        )
        .optional(),
      services: z
        .strictObject({
          types: z.array(z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'])).optional(),
          loadBalancers: z.strictObject({ cidrs: z.array(cidr) }).optional(),
          nodePorts: z.strictObject({ ports: z.array(z.strictObject({ from: z.number().int().min(1).max(65535), to: z.number().int().min(1).max(65535) })) }).optional(),
          externalNames: z.strictObject({ hostnames: z.array(expressionMatch) }).optional(),
        })
        .optional(),
    })
    .optional(),
  /** Quotas shared by the selected namespaces (replaces resourceQuotas). */
  quota: z.array(z.strictObject({ name: key, hard: quotaHard, scopes: z.array(z.string().min(1)).optional() })).min(1).optional(),
  permissions: z
    .strictObject({
      bindings: z.array(roleBinding).optional(),
      promotions: z.array(z.strictObject({ clusterRoles: z.array(z.string().min(1)).min(1), selector: labelSelector.optional() })).optional(),
    })
    .optional(),
});

/** The `tenancy` section: settings of every tenant of the environment. */
export const tenancySchema = z.strictObject({
  /** Namespaces of ingress controllers admitted by tenants' network policies when ingress classes are allowed. Default [app-routing-system]. */
  ingressControllerNamespaces: z.array(key).optional(),
  /** Pod Security level of tenants that set none. Default baseline in protected environments, none otherwise. */
  podSecurity: podSecurityLevel.optional(),
  /** Publication of tenant kubeconfigs in an Azure Key Vault (RBAC mode) for the owners. */
  kubeconfigs: z
    .strictObject({
      /** Publish (default true when there are tenants). */
      publish: z.boolean().optional(),
      /** Vault name (globally unique). Default kubeconfigs-<random suffix kept in state>. */
      keyVaultName: z.string().regex(KEY_VAULT_NAME_RE, { message: 'must be 3-24 letters, digits and "-", starting with a letter, not ending with "-" and without "--" (globally unique)' }).optional(),
    })
    .optional(),
});

const stringMap = z.record(z.string(), z.string());
const metadata = z.strictObject({ labels: stringMap.optional(), annotations: stringMap.optional() });
const forbiddenList = z.strictObject({ denied: z.array(z.string()).optional(), deniedRegex: z.string().optional() });
const className = z.string().regex(CLASS_NAME_RE, { message: CLASS_NAME_ALLOWED });
const allowedList = z.strictObject({ allowed: z.array(className).optional(), default: className.optional(), matchLabels: stringMap.optional() });

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
      quota: z.number().int().min(1, { message: 'must be at least 1 (the Tenant CRD minimum; leave it unset for no limit)' }).optional(),
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
  resourceQuotas: z
    .strictObject({ scope: z.enum(['Tenant', 'Namespace']).optional(), items: z.array(z.looseObject({ hard: quotaHard.optional() })).min(1) })
    .optional(),
  /** Rules (Capsule 0.14): registries, QoS classes, metadata, services, quota, permissions, per namespace selection. */
  rules: z.array(tenantRuleSchema).optional(),
  /** Pod Security level enforced on every namespace (managed label owners cannot change). */
  podSecurity: podSecurityLevel.optional(),
  /** Further cluster-scoped resources the owners may list/get through capsule-proxy (allowed classes are granted already). */
  proxyClusterResources: z
    .array(
      z.strictObject({
        apiGroups: z.array(z.string().refine((g) => g !== '*', { message: 'must be an API group ("" for core), not "*"' })).min(1),
        resources: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a plural resource name such as nodes or runtimeclasses (no "*")' })).min(1),
        selector: labelSelector,
        operations: z.array(z.enum(['List', 'Get'])).min(1).optional(),
      }),
    )
    .optional(),
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
}).superRefine((t, ctx) => {
  // A quota on cpu/memory refuses pods that do not declare them: the tenant must give containers defaults.
  const hard = [
    ...(t.resourceQuotas?.items ?? []).flatMap((q) => Object.keys(q.hard ?? {})),
    ...(t.rules ?? []).flatMap((r) => (r.quota ?? []).flatMap((q) => Object.keys(q.hard))),
  ];
  const limitRanges = [...(t.limitRange ? [LIMIT_RANGE_PRESETS[t.limitRange]()] : []), ...((t.limitRanges ?? []) as unknown as LimitRangeSpec[])];
  const missing = missingContainerDefaults(hard, limitRanges);
  if (missing.length) {
    ctx.addIssue({
      code: 'custom',
      path: [t.resourceQuotas ? 'resourceQuotas' : 'rules'],
      input: missing,
      message:
        'is a quota that pods must then declare, but no LimitRange gives containers defaults for it, so pods without them are refused: ' +
        'add limitRange: standard or a limitRanges entry (type Container, default / defaultRequest)',
    });
  }
});

// The plain types of these schemas are generated into config/environment-types.ts (npm run config-types).
export type { TenantConfig, TenantOwnerConfig, TenantRuleConfig } from './environment-types';
