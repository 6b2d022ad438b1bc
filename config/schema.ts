import { z } from 'zod';
import { azureName, cidr, domain, guid, key, location, tokenMarkerIssues, upn } from './fields';
import { capsuleSchema } from './capsule-schema';
import { tenancySchema, tenantSchema } from './tenants-schema';
import { acknowledgeProblem } from '../policy/policy-checks';
import { AKS_AUDIT_LOG_CATEGORIES } from '../constructs/aks-monitoring';
import { AZURE_IDS, AZURE_NAMES, MAINTENANCE_START, UTC_OFFSET, WEEK_DAYS, isLabelKey, LABEL_KEY_ALLOWED, LABEL_VALUE_ALLOWED, LABEL_VALUE_RE, MAX_SURGE, RESERVED_NODE_LABEL_RE, TAINT_EFFECTS, isPlainObject } from '../constructs/validation';
import { defaultRotationName, poolNodeLabels } from '../constructs/aks-node-pool';
import { networkProblems } from '../constructs/aks-network';
import { clusterProblems } from '../constructs/aks-cluster';
import { serviceAccountOwnerProblem } from '../constructs/capsule-tenant';

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
  /** Key of a group listed as Capsule users (its members are Capsule users); tenant owners are listed by themselves. */
  capsuleUsersGroup: key,
  groups: z.record(key, groupSchema),
  users: z.record(key, userSchema).optional(),
});

const azureId = (kind: keyof typeof AZURE_IDS) => z.string().regex(AZURE_IDS[kind].re, { message: AZURE_IDS[kind].allowed });

/** Network placement (constructs/aks-network.ts; cross-field rules in networkProblems). */
export const networkSchema = z.strictObject({
  mode: z.enum(['overlay', 'flat']).optional(),
  vnet: z
    .strictObject({ name: azureName('virtualNetwork').optional(), addressSpace: z.array(cidr).min(1), nodeSubnet: cidr, apiServerSubnet: cidr.optional() })
    .optional(),
  nodeSubnetId: azureId('subnet').optional(),
  apiServerSubnetId: azureId('subnet').optional(),
  podCidr: cidr.optional(),
  serviceCidr: cidr.optional(),
  dnsServiceIp: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: 'must be an IPv4 address such as 10.0.0.10' }).optional(),
  apiServerVnetIntegration: z.boolean().optional(),
  privateCluster: z.boolean().optional(),
});

/** Node upgrade settings of a pool (default max surge 10%). */
export const upgradeSettingsSchema = z.strictObject({
  maxSurge: z.string().regex(MAX_SURGE.re, { message: MAX_SURGE.allowed }).optional(),
  drainTimeoutInMinutes: z.number().int().min(1).max(1440).optional(),
  nodeSoakDurationInMinutes: z.number().int().min(0).max(30).optional(),
});

const labelKey = z
  .string()
  .refine(isLabelKey, { message: LABEL_KEY_ALLOWED })
  .refine((k) => !RESERVED_NODE_LABEL_RE.test(k), { message: 'must not use the prefixes kubernetes.azure.com/, kubernetes.io/ or k8s.io/ (reserved; AKS refuses them)' });
const labelValue = z.string().regex(LABEL_VALUE_RE, { message: LABEL_VALUE_ALLOWED });
const autoscalingSchema = z.strictObject({ minCount: z.number().int().min(1).max(1000), maxCount: z.number().int().min(1).max(1000) });

/** Size and shape shared by the default pool and user pools (constructs/aks-node-pool.ts, AksPoolShape). */
const poolShape = {
  vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, { message: 'must be an Azure VM size such as Standard_D2s_v5' }).optional(),
  nodeCount: z.number().int().min(1).max(1000).optional(),
  autoscaling: autoscalingSchema.optional(),
  zones: z.array(z.enum(['1', '2', '3'])).optional(),
  temporaryNameForRotation: azureName('linuxNodePool').optional(),
  osDiskSizeGb: z.number().int().min(30).max(2048).optional(),
  maxPods: z.number().int().min(10).max(250).optional(),
  osSku: z.enum(['Ubuntu', 'AzureLinux']).optional(),
  labels: z.record(labelKey, labelValue).optional(),
  upgradeSettings: upgradeSettingsSchema.optional(),
};

