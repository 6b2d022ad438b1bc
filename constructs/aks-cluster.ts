import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-finding';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { AksNetworkOptions, AksVirtualNetwork, networkProblems } from './aks-network';
import { AksPoolShape, AksUserNodePool, AksUserNodePoolOptions, checkPoolShape, defaultRotationName, poolSizing, upgradeSettings } from './aks-node-pool';
import {
  AZURE_LOCATIONS,
  AZURE_NAMES,
  checkCidrs,
  checkGuid,
  checkIntRange,
  checkPattern,
  invalid,
  isUnresolved,
  MAINTENANCE_START,
  UTC_OFFSET,
  WEEK_DAYS,
} from './validation';
import { terraformLiterals } from './terraform-literal';
import { AksKubeProviders, AksKubeProvidersLogin } from './aks-kube-providers';
import { AKS_RBAC_PROPAGATION_SECONDS, AksAccess, AksAccessPrincipal, AksPrincipalType } from './aks-access';
import { EntraObjectRef } from './entra-directory';

/** The kind of a principal: as given (`type`), else from its azuread resource or data source type, else unset. */
function principalType(p: { readonly objectId: string; readonly type?: unknown }): AksPrincipalType | undefined {
  const kinds: readonly AksPrincipalType[] = ['Group', 'User', 'ServicePrincipal'];
  if (kinds.includes(p.type as AksPrincipalType)) return p.type as AksPrincipalType;
  const resourceType = (p as { readonly terraformResourceType?: unknown }).terraformResourceType;
  const byResource: Record<string, AksPrincipalType> = { azuread_group: 'Group', azuread_user: 'User', azuread_service_principal: 'ServicePrincipal' };
  return typeof resourceType === 'string' ? byResource[resourceType] : undefined;
}

/**
 * Who gets roles with {@link AksCluster.grantAccess}: an object ID, `{ objectId, type }`, or an Entra object itself
 * (an azuread `Group`, `User` or `ServicePrincipal`, resource or data source: its kind is taken from it).
 */
export type AksGrantee = EntraObjectRef | AksAccessPrincipal;

/** Options of {@link AksCluster.grantAccess}. */
export interface AksGrantAccessOptions {
  /**
   * Seconds to wait after the assignments (a `time_sleep`; the stack needs the `time` provider), so that a stack
   * deployed next can use the roles at once. Azure RBAC for Kubernetes takes up to 5 minutes to propagate.
   * @default 300 (AKS_RBAC_PROPAGATION_SECONDS) when a role is a Kubernetes data-plane role ("Azure Kubernetes Service RBAC …"), else 0
   */
  readonly propagationWaitSeconds?: number;
}

/** AKS pricing tier. */
export type AksSkuTier = 'Free' | 'Standard' | 'Premium';
/** Kubernetes network policy engine (Azure CNI). */
export type AksNetworkPolicy = 'calico' | 'azure' | 'cilium';
/** Automatic upgrade channel of the control plane ('none': no automatic upgrades, the attribute is left out). */
export type AksUpgradeChannel = 'none' | 'patch' | 'rapid' | 'stable' | 'node-image';
/** Automatic upgrade channel of the node OS images. */
export type AksNodeOsUpgradeChannel = 'None' | 'Unmanaged' | 'SecurityPatch' | 'NodeImage';
/** Day of a weekly maintenance window. */
export type AksWeekDay = (typeof WEEK_DAYS)[number];

/** A weekly planned maintenance window (azurerm `maintenance_window_auto_upgrade` / `maintenance_window_node_os`). */
export interface AksMaintenanceWindow {
  /** Day of the week. */
  readonly dayOfWeek: AksWeekDay;
  /** Start time, `HH:MM` (24-hour) at `utcOffset`. */
  readonly startTime: string;
  /**
   * Length in hours (4-24; AKS needs at least 4).
   * @default 4
   */
  readonly durationHours?: number;
  /**
   * UTC offset of `startTime`, `+HH:MM` or `-HH:MM`. A fixed offset: daylight saving time is not followed.
   * @default '+00:00'
   */
  readonly utcOffset?: string;
  /**
   * Every how many weeks (1-4).
   * @default 1
   */
  readonly intervalWeeks?: number;
}

