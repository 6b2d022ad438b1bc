import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-checks';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import {
  AZURE_LOCATIONS,
  AZURE_NAMES,
  checkCidrs,
  checkGuid,
  checkIntRange,
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

/** Node pool autoscaling bounds. */
export interface AksAutoscaling {
  /** Minimum node count (1-1000). */
  readonly minCount: number;
  /** Maximum node count (1-1000, at least `minCount`). */
  readonly maxCount: number;
}

/** The default (system) node pool. */
export interface AksNodePoolProps {
  /**
   * Node pool name: 1-12 lowercase letters and digits.
   * @default 'system'
   */
  readonly name?: string;
  /**
   * VM size of the nodes.
   * @default 'Standard_D2s_v5'
   */
  readonly vmSize?: string;
  /**
   * Fixed node count, when `autoscaling` is not set.
   * @default 2
   */
  readonly nodeCount?: number;
  /**
   * Autoscaling bounds; when set, `nodeCount` must not be.
   * @default - no autoscaling
   */
  readonly autoscaling?: AksAutoscaling;
  /**
   * Availability zones.
   * @default - no zones
   */
  readonly zones?: readonly string[];
  /**
   * Temporary name used by azurerm when a change rotates the node pool (1-12 lowercase letters and digits).
   * @default - `${name}tmp`, cut to 12 characters
   */
  readonly temporaryNameForRotation?: string;
  /**
   * OS disk size in GB.
   * @default - the VM size's default
   */
  readonly osDiskSizeGb?: number;
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
   * Entra ID tenant of the cluster's identity integration.
   * @default - the tenant of the deploying identity
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
  /** Whether local accounts (admin kubeconfig) exist. */
  public readonly localAccountsEnabled: boolean;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    validate(this, props);

    const pool = props.nodePool ?? {};
    const poolName = pool.name ?? 'system';
    const autoscaling = pool.autoscaling;
    this.localAccountsEnabled = props.localAccountsEnabled ?? false;
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
        tenantId: props.tenantId,
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
        temporaryNameForRotation: pool.temporaryNameForRotation ?? `${poolName}tmp`.slice(0, 12),
        onlyCriticalAddonsEnabled: false,
      },
      tags,
      lifecycle,
    }));
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
  checkPattern(scope, 'nodePool.temporaryNameForRotation', pool.temporaryNameForRotation, AZURE_NAMES.linuxNodePool.re, AZURE_NAMES.linuxNodePool.allowed);
  if (pool.temporaryNameForRotation !== undefined && pool.temporaryNameForRotation === (pool.name ?? 'system')) {
    invalid(scope, 'nodePool.temporaryNameForRotation', pool.temporaryNameForRotation, 'must differ from nodePool.name');
  }
  if (pool.autoscaling && pool.nodeCount !== undefined) {
    invalid(scope, 'nodePool.nodeCount', pool.nodeCount, 'must not be set together with nodePool.autoscaling (set minCount and maxCount instead)');
  }
  checkIntRange(scope, 'nodePool.nodeCount', pool.nodeCount, 1, 1000);
  if (pool.autoscaling) {
    checkIntRange(scope, 'nodePool.autoscaling.minCount', pool.autoscaling.minCount, 1, 1000);
    checkIntRange(scope, 'nodePool.autoscaling.maxCount', pool.autoscaling.maxCount, 1, 1000);
    if (pool.autoscaling.maxCount < pool.autoscaling.minCount) {
      invalid(scope, 'nodePool.autoscaling.maxCount', pool.autoscaling.maxCount, `must be at least minCount (${pool.autoscaling.minCount})`);
    }
  }
  checkIntRange(scope, 'nodePool.osDiskSizeGb', pool.osDiskSizeGb, 30, 2048);
}