/** A user node pool (`cluster.nodePools.<name>`). */
export const userNodePoolSchema = z.strictObject({
  ...poolShape,
  mode: z.enum(['User', 'System']).optional(),
  taints: z.array(z.strictObject({ key: labelKey, value: labelValue.optional(), effect: z.enum(TAINT_EFFECTS) })).optional(),
  /** Dedicated to tenants: label and taint `capsule-aks.io/pool=<name>`. */
  dedicated: z.boolean().optional(),
});

/** A weekly maintenance window (constructs/aks-cluster.ts, AksMaintenanceWindow). */
const maintenanceWindowSchema = z.strictObject({
  dayOfWeek: z.enum(WEEK_DAYS),
  startTime: z.string().regex(MAINTENANCE_START.re, { message: MAINTENANCE_START.allowed }),
  durationHours: z.number().int().min(4).max(24).optional(),
  utcOffset: z.string().regex(UTC_OFFSET.re, { message: UTC_OFFSET.allowed }).optional(),
  intervalWeeks: z.number().int().min(1).max(4).optional(),
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
  /** Automatic Kubernetes upgrades: patch (default), stable, rapid, node-image or none. */
  automaticUpgradeChannel: z.enum(['none', 'patch', 'stable', 'rapid', 'node-image']).optional(),
  /** Automatic node OS upgrades: NodeImage (default), SecurityPatch, Unmanaged or None. */
  nodeOsUpgradeChannel: z.enum(['NodeImage', 'SecurityPatch', 'Unmanaged', 'None']).optional(),
  /** Weekly planned maintenance windows of the two channels. */
  maintenanceWindows: z.strictObject({ autoUpgrade: maintenanceWindowSchema.optional(), nodeOs: maintenanceWindowSchema.optional() }).optional(),
  /** Opt back in to local accounts (admin kubeconfig). Default false. */
  localAccountsEnabled: z.boolean().optional(),
  authorizedIpRanges: z.array(cidr).optional(),
  nodePool: z
    .strictObject({
      name: azureName('linuxNodePool').optional(),
      ...poolShape,
      /** Only critical add-ons on the default (system) pool; workloads go to nodePools. */
      onlyCriticalAddons: z.boolean().optional(),
    })
    .optional(),
  /** Network placement: overlay or flat Azure CNI, own VNet/subnet, API server VNet integration, private cluster. */
  network: networkSchema.optional(),
  /** User node pools by name (1-12 lowercase letters and digits, starting with a letter). */
  nodePools: z.record(azureName('linuxNodePool'), userNodePoolSchema).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

/** The `monitoring` section (constructs/aks-monitoring.ts). */
export const monitoringSchema = z.strictObject({
  /** The Log Analytics workspace of Container Insights and audit logs: an existing one by ID, or created (default). */
  logAnalytics: z
    .strictObject({
      workspaceId: azureId('logAnalyticsWorkspace').optional(),
      name: azureName('logAnalyticsWorkspace').optional(),
      retentionInDays: z.number().int().min(30).max(730).optional(),
    })
    .refine((l) => l.workspaceId === undefined || (l.name === undefined && l.retentionInDays === undefined), {
      message: 'must give either workspaceId (an existing workspace) or name/retentionInDays (a created one), not both',
    })
    .optional(),
  /** Container Insights (oms_agent, data collection rule and association). */
  containerInsights: z.boolean().optional(),
  /** Azure Monitor managed Prometheus; an existing Azure Monitor workspace by ID, else one is created. */
  managedPrometheus: z.union([z.boolean(), z.strictObject({ azureMonitorWorkspaceId: azureId('monitorWorkspace') })]).optional(),
  /** Scrape Capsule's and capsule-proxy's metrics (azmonitoring.coreos.com ServiceMonitors); default true with managedPrometheus. */
  scrapeCapsule: z.boolean().optional(),
  /** Audit log categories sent to the workspace (diagnostic setting). */
  auditLogs: z.array(z.enum(AKS_AUDIT_LOG_CATEGORIES as [string, ...string[]])).optional(),
});

export const accessSchema = z.strictObject({
  /** Where tenant owners get "Reader" and "AKS Cluster User Role": cluster (default, least privilege) or wider. */
  tenantRoleScope: z.enum(['cluster', 'resourceGroup', 'subscription']).optional(),
  /** Give the identity that runs the deployment "AKS RBAC Cluster Admin" on the cluster. Default true. */
  deployerClusterAdmin: z.boolean().optional(),
  /** Give "AKS RBAC Cluster Admin" to this principal instead of the deploying identity. */
  clusterAdminPrincipalId: guid.optional(),
  /**
   * Object ID of the CI plan identity (README "CI/CD"): the cluster stack gives it read access to the cluster's
   * Kubernetes API (Secrets included) and the kubeconfig vault, so the capsule and tenants plans work from the first run.
   */
  planPrincipalId: guid.optional(),
  /** Seconds the cluster stack waits after that assignment, so the capsule stack of the same deploy gets no 403. Default 300. */
  clusterAdminPropagationSeconds: z.number().int().min(0).max(3600).optional(),
  /** How the helm/kubernetes providers log in through kubelogin: azurecli (default) or spn, workloadidentity, msi for CI. */
  kubeloginMode: z.enum(['azurecli', 'spn', 'workloadidentity', 'msi']).optional(),
});

/** Tenant names: Kubernetes object names and, with forceTenantPrefix, the prefix of every namespace name. */
export const tenantName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/, {
  message:
    'must be 1-40 lowercase letters, digits and "-", starting and ending with a letter or digit (no uppercase, no "_"; it prefixes namespace names, which are limited to 63 characters)',
});

/** Why a policy finding is accepted: written for the next reader, so at least a short sentence. */
const reason = z.string().trim().min(10, { message: 'must be a reason of at least 10 characters (why this is acceptable here)' });

/**
 * The `policy` section: opt-ins and acknowledged warnings of the synth-time policy checks (policy/policy-checks.ts).
 * Error-level checks cannot be acknowledged; warnings can, with a reason.
 */
export const policySchema = z.strictObject({
  /** Opt-in for local accounts (check CAKS001): why `cluster.localAccountsEnabled: true` is needed. */
  allowLocalAccounts: reason.optional(),
  /**
   * Protected resources that may leave the configuration (a deliberate removal), by their identity in the record
   * `<env>.protected.json`, e.g. `tenant/search`; see stacks/protected-record.ts.
   */
  allowRemoval: z.array(z.string().regex(/^[a-z-]+\/.+$/, { message: 'must be an identity of the protected record such as tenant/search or group/capsule-dev' })).optional(),
  /** Acknowledged warnings: check id (e.g. CAKS002) -> reason. The warning is then reported as information. */
  acknowledge: z
    .record(z.string(), reason)
    .superRefine((ack, ctx) => {
      for (const id of Object.keys(ack)) {
        const problem = acknowledgeProblem(id, 'policy.allowLocalAccounts');
        if (problem) ctx.addIssue({ code: 'custom', path: [id], input: id, message: problem });
      }
    })
    .optional(),
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
    monitoring: monitoringSchema.optional(),
    capsule: capsuleSchema.optional(),
    tenants: z.record(tenantName, tenantSchema).optional(),
    /** Settings of every tenant: ingress controller namespaces, default Pod Security level. */
    tenancy: tenancySchema.optional(),
    policy: policySchema.optional(),
  })
  // Cross-field checks run even when other fields are invalid (`when`), so every problem is reported at once.
  .superRefine((env, ctx) => crossReferences(env, ctx), { when: () => true })
  // Text that spells a cdktf token marker, in any field (free-text ones included): refused with its path.
  .superRefine((env, ctx) => tokenMarkerIssues(env).forEach((i) => ctx.addIssue({ code: 'custom', ...i })), { when: () => true });

type Issue = { path: (string | number)[]; input: unknown; message: string };

/**
 * Checks between sections (group and user keys referred to elsewhere, node pool bounds). Works on partially
 * valid data: a section that is missing or of the wrong type is skipped (its own error is reported already).
 */
function crossReferences(raw: unknown, ctx: { addIssue(issue: Issue & { code: 'custom' }): void; readonly issues?: readonly { readonly path?: readonly PropertyKey[] }[] }): void {
  const add = (i: Issue) => ctx.addIssue({ code: 'custom', ...i });
  const env = asObject(raw);
  if (!env) return;
  const entra = asObject(env.entra);
  const groupsObj = asObject(entra?.groups);
  const groups = groupsObj ? Object.keys(groupsObj) : undefined;
  const usersObj = asObject(entra?.users);
  const users = Object.keys(usersObj ?? {});
  const groupRef = (path: (string | number)[], value: unknown) => {
    if (groups === undefined || typeof value !== 'string') return;
    if (!groups.includes(value)) add({ path, input: value, message: `must be a key of entra.groups: ${groups.join(', ') || '(none defined)'}` });
  };
  if (entra) {
    groupRef(['entra', 'clusterAdminGroup'], entra.clusterAdminGroup);
    groupRef(['entra', 'capsuleUsersGroup'], entra.capsuleUsersGroup);
  }
  // One namespace of keys: a membership or tenant owner naming a key must mean one principal.
  for (const u of users) {
    if (groups?.includes(u)) add({ path: ['entra', 'users', u], input: u, message: `is also a key of entra.groups (entra.groups.${u}); keys must be unique across groups and users` });
  }
  // Created groups are told apart by display name (Entra ID allows duplicates; a group lookup by name, the
  // protected record and its moved blocks do not): two created groups with one display name are refused.
  const displayNames = new Map<string, string>();
  for (const [g, value] of Object.entries(groupsObj ?? {})) {
    const name = asObject(value)?.displayName;
    if (typeof name !== 'string') continue;
    const first = displayNames.get(name.toLowerCase());
    if (first !== undefined) add({ path: ['entra', 'groups', g, 'displayName'], input: name, message: `is also the display name of entra.groups.${first}; created groups need different display names (case-insensitive)` });
    else displayNames.set(name.toLowerCase(), g);
  }
  const upns = new Map<string, string>();
  for (const [u, value] of Object.entries(usersObj ?? {})) {
    const given = asObject(value)?.userPrincipalName;
    const upn = typeof given === 'string' ? given : typeof entra?.upnDomain === 'string' ? `${u}@${entra.upnDomain}` : undefined;
    if (upn === undefined) continue;
    const first = upns.get(upn.toLowerCase());
    if (first !== undefined) add({ path: ['entra', 'users', u, ...(typeof given === 'string' ? ['userPrincipalName'] : [])], input: upn, message: `is also the user principal name of entra.users.${first}; UPNs are unique in Entra ID (case-insensitive)` });
    else upns.set(upn.toLowerCase(), u);
  }
  for (const [section, keys] of [['groups', groups ?? []], ['users', users]] as const) {
    for (const k of keys) {
      if (k.startsWith('ext-')) add({ path: ['entra', section, k], input: k, message: 'must not start with "ext-" (reserved for tenant owners given by groupObjectId or userPrincipalName)' });
    }
  }
  for (const [u, value] of Object.entries(usersObj ?? {})) {
    const spec = asObject(value);
    if (!spec) continue;
    if (Array.isArray(spec.memberOf)) spec.memberOf.forEach((g, i) => groupRef(['entra', 'users', u, 'memberOf', i], g));
    if (spec.userPrincipalName === undefined && entra?.upnDomain === undefined) {
      add({ path: ['entra', 'users', u], input: spec, message: 'needs userPrincipalName, or entra.upnDomain for the default <key>@<upnDomain>' });
    }
  }
  for (const [t, value] of Object.entries(asObject(env.tenants) ?? {})) {
    const owners = asObject(value)?.owners;
    if (!Array.isArray(owners)) continue;
    owners.forEach((raw, i) => {
      const o = asObject(raw);
      if (!o) return;
      if ('group' in o) groupRef(['tenants', t, 'owners', i, 'group'], o.group);
      if ('serviceAccount' in o && typeof o.serviceAccount === 'string') {
        // The reconciler must live in one of the tenant's namespaces: with forceTenantPrefix, named <tenant>-….
        const ns = o.serviceAccount.split('/')[0];
        const tenant = asObject(value);
        const prefix = tenant?.forceTenantPrefix ?? asObject(env.capsule)?.forceTenantPrefix ?? true;
        const problem = serviceAccountOwnerProblem(t, ns, prefix === true, Object.keys(asObject(env.tenants) ?? {}));
        if (problem) add({ path: ['tenants', t, 'owners', i, 'serviceAccount'], input: o.serviceAccount, message: problem });
      }
      if ('user' in o && typeof o.user === 'string' && !users.includes(o.user)) {
        add({ path: ['tenants', t, 'owners', i, 'user'], input: o.user, message: `must be a key of entra.users: ${users.join(', ') || '(none defined)'}` });
      }
    });
  }
  // "AKS RBAC Cluster Admin" of a protected environment goes to one fixed principal, never to whoever runs Terraform
  // (it would move between a person and CI on every deploy, with a 403 window for the other).
  const access = asObject(env.access);
  if (env.protected === true && access?.deployerClusterAdmin !== false && typeof access?.clusterAdminPrincipalId !== 'string') {
    add({
      path: ['protected'],
      input: true,
      message:
        'needs access.clusterAdminPrincipalId: the object ID of the identity that deploys this environment (the CI deploy identity), which gets "AKS RBAC Cluster Admin"; without it the role follows whoever runs Terraform and moves between people and CI on every deploy (or set access.deployerClusterAdmin: false and grant it yourself)',
    });
  }
  const cluster = asObject(env.cluster);
  const policy = asObject(env.policy);
  if (policy?.allowLocalAccounts !== undefined && cluster && cluster.localAccountsEnabled !== true) {
    add({ path: ['policy', 'allowLocalAccounts'], input: policy.allowLocalAccounts, message: 'is an opt-in for cluster.localAccountsEnabled: true, which is not set (remove it, so that it cannot hide a later change)' });
  }
  const pool = asObject(cluster?.nodePool);
  const defaultName = typeof pool?.name === 'string' ? pool.name : 'system';
  if (pool?.temporaryNameForRotation !== undefined && pool.temporaryNameForRotation === defaultName) {
    add({ path: ['cluster', 'nodePool', 'temporaryNameForRotation'], input: pool.temporaryNameForRotation, message: 'must differ from nodePool.name' });
  }
  const pools: [string[], Record<string, unknown> | undefined][] = [[['cluster', 'nodePool'], pool]];
  const userPools = Object.entries(asObject(cluster?.nodePools) ?? {});
  for (const [name, p] of userPools) pools.push([['cluster', 'nodePools', name], asObject(p)]);
  for (const [path, p] of pools) {
    const auto = asObject(p?.autoscaling);
    if (auto && typeof auto.minCount === 'number' && typeof auto.maxCount === 'number' && auto.maxCount < auto.minCount) {
      add({ path: [...path, 'autoscaling', 'maxCount'], input: auto.maxCount, message: `must be at least minCount (${auto.minCount})` });
    }
    if (auto && p?.nodeCount !== undefined) add({ path: [...path, 'nodeCount'], input: p.nodeCount, message: 'must not be set together with autoscaling' });
  }
  const network = networkSchema.safeParse(cluster?.network);
  if (cluster?.network !== undefined && network.success) {
    const ranges = Array.isArray(cluster.authorizedIpRanges) ? cluster.authorizedIpRanges.filter((r): r is string => typeof r === 'string') : undefined;
    for (const p of networkProblems(network.data, ranges)) {
      add({ path: ['cluster', 'network', ...p.path], input: p.value, message: p.allowed });
    }
  }
  const monitoring = asObject(env.monitoring);
  if (monitoring?.scrapeCapsule === true && (monitoring.managedPrometheus === undefined || monitoring.managedPrometheus === false)) {
    add({ path: ['monitoring', 'scrapeCapsule'], input: true, message: 'needs monitoring.managedPrometheus (the ServiceMonitors are read by its ama-metrics add-on)' });
  }
  // The rules between cluster settings live with AksCluster (clusterProblems); the file names two of them differently.
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const clusterProblemsOf = clusterProblems({
    resourceGroupName: text(cluster?.resourceGroup),
    nodeResourceGroupName: text(cluster?.nodeResourceGroup),
    automaticUpgradeChannel: text(cluster?.automaticUpgradeChannel),
    nodeOsUpgradeChannel: text(cluster?.nodeOsUpgradeChannel),
    maintenanceWindows: asObject(cluster?.maintenanceWindows),
  });
  for (const p of clusterProblemsOf) {
    add({ path: ['cluster', ...p.path.map((k) => (k === 'nodeResourceGroupName' ? 'nodeResourceGroup' : k))], input: p.value, message: p.allowed });
  }
  // Pool names and rotation names are unique per cluster (AKS agent pool names).
  const taken = new Map<string, string>([[defaultName, 'cluster.nodePool.name']]);
  taken.set(typeof pool?.temporaryNameForRotation === 'string' ? pool.temporaryNameForRotation : defaultRotationName(defaultName), 'cluster.nodePool.temporaryNameForRotation');
  for (const [name, raw] of userPools) {
    const p = asObject(raw);
    const given = typeof p?.temporaryNameForRotation === 'string';
    const rotation = given ? (p!.temporaryNameForRotation as string) : defaultRotationName(name);
    // A default rotation name is not in the file: the clash is reported on the pool's own line.
    const rotationPath = given ? ['cluster', 'nodePools', name, 'temporaryNameForRotation'] : ['cluster', 'nodePools', name];
    const rotationLabel = given ? 'temporaryNameForRotation' : 'its default temporaryNameForRotation';
    for (const [label, value, path] of [['pool name', name, ['cluster', 'nodePools', name]], [rotationLabel, rotation, rotationPath]] as const) {
      const other = taken.get(value);
      const hint = path === rotationPath && !given ? '; set temporaryNameForRotation to another name' : '';
      if (other !== undefined) add({ path: [...path], input: value, message: `${label} "${value}" is already used by ${other} (AKS pool names are unique per cluster)${hint}` });
    }
    taken.set(name, `cluster.nodePools.${name}`);
    taken.set(rotation, `cluster.nodePools.${name}.temporaryNameForRotation`);
  }
  // With only critical add-ons on the system pool, Capsule, capsule-proxy and cert-manager need an untainted user pool.
  // A user pool refused by its own check (e.g. an invalid name) is missing from the value here: no verdict on it.
  const poolRefused = (ctx.issues ?? []).some((i) => i.path?.[0] === 'cluster' && i.path?.[1] === 'nodePools');
  if (pool?.onlyCriticalAddons === true && !poolRefused) {
    const schedulable = userPools.some(([, raw]) => {
      const p = asObject(raw);
      const taints = Array.isArray(p?.taints) ? p.taints.map(asObject) : [];
      return p !== undefined && p.dedicated !== true && !taints.some((t) => t?.effect === 'NoSchedule' || t?.effect === 'NoExecute');
    });
    if (!schedulable) {
      add({ path: ['cluster', 'nodePool', 'onlyCriticalAddons'], input: true, message: 'needs a user pool in cluster.nodePools without NoSchedule/NoExecute taints and not dedicated: Capsule, capsule-proxy and cert-manager run there' });
    }
  }
  // A tenant's nodeSelector must select the nodes of at least one pool (else its pods never schedule).
  if (AZURE_NAMES.linuxNodePool.re.test(defaultName)) {
    // With onlyCriticalAddons the system pool is tainted CriticalAddonsOnly: tenant pods cannot run there.
    const poolLabels: [string, Record<string, string>][] = pool?.onlyCriticalAddons === true ? [] : [[defaultName, poolNodeLabels(defaultName, { labels: stringRecord(pool?.labels) })]];
    for (const [name, raw] of userPools) {
      const p = asObject(raw);
      poolLabels.push([name, poolNodeLabels(name, { labels: stringRecord(p?.labels), dedicated: p?.dedicated === true })]);
    }
    for (const [t, value] of Object.entries(asObject(env.tenants) ?? {})) {
      const selector = stringRecord(asObject(value)?.nodeSelector);
      if (!selector || Object.keys(selector).length === 0) continue;
      const matches = poolLabels.some(([, labels]) => Object.entries(selector).every(([k, v]) => labels[k] === v));
      if (!matches) {
        const known = poolLabels.map(([n, l]) => `${n} {${Object.entries(l).map(([k, v]) => `${k}: ${v}`).join(', ')}}`).join('; ') || 'none';
        const system = pool?.onlyCriticalAddons === true ? ` (the system pool ${defaultName} runs critical add-ons only: cluster.nodePool.onlyCriticalAddons)` : '';
        add({ path: ['tenants', t, 'nodeSelector'], input: selector, message: `of tenant "${t}" matches the labels of no node pool its pods can run on; pools: ${known}${system}` });
      }
    }
  }
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  const o = asObject(v);
  if (!o) return undefined;
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return isPlainObject(v) ? v : undefined;
}

// The plain types of this schema are generated into config/environment-types.ts (npm run config-types).
export type { EnvironmentFile, EnvironmentInput } from './environment-types';
export type { EnvironmentConfig } from './environment-config';

