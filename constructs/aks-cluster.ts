import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-checks';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { AksPoolShape, AksUserNodePool, AksUserNodePoolOptions, checkPoolShape, upgradeSettings } from './aks-node-pool';
import {
  AZURE_LOCATIONS,
  AZURE_NAMES,
  checkCidrs,
  checkGuid,
  checkPattern,
  invalid,
  isUnresolved,
} from './validation';
import { terraformLiterals } from './terraform-literal';

/** AKS pricing tier. */
export type AksSkuTier = 'Free' | 'Standard' | 'Premium';
/** Kubernetes network policy engine (Azure CNI). */
export type AksNetworkPolicy = 'calico' | 'azure' | 'cilium';
/** Automatic upgrade channel of the control plane. */
export type AksUpgradeChannel = 'none' | 'patch' | 'rapid' | 'stable' | 'node-image';

/** The default node pool: the system pool (AKS add-ons; only them with `onlyCriticalAddons`). */
export interface AksNodePoolProps extends AksPoolShape {
  /**
   * Node pool name: 1-12 lowercase letters and digits, starting with a letter.
   * @default 'system'
   */
  readonly name?: string;
  /**
   * Taint the pool `CriticalAddonsOnly=true:NoSchedule` (azurerm `only_critical_addons_enabled`), so only system
   * pods run there and workloads go to user pools ({@link AksClusterProps.nodePools}).
   * @default false
   */
  readonly onlyCriticalAddons?: boolean;
}

export interface AksClusterProps {
  /** Cluster name. */
  readonly name: string;
  /** Azure region, e.g. 'francecentral'. */
  readonly location: string;
  /** Resource group of the cluster. */
  readonly resourceGroupName: string;
  /** Object IDs of the Entra ID groups that are cluster admins (Azure RBAC admin group). */
  readonly adminGroupObjectIds: readonly string[];
  /**
   * Create the resource group (true) or use an existing one (false).
   * @default true
   */
  readonly createResourceGroup?: boolean;
  /**
   * Name of the resource group AKS creates for the nodes.
   * @default - `${resourceGroupName}-nodes`
   */
  readonly nodeResourceGroupName?: string;
  /**
   * DNS prefix of the API server FQDN.
   * @default - the cluster name
   */
  readonly dnsPrefix?: string;
  /**
   * Entra ID tenant of the cluster's identity integration. Always written into the AKS block (when not given, from
   * `azurerm_client_config`), so {@link AksCluster.tenantId} and kubeconfigs never get an empty tenant.
   * @default - the tenant of the deploying identity (`data.azurerm_client_config.tenant_id`)
   */
  readonly tenantId?: string;
  /**
   * Kubernetes version (e.g. '1.33'); with `automaticUpgradeChannel: 'patch'` a minor version is enough.
   * @default - the AKS default version at creation
   */
  readonly kubernetesVersion?: string;
  /**
   * Keep local accounts (the static admin kubeconfig). Off by default: with Entra ID and Azure RBAC every access
   * is an audited Entra identity, and a leaked admin kubeconfig cannot bypass it.
   * @default false
   */
  readonly localAccountsEnabled?: boolean;
  /**
   * CIDRs allowed to reach the public API server.
   * @default - any address (a warning is added)
   */
  readonly authorizedIpRanges?: readonly string[];
  /**
   * Pricing tier; 'Standard' adds the uptime SLA.
   * @default 'Free'
   */
  readonly skuTier?: AksSkuTier;
  /**
   * Network policy engine on Azure CNI.
   * @default 'calico'
   */
  readonly networkPolicy?: AksNetworkPolicy;
  /**
   * Automatic upgrade channel.
   * @default 'patch'
   */
  readonly automaticUpgradeChannel?: AksUpgradeChannel;
  /**
   * Default node pool.
   * @default - see {@link AksNodePoolProps}
   */
  readonly nodePool?: AksNodePoolProps;
  /**
   * User node pools by name (1-12 lowercase letters and digits): each a separate `azurerm_kubernetes_cluster_node_pool`
   * with construct ID `pool-<name>`, so adding, resizing or removing one never changes the cluster resource.
   * More can be added with {@link AksCluster.addNodePool}.
   * @default {}
   */
  readonly nodePools?: Readonly<Record<string, AksUserNodePoolOptions>>;
  /**
   * Terraform `prevent_destroy` on the cluster and its resource group.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Tags on the resource group and the cluster.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An AKS cluster with Entra ID integration and Azure RBAC, Azure CNI with a network policy engine, OIDC issuer and
 * workload identity, and local accounts disabled.
 */
export class AksCluster extends Construct {
  /** The azurerm cluster resource. */
  public readonly cluster: KubernetesCluster;
  /** The resource group, when created here. */
  public readonly resourceGroup?: ResourceGroup;
  /** Name of the resource group of the cluster. */
  public readonly resourceGroupName: string;
  /** User node pools by name. */
  public readonly nodePools: Record<string, AksUserNodePool> = {};
  /** Name of the default (system) node pool. */
  public readonly defaultNodePoolName: string;
  private readonly defaultRotationName: string;
  /** Whether local accounts (admin kubeconfig) exist. */
  public readonly localAccountsEnabled: boolean;
  /**
   * Entra ID tenant of the cluster: `tenantId`, else the deploying identity's tenant. Always set (unlike the AKS
   * block's read-back `tenant_id`, which AKS may return empty when the configuration leaves it out).
   */
  public readonly tenantId: string;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    validate(this, props);

