import { z } from 'zod';
import { azureName, cidr, domain, guid, key, location, upn } from './fields';
import { capsuleSchema } from './capsule-schema';
import { tenantSchema } from './tenants-schema';

/** Terraform state: local files (default) or an Azure storage account (required in CI and production). */
export const stateSchema = z.discriminatedUnion('backend', [
  z.strictObject({ backend: z.literal('local') }),
  z.strictObject({
    backend: z.literal('azurerm'),
    resourceGroupName: azureName('resourceGroup'),
    storageAccountName: azureName('storageAccount'),
    containerName: azureName('storageContainer'),
    /** Prefix of the blob key; the stack name and `.tfstate` are appended. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9._/-]*$/, { message: 'must be letters, digits, ".", "_", "-" and "/"' }).optional(),
    subscriptionId: guid.optional(),
    tenantId: guid.optional(),
  }),
]);

const groupSchema = z.union([
  z.strictObject({ displayName: z.string().min(1), description: z.string().optional() }),
  z.strictObject({ objectId: guid }),
]);

const userSchema = z.strictObject({
  /** UPN; default `<key>@<upnDomain>`. */
  userPrincipalName: upn.optional(),
  displayName: z.string().min(1).optional(),
  memberOf: z.array(key).optional(),
});

export const entraSchema = z.strictObject({
  /** Domain of created users' UPNs (`<user key>@<upnDomain>`). */
  upnDomain: domain.optional(),
  /** Key of the group whose members administer the cluster (AKS admin group, ignored by capsule-proxy). */
  clusterAdminGroup: key,
  /** Key of the group listed as Capsule users; every tenant owner is made a member. */
  capsuleUsersGroup: key,
  groups: z.record(key, groupSchema),
  users: z.record(key, userSchema).optional(),
});

export const clusterSchema = z.strictObject({
  name: azureName('aksCluster'),
  resourceGroup: azureName('resourceGroup'),
  nodeResourceGroup: azureName('resourceGroup').optional(),
  createResourceGroup: z.boolean().optional(),
  dnsPrefix: azureName('dnsPrefix').optional(),
  kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, { message: 'must be a version such as 1.33 or 1.33.2' }).optional(),
  skuTier: z.enum(['Free', 'Standard', 'Premium']).optional(),
  networkPolicy: z.enum(['calico', 'azure', 'cilium']).optional(),
  /** Opt back in to local accounts (admin kubeconfig). Default false. */
  localAccountsEnabled: z.boolean().optional(),
  authorizedIpRanges: z.array(cidr).optional(),
  nodePool: z
    .strictObject({
      name: azureName('linuxNodePool').optional(),
      vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, { message: 'must be an Azure VM size such as Standard_D2s_v5' }).optional(),
      nodeCount: z.number().int().min(1).max(1000).optional(),
      autoscaling: z.strictObject({ minCount: z.number().int().min(1).max(1000), maxCount: z.number().int().min(1).max(1000) }).optional(),
      zones: z.array(z.enum(['1', '2', '3'])).optional(),
      temporaryNameForRotation: azureName('linuxNodePool').optional(),
      osDiskSizeGb: z.number().int().min(30).max(2048).optional(),
    })
    .optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

export const accessSchema = z.strictObject({
  /** Where tenant owners get "Reader" and "AKS Cluster User Role": cluster (default, least privilege) or wider. */
  tenantRoleScope: z.enum(['cluster', 'resourceGroup', 'subscription']).optional(),
  /** Give the identity that runs the deployment "AKS RBAC Cluster Admin" on the cluster. Default true. */
  deployerClusterAdmin: z.boolean().optional(),
  /** Give "AKS RBAC Cluster Admin" to this principal instead of the deploying identity. */
  clusterAdminPrincipalId: guid.optional(),
  /** How the helm/kubernetes providers log in through kubelogin: azurecli (default) or spn, workloadidentity, msi for CI. */
  kubeloginMode: z.enum(['azurecli', 'spn', 'workloadidentity', 'msi']).optional(),
});

export const environmentSchema = z
  .strictObject({
    location,
    /** Protected environments get prevent_destroy on the cluster and tenants, and Capsule preventDeletion. */
    protected: z.boolean().optional(),
    azure: z.strictObject({ subscriptionId: guid.optional(), tenantId: guid.optional() }).optional(),
    state: stateSchema.optional(),
    entra: entraSchema,
    cluster: clusterSchema,
    access: accessSchema.optional(),
    capsule: capsuleSchema.optional(),
    tenants: z.record(key, tenantSchema).optional(),
  })
  .superRefine((env, ctx) => {
    const groups = Object.keys(env.entra.groups);
    const users = Object.keys(env.entra.users ?? {});
    const groupRef = (path: (string | number)[], value: string) => {
      if (!groups.includes(value)) ctx.addIssue({ code: 'custom', path, input: value, message: `must be a key of entra.groups: ${groups.join(', ')}` });
    };
    groupRef(['entra', 'clusterAdminGroup'], env.entra.clusterAdminGroup);
    groupRef(['entra', 'capsuleUsersGroup'], env.entra.capsuleUsersGroup);
    for (const [u, spec] of Object.entries(env.entra.users ?? {})) {
      (spec.memberOf ?? []).forEach((g, i) => groupRef(['entra', 'users', u, 'memberOf', i], g));
      if (spec.userPrincipalName === undefined && env.entra.upnDomain === undefined) {
        ctx.addIssue({ code: 'custom', path: ['entra', 'users', u], input: spec, message: 'needs userPrincipalName, or entra.upnDomain for the default <key>@<upnDomain>' });
      }
    }
    for (const [t, tenant] of Object.entries(env.tenants ?? {})) {
      tenant.owners.forEach((o, i) => {
        if ('group' in o) groupRef(['tenants', t, 'owners', i, 'group'], o.group);
        if ('user' in o && !users.includes(o.user)) {
          ctx.addIssue({ code: 'custom', path: ['tenants', t, 'owners', i, 'user'], input: o.user, message: `must be a key of entra.users: ${users.join(', ') || '(none defined)'}` });
        }
      });
    }
    const auto = env.cluster.nodePool?.autoscaling;
    if (auto && auto.maxCount < auto.minCount) {
      ctx.addIssue({ code: 'custom', path: ['cluster', 'nodePool', 'autoscaling', 'maxCount'], input: auto.maxCount, message: `must be at least minCount (${auto.minCount})` });
    }
    if (auto && env.cluster.nodePool?.nodeCount !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cluster', 'nodePool', 'nodeCount'], input: env.cluster.nodePool.nodeCount, message: 'must not be set together with autoscaling' });
    }
  });

export type EnvironmentFile = z.infer<typeof environmentSchema>;

/** A validated environment: the file's content plus its name (the file name without extension). */
export interface EnvironmentConfig extends EnvironmentFile {
  /** Environment name, from the file name: prefixes the stack names. */
  readonly name: string;
}

