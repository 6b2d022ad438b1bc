import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { TenantConfig, TenantRuleConfig } from '../config/environment-types';
import { TenantRule, TenantRuleEnforce } from '../constructs/capsule-tenant-types';
import { ProxyClusterResource } from '../constructs/global-proxy-setting';
import { PodSecurityLevel, PullPolicy, registryRule } from '../constructs/tenant-rules';
import { CapsuleTenant, LimitRangeSpec, NetworkPolicySpec, ResourceQuotaSpec } from '../constructs/capsule-tenant';
import { LIMIT_RANGE_PRESETS, NETWORK_POLICY_PRESETS } from '../constructs/tenant-presets';
import { TenantKubeconfig } from '../constructs/tenant-kubeconfig';
import { POLICY_REPLICATED_KINDS, ReplicationServiceAccount } from '../constructs/replication-service-account';
import { PublishedKubeconfig } from '../constructs/published-kubeconfig';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { configureBackend } from './backend';
import { kubeconfigOutputName } from './tenant-outputs';
import { CapsuleStack } from './capsule-stack';
import { ClusterStack } from './cluster-stack';
import { isEntraOwner, ownerKey, ownerPrincipal } from './tenant-owners';
import { AksKubeProviders } from '../constructs/aks-kube-providers';

export interface TenantsStackProps {
  /** The environment's cluster stack (owners' object IDs and UPNs, API server). */
  readonly cluster: ClusterStack;
  /** The environment's capsule stack (Capsule release, proxy URL and CA). */
  readonly capsule: CapsuleStack;
}

/** Key Vault secret name of a tenant's published kubeconfig. */
export function kubeconfigSecretName(tenant: string): string {
  return `kubeconfig-${tenant}`;
}

export { kubeconfigOutputName } from './tenant-outputs';

/**
 * `<env>-tenants`: one Capsule Tenant per entry of the environment's `tenants` section (construct ID = tenant
 * name, so order does not matter), and per tenant an output `kubeconfig_<tenant>` with a kubeconfig for
 * capsule-proxy. Depends on the capsule stack: deployed after it, destroyed before it (the Capsule controller
 * must still run to release the Tenants' finalizers).
 */
export class TenantsStack extends TerraformStack {
  /** Tenants by name. */
  public readonly tenants: Readonly<Record<string, CapsuleTenant>> = {};
  /** Published kubeconfigs (Key Vault secrets) by tenant name. */
  public readonly published: Readonly<Record<string, PublishedKubeconfig>> = {};
  /** Kubeconfigs by tenant name. */
  public readonly kubeconfigs: Readonly<Record<string, TenantKubeconfig>> = {};