    const pool = props.nodePool ?? {};
    const poolName = pool.name ?? 'system';
    this.defaultNodePoolName = poolName;
    this.defaultRotationName = pool.temporaryNameForRotation ?? `${poolName}tmp`.slice(0, 12);
    const autoscaling = pool.autoscaling;
    this.localAccountsEnabled = props.localAccountsEnabled ?? false;
    // tenant_id is Optional+Computed and may be empty when not configured (kubernetes_cluster_resource.go:358 at
    // v4.55.0, "can be sourced from the client config"): set it, so kubeconfigs never get an empty --tenant-id.
    this.tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'client-config', {}).tenantId;
    const tags = { ...(props.tags ?? {}) };
    const lifecycle = props.preventDestroy ? { preventDestroy: true } : undefined;

    if (props.createResourceGroup ?? true) {
      this.resourceGroup = new ResourceGroup(this, 'resource-group', terraformLiterals(this, 'resourceGroup', { name: props.resourceGroupName, location: props.location, tags, lifecycle }));
    }
    this.resourceGroupName = this.resourceGroup?.name ?? props.resourceGroupName;

    if (!props.authorizedIpRanges?.length) {
      reportPolicyFinding(this, 'CAKS010', 'the AKS API server is reachable from any address (no authorizedIpRanges); Entra ID sign-in still applies');
    }