/** Planned maintenance windows. */
export interface AksMaintenanceWindows {
  /**
   * When automatic Kubernetes upgrades (`automaticUpgradeChannel`) may run.
   * @default - any time
   */
  readonly autoUpgrade?: AksMaintenanceWindow;
  /**
   * When node OS image / security patch upgrades (`nodeOsUpgradeChannel`) may run.
   * @default - any time
   */
  readonly nodeOs?: AksMaintenanceWindow;
}

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
   * Network placement: Azure CNI overlay or flat, nodes in a created VNet or an existing subnet, API server VNet
   * integration, private cluster. Changing it on an existing cluster mostly replaces the cluster (`network_profile`,
   * `pod_cidr`, `service_cidr`, `dns_service_ip` and `private_cluster_enabled` are ForceNew; moving flat to overlay is in
   * place; kubernetes_cluster_resource.go:107, 1049-1150, 1379-1384 at v4.55.0); the node subnet rotates the pools.
   * @default - flat Azure CNI in an AKS-managed VNet, public API server
   */
  readonly network?: AksNetworkOptions;
  /**
   * Automatic upgrade channel of the node OS images (`node-image` needs `NodeImage`).
   * @default 'NodeImage'
   */
  readonly nodeOsUpgradeChannel?: AksNodeOsUpgradeChannel;
  /**
   * Planned maintenance windows of automatic upgrades and node OS upgrades.
   * @default - none (upgrades may start at any time)
   */
  readonly maintenanceWindows?: AksMaintenanceWindows;
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
  /** Cluster name as given (a literal, unlike {@link AksCluster.name}, a reference). */
  public readonly clusterName: string;
  /** Azure region of the cluster. */
  public readonly location: string;
  /** User node pools by name. */
  public readonly nodePools: Record<string, AksUserNodePool> = {};
  /** Name of the default (system) node pool. */
  public readonly defaultNodePoolName: string;
  private readonly defaultRotationName: string;
  /** Subnet of the nodes (created or given), when the cluster is in a VNet of yours. */
  public readonly nodeSubnetId?: string;
  /** The created VNet, when `network.vnet` is set. */
  public readonly virtualNetwork?: AksVirtualNetwork;
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
    this.clusterName = props.name;
    this.location = props.location;
    const upgradeChannel = props.automaticUpgradeChannel ?? 'patch';
    this.defaultRotationName = pool.temporaryNameForRotation ?? defaultRotationName(poolName);
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

    const net = props.network ?? {};
    if (net.vnet) {
      this.virtualNetwork = new AksVirtualNetwork(this, 'network', {
        ...net.vnet,
        name: net.vnet.name ?? `${props.name}-vnet`,
        resourceGroupName: this.resourceGroupName,
        location: props.location,
        tags,
      });
    }
    this.nodeSubnetId = this.virtualNetwork?.nodeSubnet.id ?? net.nodeSubnetId;
    const apiServerSubnetId = this.virtualNetwork?.apiServerSubnet?.id ?? net.apiServerSubnetId;
    const apiAccess = {
      authorizedIpRanges: props.authorizedIpRanges?.length ? [...props.authorizedIpRanges] : undefined,
      virtualNetworkIntegrationEnabled: net.apiServerVnetIntegration ? true : undefined,
      subnetId: net.apiServerVnetIntegration ? apiServerSubnetId : undefined,
    };

    if (!props.authorizedIpRanges?.length && !net.privateCluster) {
      reportPolicyFinding(this, 'CAKS010', 'the AKS API server is reachable from any address (no authorizedIpRanges); Entra ID sign-in still applies', {
        fix: 'set authorizedIpRanges (or network.privateCluster: true)',
      });
    }

    this.cluster = new KubernetesCluster(this, 'cluster', terraformLiterals(this, 'cluster', {
      name: props.name,
      location: props.location,
      resourceGroupName: this.resourceGroupName,
      nodeResourceGroup: props.nodeResourceGroupName ?? `${props.resourceGroupName}-nodes`,
      dnsPrefix: props.dnsPrefix ?? props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.skuTier ?? 'Free',
      // 'none' is not a value azurerm accepts: leaving the attribute out means none
      // (kubernetes_cluster_resource.go:196-205 and 1854-1857 at v4.55.0).
      automaticUpgradeChannel: upgradeChannel === 'none' ? undefined : upgradeChannel,
      nodeOsUpgradeChannel: props.nodeOsUpgradeChannel ?? 'NodeImage',
      maintenanceWindowAutoUpgrade: maintenanceWindow(props.maintenanceWindows?.autoUpgrade),
      maintenanceWindowNodeOs: maintenanceWindow(props.maintenanceWindows?.nodeOs),
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
      apiServerAccessProfile: Object.values(apiAccess).some((v) => v !== undefined) ? apiAccess : undefined,
      privateClusterEnabled: net.privateCluster ? true : undefined,
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: net.mode === 'overlay' ? 'overlay' : undefined,
        networkPolicy: props.networkPolicy ?? 'calico',
        podCidr: net.podCidr,
        serviceCidr: net.serviceCidr,
        dnsServiceIp: net.dnsServiceIp,
        loadBalancerSku: 'standard',
      },
      defaultNodePool: {
        name: poolName,
        ...poolSizing(pool),
        temporaryNameForRotation: this.defaultRotationName,
        nodeLabels: pool.labels && Object.keys(pool.labels).length ? { ...pool.labels } : undefined,
        onlyCriticalAddonsEnabled: pool.onlyCriticalAddons ?? false,
        upgradeSettings: upgradeSettings(pool.upgradeSettings),
        vnetSubnetId: this.nodeSubnetId,
      },
      tags,
      lifecycle,
    }));

    // In a VNet of yours the cluster identity manages load balancers and (API server VNet integration) its subnet.
    const networkScopes = this.virtualNetwork ? [['vnet', this.virtualNetwork.vnet.id]] : [['node-subnet', net.nodeSubnetId], ['apiserver-subnet', net.apiServerVnetIntegration ? net.apiServerSubnetId : undefined]];
    for (const [key, scopeId] of networkScopes) {
      if (scopeId === undefined) continue;
      new RoleAssignment(this, `network-contributor-${key}`, terraformLiterals(this, 'network-contributor-x', {
        scope: scopeId,
        roleDefinitionName: 'Network Contributor',
        principalId: this.cluster.identity.principalId,
        principalType: 'ServicePrincipal',
        skipServicePrincipalAadCheck: true,
      }));
    }

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
    const rotation = options.temporaryNameForRotation ?? defaultRotationName(name);
    for (const [field, value] of [['name', name], ['temporaryNameForRotation', rotation]] as const) {
      const owner = taken.get(value);
      if (owner !== undefined) invalid(this, `nodePools.${name}.${field}`, value, `must differ from the name of ${owner} (AKS pool names are unique per cluster)`);
    }
    const pool = new AksUserNodePool(this, `pool-${name}`, { ...options, subnetId: options.subnetId ?? this.nodeSubnetId, name, clusterId: this.cluster.id });
    this.nodePools[name] = pool;
    return pool;
  }

  /**
   * The `kubernetes` and `helm` providers of `scope`'s stack for this cluster, with kubelogin `exec` (an
   * {@link AksKubeProviders} with construct ID `id`, a child of `scope`). Use it in the stacks that install charts or
   * create Kubernetes objects, typically stacks of their own deployed after the cluster's.
   *
   * From another stack, cdktf turns the two values the providers need, the API server URL and the cluster CA
   * (public data), into outputs of this cluster's stack read through `terraform_remote_state`. That data source
   * copies every output of the cluster's stack into the reader's state: keep secrets out of that stack's outputs.
   * The kubeconfig of the cluster (`kube_config`, `kube_admin_config`) is never read.
   *
   * `options.tenantId` defaults to the cluster's tenant ({@link AksCluster.tenantId}) for the `spn` and
   * `devicecode` modes.
   */
  public kubeProviders(scope: Construct, options: AksKubeProvidersLogin & { readonly id?: string } = {}): AksKubeProviders {
    const login = options.login ?? 'azurecli';
    const tenantId = options.tenantId ?? (login === 'spn' || login === 'devicecode' ? this.tenantId : undefined);
    return new AksKubeProviders(scope, options.id ?? 'kube-providers', { host: this.host, clusterCaCertificate: this.clusterCaCertificate, login, tenantId });
  }

  /**
   * Assigns built-in Azure roles on this cluster to one principal ({@link AksAccess}, construct ID `id` under the
   * cluster), e.g. `['Azure Kubernetes Service RBAC Cluster Admin']` for a deployer or
   * `['Reader', 'Azure Kubernetes Service Cluster User Role']` for tenant owners (who then reach the cluster through
   * capsule-proxy). Kubernetes data-plane roles are followed by the propagation wait (see
   * {@link AksGrantAccessOptions.propagationWaitSeconds}): depend on `propagated` of the result to use them.
   */
  public grantAccess(id: string, principal: AksGrantee, roles: readonly string[], options: AksGrantAccessOptions = {}): AksAccess {
    const given = typeof principal === 'string' ? { objectId: principal } : principal;
    if (given === null || typeof given !== 'object' || typeof given.objectId !== 'string') {
      invalid(this, `grantAccess(${JSON.stringify(id)}).principal`, principal === undefined ? undefined : String(principal), 'must be an object ID, { objectId, type }, or an Entra group, user or service principal');
    }
    const type = (given as { readonly type?: unknown }).type;
    if (type !== undefined && !(given as { readonly terraformResourceType?: unknown }).terraformResourceType && !['Group', 'User', 'ServicePrincipal'].includes(type as string)) {
      invalid(this, `grantAccess(${JSON.stringify(id)}).principal.type`, type, 'must be Group, User or ServicePrincipal');
    }
    const dataPlane = (roles ?? []).some((r) => /^Azure Kubernetes Service RBAC /.test(r));
    return new AksAccess(this, id, {
      scope: this,
      principals: { principal: { objectId: given.objectId, type: principalType(given) } },
      roles,
      propagationWaitSeconds: options.propagationWaitSeconds ?? (dataPlane ? AKS_RBAC_PROPAGATION_SECONDS : 0),
    });
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

/**
 * A weekly window in the azurerm form: frequency Weekly, interval, day_of_week, duration 4-24, start_time, utc_offset
 * (kubernetes_cluster_resource.go:808-990 and 4233-4293 at v4.55.0; no attribute is ForceNew).
 */
function maintenanceWindow(w: AksMaintenanceWindow | undefined) {
  if (!w) return undefined;
  return { frequency: 'Weekly', interval: w.intervalWeeks ?? 1, dayOfWeek: w.dayOfWeek, startTime: w.startTime, duration: w.durationHours ?? 4, utcOffset: w.utcOffset ?? '+00:00' };
}

/** Checks a maintenance window; `field` names it (e.g. `maintenanceWindows.autoUpgrade`). */
export function checkMaintenanceWindow(scope: Construct, field: string, w: AksMaintenanceWindow | undefined): void {
  if (!w) return;
  if (!(WEEK_DAYS as readonly string[]).includes(w.dayOfWeek)) invalid(scope, `${field}.dayOfWeek`, w.dayOfWeek, `must be one of ${WEEK_DAYS.join(', ')}`);
  checkPattern(scope, `${field}.startTime`, w.startTime, MAINTENANCE_START.re, MAINTENANCE_START.allowed);
  if (w.startTime === undefined) invalid(scope, `${field}.startTime`, w.startTime, MAINTENANCE_START.allowed);
  checkPattern(scope, `${field}.utcOffset`, w.utcOffset, UTC_OFFSET.re, UTC_OFFSET.allowed);
  checkIntRange(scope, `${field}.durationHours`, w.durationHours, 4, 24);
  checkIntRange(scope, `${field}.intervalWeeks`, w.intervalWeeks, 1, 4);
}

function validate(scope: Construct, props: AksClusterProps): void {
  checkPattern(scope, 'name', props.name, AZURE_NAMES.aksCluster.re, AZURE_NAMES.aksCluster.allowed);
  if (!isUnresolved(props.location) && !(AZURE_LOCATIONS as readonly string[]).includes(props.location)) {
    invalid(scope, 'location', props.location, 'must be an Azure region name such as francecentral, westeurope or eastus2');
  }
  checkPattern(scope, 'resourceGroupName', props.resourceGroupName, AZURE_NAMES.resourceGroup.re, AZURE_NAMES.resourceGroup.allowed);
  checkPattern(scope, 'nodeResourceGroupName', props.nodeResourceGroupName, AZURE_NAMES.resourceGroup.re, AZURE_NAMES.resourceGroup.allowed);
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

  const netProblem = networkProblems(props.network ?? {}, props.authorizedIpRanges)[0];
  if (netProblem) invalid(scope, ['network', ...netProblem.path].join('.'), netProblem.value, netProblem.allowed);

  const windows = props.maintenanceWindows ?? {};
  checkMaintenanceWindow(scope, 'maintenanceWindows.autoUpgrade', windows.autoUpgrade);
  checkMaintenanceWindow(scope, 'maintenanceWindows.nodeOs', windows.nodeOs);
  const problem = clusterProblems(props)[0];
  if (problem) invalid(scope, problem.path.join('.'), problem.value, problem.allowed);
}

/** A rule between AksCluster props that one prop alone cannot check: where (prop names), the value, what is allowed. */
export interface AksClusterProblem {
  readonly path: readonly string[];
  readonly value: unknown;
  readonly allowed: string;
}

/**
 * The rules between AksCluster props (resource groups, upgrade channels, maintenance windows), every problem. The one
 * home of these rules: AksCluster throws the first, the environment schema reports them all (cluster.* keys).
 */
export function clusterProblems(p: {
  readonly resourceGroupName?: string;
  readonly nodeResourceGroupName?: string;
  readonly automaticUpgradeChannel?: string;
  readonly nodeOsUpgradeChannel?: string;
  readonly maintenanceWindows?: { readonly autoUpgrade?: unknown; readonly nodeOs?: unknown };
}): AksClusterProblem[] {
  const problems: AksClusterProblem[] = [];
  if (p.nodeResourceGroupName !== undefined && p.resourceGroupName !== undefined && p.nodeResourceGroupName.toLowerCase() === p.resourceGroupName.toLowerCase()) {
    problems.push({ path: ['nodeResourceGroupName'], value: p.nodeResourceGroupName, allowed: "must differ from the cluster's resource group (AKS creates and owns the node resource group)" });
  }
  const channel = p.automaticUpgradeChannel ?? 'patch';
  const osChannel = p.nodeOsUpgradeChannel ?? 'NodeImage';
  if (channel === 'node-image' && osChannel !== 'NodeImage') {
    // kubernetes_cluster_resource.go:1848-1851 at v4.55.0
    problems.push({ path: ['nodeOsUpgradeChannel'], value: osChannel, allowed: 'must be NodeImage when automaticUpgradeChannel is node-image' });
  }
  const windows = p.maintenanceWindows ?? {};
  if (windows.autoUpgrade !== undefined && channel === 'none') {
    problems.push({ path: ['maintenanceWindows', 'autoUpgrade'], value: windows.autoUpgrade, allowed: 'has no effect with automaticUpgradeChannel none (set a channel or remove the window)' });
  }
  if (windows.nodeOs !== undefined && (osChannel === 'None' || osChannel === 'Unmanaged')) {
    problems.push({ path: ['maintenanceWindows', 'nodeOs'], value: windows.nodeOs, allowed: `has no effect with nodeOsUpgradeChannel ${osChannel} (AKS schedules only SecurityPatch and NodeImage upgrades)` });
  }
  return problems;
}