  constructor(scope: Construct, id: string, props: TenantsStackProps) {
    super(scope, id);
    const { cluster, capsule } = props;
    const env = cluster.environment;
    configureBackend(this, env, id);
    this.addDependency(capsule);
    // The environment's login mode and tenant ID only (access.kubeloginMode, azure.tenantId).
    new AksKubeProviders(this, 'kube-providers', {
      host: cluster.aks.host,
      clusterCaCertificate: cluster.aks.clusterCaCertificate,
      login: env.access?.kubeloginMode,
      tenantId: env.azure?.tenantId,
    });
    const protect = env.protected ?? false;

    // The proxy's URL and CA certificate (public data) come from the proxy (CapsuleProxy.addKubeconfig): the capsule
    // stack's CA resource, read through its remote state, or the caFile of a custom certificate (read by Terraform
    // at apply time). No data source reads a Secret: this state never holds a private key.
    // Values from other stacks come from cdktf's cross-stack outputs, which are declared sensitive, and a plain output
    // may not hold a sensitive value: the proxy URL (random DNS label suffix), its CA and the Entra tenant ID are
    // public, so they are unmarked. Terraform itself does not carry the mark through terraform_remote_state today
    // (data_source_state.go), so nonsensitive() gets a plain value, which Terraform accepts from 1.7.0 on: every stack
    // requires it (TERRAFORM_REQUIRED_VERSION, stacks/backend.ts). CapsuleProxy.addKubeconfig does the unmarking;
    // literals stay as they are.
    // Always set (AksCluster.tenantId: azure.tenantId, else the deploying identity's tenant), never an empty read-back.
    const tenantId = env.azure?.tenantId ?? cluster.aks.tenantId;

    // One identity for every tenant's replication, with rights on network policies and limit ranges only.
    const replicates = Object.values(env.tenants ?? {}).some((t) => t.replication === 'global-tenant-resource');
    const replicator = replicates
      ? new ReplicationServiceAccount(this, 'replicator', { name: 'capsule-aks-replicator', namespace: capsule.namespaceName, kinds: POLICY_REPLICATED_KINDS })
      : undefined;
    const tenants: Record<string, CapsuleTenant> = {};
    const kubeconfigs: Record<string, TenantKubeconfig> = {};
    const published: Record<string, PublishedKubeconfig> = {};
    const vault = Object.keys(env.tenants ?? {}).length ? cluster.kubeconfigVault : undefined;
    if (vault) new AzurermProvider(this, 'azurerm', { features: [{}], subscriptionId: env.azure?.subscriptionId, tenantId: env.azure?.tenantId });
    for (const [name, t] of Object.entries(env.tenants ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      // The operator lists the tenant's owners as Capsule users (they already are: CapsuleStack passes every owner).
      tenants[name] = capsule.capsule.addTenant(`tenant-${name}`, {
        scope: this,
        name,
        ...tenantSpec(name, t, cluster),
        preventDeletion: protect ? true : t.preventDeletion,
        preventDestroy: protect,
        replicationServiceAccount: replicator,
        // No depends_on on the Capsule release: it lives in another stack (depends_on cannot name a remote-state
        // output); the stack dependency orders deploy (capsule first) and destroy (tenants first).
      });
      const login = t.kubeconfigLogin ?? 'devicecode';
      kubeconfigs[name] = capsule.proxy.addKubeconfig(`kubeconfig-${name}`, {
        scope: this,
        tenant: name,
        login,
        tenantId: login === 'devicecode' ? tenantId : undefined,
      });
      new TerraformOutput(this, kubeconfigOutputName(name), {
        value: kubeconfigs[name].yaml,
        description: `kubeconfig of tenant ${name} (capsule-proxy, kubelogin ${login}; no credentials). Write it with: npm run kubeconfig -- ${env.name} ${name}`,
      });
      if (vault) {
        // Self-service: the tenant's Entra owners read their kubeconfig from the vault (ServiceAccount owners use
        // their token instead); nobody else can.
        const readers = Object.fromEntries(
          t.owners.filter(isEntraOwner).map((o) => [ownerKey(o), ownerPrincipal(o, cluster.directory)]),
        );
        published[name] = new PublishedKubeconfig(this, `published-kubeconfig-${name}`, {
          keyVaultId: vault.vault.id,
          secretName: kubeconfigSecretName(name),
          kubeconfig: kubeconfigs[name].yaml,
          readers,
        });
      }
    }
    this.published = published;
    this.tenants = tenants;
    this.kubeconfigs = kubeconfigs;
  }
}

/** The typed Tenant spec of a tenant of the environment file (presets expanded, owners resolved). */
function tenantSpec(name: string, t: TenantConfig, cluster: ClusterStack) {
  const env = cluster.environment;
  const networkPolicies: NetworkPolicySpec[] = [
    ...(t.networkPolicy ? [NETWORK_POLICY_PRESETS[t.networkPolicy](name)] : []),
    ...((t.networkPolicies ?? []) as unknown as NetworkPolicySpec[]),
  ];
  const limitRanges: LimitRangeSpec[] = [...(t.limitRange ? [LIMIT_RANGE_PRESETS[t.limitRange]()] : []), ...((t.limitRanges ?? []) as unknown as LimitRangeSpec[])];
  const ing = t.ingressOptions;
  return {
    owners: t.owners.map((o) => cluster.tenantOwner(o)),
    namespaceOptions: t.namespaceOptions,
    networkPolicies: networkPolicies.length ? { items: networkPolicies } : undefined,
    resourceQuotas: t.resourceQuotas && { scope: t.resourceQuotas.scope, items: t.resourceQuotas.items as ResourceQuotaSpec[] },
    limitRanges: limitRanges.length ? { items: limitRanges } : undefined,
    replication: t.replication,
    ingressOptions: ing && {
      allowedClasses: ing.allowedClasses,
      allowedHostnames: ing.allowedHostnames && { allowed: ing.allowedHostnames },
      hostnameCollisionScope: ing.hostnameCollisionScope,
      allowWildcardHostnames: ing.allowWildcardHostnames,
    },
    nodeSelector: t.nodeSelector,
    storageClasses: t.storageClasses,
    priorityClasses: t.priorityClasses,
    containerRegistries: t.containerRegistries && { allowed: t.containerRegistries },
    cordoned: t.cordoned,
    // A ServiceAccount owner needs the prefix (serviceAccountOwnerProblem): pinned on the Tenant, so that the guarantee
    // does not hang on the Capsule-wide setting (the file's setting was checked: false is refused before this).
    forceTenantPrefix: t.forceTenantPrefix ?? (t.owners.some((o) => 'serviceAccount' in o) ? true : undefined),
    additionalRoleBindings: t.additionalRoleBindings,
    rules: t.rules?.map(tenantRule),
    // Protected environments enforce at least baseline unless the tenant or the tenancy section says otherwise.
    podSecurity: (t.podSecurity ?? env.tenancy?.podSecurity ?? (env.protected ? 'baseline' : undefined)) as PodSecurityLevel | undefined,
    ingressControllerNamespaces: env.tenancy?.ingressControllerNamespaces,
    proxyClusterResources: t.proxyClusterResources as ProxyClusterResource[] | undefined,
  };
}

/** A rule of the environment file as a Tenant rule: registry patterns become anchored regular expressions. */
function tenantRule(r: TenantRuleConfig): TenantRule {
  const { enforce, ...rest } = r;
  if (!enforce) return rest as TenantRule;
  const { workloads, ...enforceRest } = enforce;
  const registries = workloads?.registries?.map((g) => registryRule(g.registry, g.pullPolicies as PullPolicy[] | undefined));
  return {
    ...(rest as TenantRule),
    enforce: { ...(enforceRest as TenantRuleEnforce), ...(workloads ? { workloads: { ...workloads, registries } as TenantRuleEnforce['workloads'] } : {}) },
  };
}