    this.cluster = new KubernetesCluster(this, 'cluster', terraformLiterals(this, 'cluster', {
      name: props.name,
      location: props.location,
      resourceGroupName: this.resourceGroupName,
      nodeResourceGroup: props.nodeResourceGroupName ?? `${props.resourceGroupName}-nodes`,
      dnsPrefix: props.dnsPrefix ?? props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.skuTier ?? 'Free',
      automaticUpgradeChannel: props.automaticUpgradeChannel ?? 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      localAccountDisabled: !this.localAccountsEnabled,
      roleBasedAccessControlEnabled: true,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      identity: { type: 'SystemAssigned' },
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        adminGroupObjectIds: [...props.adminGroupObjectIds],
        tenantId: this.tenantId,
      },
      apiServerAccessProfile: props.authorizedIpRanges?.length
        ? { authorizedIpRanges: [...props.authorizedIpRanges] }
        : undefined,
      networkProfile: {
        networkPlugin: 'azure',
        networkPolicy: props.networkPolicy ?? 'calico',
        loadBalancerSku: 'standard',
      },
      defaultNodePool: {
        name: poolName,
        vmSize: pool.vmSize ?? 'Standard_D2s_v5',
        nodeCount: autoscaling ? undefined : (pool.nodeCount ?? 2),
        autoScalingEnabled: autoscaling ? true : undefined,
        minCount: autoscaling?.minCount,
        maxCount: autoscaling?.maxCount,
        zones: pool.zones ? [...pool.zones] : undefined,
        osDiskSizeGb: pool.osDiskSizeGb,
        temporaryNameForRotation: this.defaultRotationName,
        maxPods: pool.maxPods,
        osSku: pool.osSku,
        nodeLabels: pool.labels && Object.keys(pool.labels).length ? { ...pool.labels } : undefined,
        onlyCriticalAddonsEnabled: pool.onlyCriticalAddons ?? false,
        upgradeSettings: upgradeSettings(pool.upgradeSettings),
      },
      tags,
      lifecycle,
    }));

    for (const [name, options] of Object.entries(props.nodePools ?? {}).sort(([a], [b]) => a.localeCompare(b))) this.addNodePool(name, options);
  }

  /**
   * Adds a user node pool (`azurerm_kubernetes_cluster_node_pool`, construct ID `pool-<name>`). Its name must differ
   * from the default pool's and every other pool's name and rotation name.
   */
  public addNodePool(name: string, options: AksUserNodePoolOptions = {}): AksUserNodePool {
    const taken = new Map<string, string>([
      [this.defaultNodePoolName, 'the default node pool'],
      [this.defaultRotationName, 'the default node pool\'s temporaryNameForRotation'],
    ]);
    for (const p of Object.values(this.nodePools)) {
      taken.set(p.name, `node pool ${p.name}`);
      taken.set(p.rotationName, `the temporaryNameForRotation of node pool ${p.name}`);
    }
    const rotation = options.temporaryNameForRotation ?? `${name}tmp`.slice(0, 12);
    for (const [field, value] of [['name', name], ['temporaryNameForRotation', rotation]] as const) {
      const owner = taken.get(value);
      if (owner !== undefined) invalid(this, `nodePools.${name}.${field}`, value, `must differ from the name of ${owner} (AKS pool names are unique per cluster)`);
    }
    const pool = new AksUserNodePool(this, `pool-${name}`, { ...options, name, clusterId: this.cluster.id });
    this.nodePools[name] = pool;
    return pool;
  }

  /** Resource ID of the cluster. */
  public get id(): string {
    return this.cluster.id;
  }

  /** Name of the cluster. */
  public get name(): string {
    return this.cluster.name;
  }

  /** API server URL (`https://…:443`). */
  public get host(): string {
    return this.cluster.kubeConfig.get(0).host;
  }

  /** Base64-encoded cluster CA certificate. */
  public get clusterCaCertificate(): string {
    return this.cluster.kubeConfig.get(0).clusterCaCertificate;
  }

  /** OIDC issuer URL for workload identity federation. */
  public get oidcIssuerUrl(): string {
    return this.cluster.oidcIssuerUrl;
  }
}

function validate(scope: Construct, props: AksClusterProps): void {
  checkPattern(scope, 'name', props.name, AZURE_NAMES.aksCluster.re, AZURE_NAMES.aksCluster.allowed);
  if (!isUnresolved(props.location) && !(AZURE_LOCATIONS as readonly string[]).includes(props.location)) {
    invalid(scope, 'location', props.location, 'must be an Azure region name such as francecentral, westeurope or eastus2');
  }
  checkPattern(scope, 'resourceGroupName', props.resourceGroupName, AZURE_NAMES.resourceGroup.re, AZURE_NAMES.resourceGroup.allowed);
  checkPattern(scope, 'nodeResourceGroupName', props.nodeResourceGroupName, AZURE_NAMES.resourceGroup.re, AZURE_NAMES.resourceGroup.allowed);
  if (props.nodeResourceGroupName !== undefined && props.nodeResourceGroupName.toLowerCase() === props.resourceGroupName.toLowerCase()) {
    invalid(scope, 'nodeResourceGroupName', props.nodeResourceGroupName, 'must differ from resourceGroupName (AKS creates and owns the node resource group)');
  }
  checkPattern(scope, 'dnsPrefix', props.dnsPrefix ?? props.name, AZURE_NAMES.dnsPrefix.re, AZURE_NAMES.dnsPrefix.allowed);
  checkGuid(scope, 'tenantId', props.tenantId);
  if (props.adminGroupObjectIds.length === 0) {
    invalid(scope, 'adminGroupObjectIds', props.adminGroupObjectIds, 'must name at least one Entra ID group: without it nobody administers the cluster');
  }
  props.adminGroupObjectIds.forEach((g, i) => checkGuid(scope, `adminGroupObjectIds[${i}]`, g));
  checkPattern(scope, 'kubernetesVersion', props.kubernetesVersion, /^\d+\.\d+(\.\d+)?$/, 'must be a version such as 1.33 or 1.33.2');
  checkCidrs(scope, 'authorizedIpRanges', props.authorizedIpRanges);

  const pool = props.nodePool ?? {};
  checkPattern(scope, 'nodePool.name', pool.name, AZURE_NAMES.linuxNodePool.re, AZURE_NAMES.linuxNodePool.allowed);
  checkPoolShape(scope, 'nodePool.', pool.name ?? 'system', pool);
}
