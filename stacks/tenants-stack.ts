import { Fn, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { TenantConfig, TenantOwnerConfig } from '../config/tenants-schema';
import { CapsuleTenant, LimitRangeSpec, NetworkPolicySpec, ResourceQuotaSpec, TenantOwner } from '../constructs/capsule-tenant';
import { LIMIT_RANGE_PRESETS, NETWORK_POLICY_PRESETS } from '../constructs/tenant-presets';
import { TenantKubeconfig } from '../constructs/tenant-kubeconfig';
import { configureBackend } from './backend';
import { CapsuleStack } from './capsule-stack';
import { ClusterStack } from './cluster-stack';
import { kubeProviders } from './kube-providers';

export interface TenantsStackProps {
  /** The environment's cluster stack (owners' object IDs and UPNs, API server). */
  readonly cluster: ClusterStack;
  /** The environment's capsule stack (Capsule release, proxy URL and CA). */
  readonly capsule: CapsuleStack;
}

/** Terraform output name of a tenant's kubeconfig. */
export function kubeconfigOutputName(tenant: string): string {
  return `kubeconfig_${tenant.replace(/-/g, '_')}`;
}

/**
 * `<env>-tenants`: one Capsule Tenant per entry of the environment's `tenants` section (construct ID = tenant
 * name, so order does not matter), and per tenant an output `kubeconfig_<tenant>` with a kubeconfig for
 * capsule-proxy. Depends on the capsule stack: deployed after it, destroyed before it (the Capsule controller
 * must still run to release the Tenants' finalizers).
 */
export class TenantsStack extends TerraformStack {
  /** Tenants by name. */
  public readonly tenants: Readonly<Record<string, CapsuleTenant>> = {};
  /** Kubeconfigs by tenant name. */
  public readonly kubeconfigs: Readonly<Record<string, TenantKubeconfig>> = {};

  constructor(scope: Construct, id: string, props: TenantsStackProps) {
    super(scope, id);
    const { cluster, capsule } = props;
    const env = cluster.environment;
    configureBackend(this, env, id);
    this.addDependency(capsule);
    kubeProviders(this, cluster);
    const protect = env.protected ?? false;

    // The proxy's CA certificate (public data): the capsule stack's CA resource, read through its remote state
    // (cdktf marks cross-stack outputs sensitive, hence nonsensitive), or the caFile of a custom certificate (read by
    // Terraform at apply time). No data source reads a Secret: this state never holds a private key.
    const ca = capsule.proxyCa;
    let caPem: string | undefined;
    if (ca.kind === 'certificate') caPem = capsule.proxy.certificates === 'custom' ? ca.certificate : Fn.nonsensitive(ca.certificate);
    // The default DNS label's random suffix comes the same way (a sensitive remote-state output): the URL is public.
    const server = Token.isUnresolved(capsule.proxyUrl) ? Fn.nonsensitive(capsule.proxyUrl) : capsule.proxyUrl;
    // Always set (AksCluster.tenantId: azure.tenantId, else the deploying identity's tenant), never an empty read-back.
    const tenantId = env.azure?.tenantId ?? cluster.aks.tenantId;

    const tenants: Record<string, CapsuleTenant> = {};
    const kubeconfigs: Record<string, TenantKubeconfig> = {};
    for (const [name, t] of Object.entries(env.tenants ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      tenants[name] = new CapsuleTenant(this, `tenant-${name}`, {
        name,
        ...tenantSpec(name, t, cluster),
        preventDeletion: protect ? true : t.preventDeletion,
        preventDestroy: protect,
        // No depends_on on the Capsule release: it lives in another stack (depends_on cannot name a remote-state
        // output); the stack dependency orders deploy (capsule first) and destroy (tenants first).
      });
      const login = t.kubeconfigLogin ?? 'devicecode';
      kubeconfigs[name] = new TenantKubeconfig(this, `kubeconfig-${name}`, {
        tenant: name,
        server,
        caCertificate: caPem,
        login,
        tenantId: login === 'devicecode' ? tenantId : undefined,
      });
      new TerraformOutput(this, kubeconfigOutputName(name), {
        value: kubeconfigs[name].yaml,
        description: `kubeconfig of tenant ${name} (capsule-proxy, kubelogin ${login}; no credentials). Write it with: npm run kubeconfig -- ${env.name} ${name}`,
      });
    }
    this.tenants = tenants;
    this.kubeconfigs = kubeconfigs;
  }
}

/** The typed Tenant spec of a tenant of the environment file (presets expanded, owners resolved). */
function tenantSpec(name: string, t: TenantConfig, cluster: ClusterStack) {
  const networkPolicies: NetworkPolicySpec[] = [
    ...(t.networkPolicy ? [NETWORK_POLICY_PRESETS[t.networkPolicy](name)] : []),
    ...((t.networkPolicies ?? []) as unknown as NetworkPolicySpec[]),
  ];
  const limitRanges: LimitRangeSpec[] = [...(t.limitRange ? [LIMIT_RANGE_PRESETS[t.limitRange]()] : []), ...((t.limitRanges ?? []) as unknown as LimitRangeSpec[])];
  const ing = t.ingressOptions;
  return {
    owners: t.owners.map((o) => owner(o, cluster)),
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
    forceTenantPrefix: t.forceTenantPrefix,
    additionalRoleBindings: t.additionalRoleBindings,
  };
}

/** Group owners by object ID, user owners by UPN (how AKS presents them to Capsule). */
function owner(o: TenantOwnerConfig, cluster: ClusterStack): TenantOwner {
  const clusterRoles = o.clusterRoles;
  if ('group' in o) return { kind: 'Group', name: cluster.groupObjectId(o.group), clusterRoles };
  if ('groupObjectId' in o) return { kind: 'Group', name: o.groupObjectId, clusterRoles };
  if ('user' in o) return { kind: 'User', name: cluster.directory.userPrincipalName(o.user), clusterRoles };
  return { kind: 'User', name: o.userPrincipalName, clusterRoles };
}
