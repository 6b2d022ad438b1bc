import { Construct } from 'constructs';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import {
  AZURE_NAMES,
  checkIntRange,
  checkNodeLabels,
  checkPattern,
  invalid,
  isLabelKey,
  isUnresolved,
  LABEL_KEY_ALLOWED,
  LABEL_VALUE_ALLOWED,
  LABEL_VALUE_RE,
  MAX_SURGE,
  RESERVED_NODE_LABEL_RE,
  TAINT_EFFECTS,
} from './validation';
import { terraformLiterals } from './terraform-literal';

/** Node pool autoscaling bounds. */
export interface AksAutoscaling {
  /** Minimum node count (1-1000). */
  readonly minCount: number;
  /** Maximum node count (1-1000, at least `minCount`). */
  readonly maxCount: number;
}

/**
 * How AKS upgrades the nodes of a pool (azurerm `upgrade_settings`). Set explicitly because azurerm 4.x reads back
 * the `max_surge` AKS chooses when it is left out and shows a diff on every plan
 * (hashicorp/terraform-provider-azurerm#24020).
 */
export interface AksUpgradeSettings {
  /**
   * Extra nodes added during an upgrade: a whole number (`1`) or a percentage of the pool (`33%`).
   * @default '10%'
   */
  readonly maxSurge?: string;
  /**
   * Minutes to wait for the eviction of a node's pods (PodDisruptionBudgets) before the upgrade fails (1-1440).
   * @default - AKS default (30)
   */
  readonly drainTimeoutInMinutes?: number;
  /**
   * Minutes to wait after draining a node before the next one (0-30).
   * @default - AKS default (0)
   */
  readonly nodeSoakDurationInMinutes?: number;
}

/** Default `max_surge` of node upgrades (issue 12 item 8; AKS recommends 33% for production pools). */
export const DEFAULT_MAX_SURGE = '10%';

/** Linux OS image of the nodes. */
export type AksOsSku = 'Ubuntu' | 'AzureLinux';
/** Taint effect. */
export type AksTaintEffect = (typeof TAINT_EFFECTS)[number];

/** A node taint. */
export interface AksTaint {
  /** Taint key (a Kubernetes label key). */
  readonly key: string;
  /**
   * Taint value (a Kubernetes label value).
   * @default ''
   */
  readonly value?: string;
  /** NoSchedule, PreferNoSchedule or NoExecute. */
  readonly effect: AksTaintEffect;
}

/** Size and shape of a node pool, shared by the default (system) pool and user pools. */
export interface AksPoolShape {
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
   * Temporary name azurerm uses when a change rotates the pool (1-12 lowercase letters and digits).
   * @default - {@link defaultRotationName}: the first 9 characters of the name, then `tmp`
   */
  readonly temporaryNameForRotation?: string;
  /**
   * OS disk size in GB (30-2048).
   * @default - the VM size's default
   */
  readonly osDiskSizeGb?: number;
  /**
   * Maximum pods per node (10-250).
   * @default - the AKS default of the network plugin
   */
  readonly maxPods?: number;
  /**
   * Linux OS image.
   * @default - AKS default (Ubuntu)
   */
  readonly osSku?: AksOsSku;
  /**
   * Node labels (Kubernetes syntax; not the AKS-reserved prefixes kubernetes.azure.com/, kubernetes.io/, k8s.io/).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Node upgrade settings.
   * @default { maxSurge: '10%' }
   */
  readonly upgradeSettings?: AksUpgradeSettings;
}

/** A user (or extra system) node pool: a separate `azurerm_kubernetes_cluster_node_pool`. */
export interface AksUserNodePoolOptions extends AksPoolShape {
  /**
   * `User` runs workloads; `System` can also run the system add-ons.
   * @default 'User'
   */
  readonly mode?: 'User' | 'System';
  /**
   * Node taints.
   * @default []
   */
  readonly taints?: readonly AksTaint[];
  /**
   * Dedicate the pool to tenants: adds the label `capsule-aks.io/pool: <name>` and the taint
   * `capsule-aks.io/pool=<name>:NoSchedule`, so only pods that select and tolerate it run there.
   * @default false
   */
  readonly dedicated?: boolean;
  /**
   * Subnet of the nodes (a subnet resource ID).
   * @default - the cluster's node subnet, if it has one
   */
  readonly subnetId?: string;
  /**
   * Tags of the node pool.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface AksUserNodePoolProps extends AksUserNodePoolOptions {
  /** Pool name: 1-12 lowercase letters and digits, starting with a letter (ForceNew). */
  readonly name: string;
  /** Resource ID of the AKS cluster. */
  readonly clusterId: string;
}

/** Label and taint key of dedicated pools. */
export const DEDICATED_POOL_LABEL = 'capsule-aks.io/pool';

/** The Kubernetes labels of a pool's nodes as far as known at synth: its own, dedication, and the AKS pool labels. */
export function poolNodeLabels(name: string, options: Pick<AksUserNodePoolOptions, 'labels' | 'dedicated'>): Record<string, string> {
  return {
    ...(options.labels ?? {}),
    ...(options.dedicated ? { [DEDICATED_POOL_LABEL]: name } : {}),
    agentpool: name,
    'kubernetes.azure.com/agentpool': name,
  };
}

/**
 * A node pool of an AKS cluster (`azurerm_kubernetes_cluster_node_pool`). A separate resource keyed by its name:
 * adding, resizing or removing one never changes the cluster resource. `name`, `kubernetes_cluster_id` and
 * `os_type` are ForceNew; `vm_size`, `zones`, `max_pods`, `os_disk_size_gb` and `vnet_subnet_id` rotate the pool
 * through `temporary_name_for_rotation` (kubernetes_cluster_node_pool_resource.go:123-135, 315 and 960-975 at v4.55.0).
 */
export class AksUserNodePool extends Construct {
  /** The azurerm node pool resource. */
  public readonly pool: KubernetesClusterNodePool;
  /** Pool name. */
  public readonly name: string;
  /** Temporary name used when a change rotates the pool. */
  public readonly rotationName: string;
  /** Labels of the pool's nodes known at synth (see {@link poolNodeLabels}). */
  public readonly nodeLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AksUserNodePoolProps) {
    super(scope, id);
    checkPattern(this, 'name', props.name, AZURE_NAMES.linuxNodePool.re, AZURE_NAMES.linuxNodePool.allowed);
    checkPoolShape(this, '', props.name, props);
    (props.taints ?? []).forEach((t, i) => checkTaint(this, `taints[${i}]`, t));
    this.name = props.name;
    this.rotationName = props.temporaryNameForRotation ?? defaultRotationName(props.name);
    this.nodeLabels = poolNodeLabels(props.name, props);
    const labels = { ...(props.labels ?? {}), ...(props.dedicated ? { [DEDICATED_POOL_LABEL]: props.name } : {}) };
    const taints = [
      ...(props.taints ?? []).map(taintString),
      ...(props.dedicated ? [taintString({ key: DEDICATED_POOL_LABEL, value: props.name, effect: 'NoSchedule' })] : []),
    ];
    this.pool = new KubernetesClusterNodePool(this, 'pool', terraformLiterals(this, 'pool', {
      name: props.name,
      kubernetesClusterId: props.clusterId,
      mode: props.mode ?? 'User',
      osType: 'Linux',
      ...poolSizing(props),
      nodeLabels: Object.keys(labels).length ? labels : undefined,
      nodeTaints: taints.length ? taints : undefined,
      vnetSubnetId: props.subnetId,
      temporaryNameForRotation: this.rotationName,
      upgradeSettings: upgradeSettings(props.upgradeSettings),
      tags: props.tags ? { ...props.tags } : undefined,
    }));
  }
}

/**
 * The temporary pool name AKS uses while it rotates a pool (a change of VM size, zones, …): the first 9 characters
 * of the pool name, then `tmp`, so that it always differs from the name itself (a 12-character name cut after
 * `tmp` would be the name again, and the rotation would fail at apply).
 */
export function defaultRotationName(poolName: string): string {
  return `${poolName.slice(0, 9)}tmp`;
}

/** The azurerm size attributes of a pool (the same on the default pool and on node pool resources). */
export function poolSizing(pool: AksPoolShape) {
  const autoscaling = pool.autoscaling;
  return {
    vmSize: pool.vmSize ?? 'Standard_D2s_v5',
    nodeCount: autoscaling ? undefined : (pool.nodeCount ?? 2),
    autoScalingEnabled: autoscaling ? true : undefined,
    minCount: autoscaling?.minCount,
    maxCount: autoscaling?.maxCount,
    zones: pool.zones ? [...pool.zones] : undefined,
    osDiskSizeGb: pool.osDiskSizeGb,
    maxPods: pool.maxPods,
    osSku: pool.osSku,
  };
}

/** `key=value:Effect`, the azurerm `node_taints` form. */
function taintString(t: AksTaint): string {
  return `${t.key}=${t.value ?? ''}:${t.effect}`;
}

/**
 * azurerm `upgrade_settings` of a pool: `max_surge` (Required on the default pool, ExactlyOneOf with max_unavailable on
 * a node pool), `drain_timeout_in_minutes`, `node_soak_duration_in_minutes` 0-30; none ForceNew
 * (kubernetes_nodepool.go:675-700, kubernetes_cluster_node_pool_resource.go:1260-1295 at v4.55.0).
 */
export function upgradeSettings(u: AksUpgradeSettings | undefined): { maxSurge: string; drainTimeoutInMinutes?: number; nodeSoakDurationInMinutes?: number } {
  return {
    maxSurge: u?.maxSurge ?? DEFAULT_MAX_SURGE,
    drainTimeoutInMinutes: u?.drainTimeoutInMinutes,
    nodeSoakDurationInMinutes: u?.nodeSoakDurationInMinutes,
  };
}

/** Checks the shape of a pool; `prefix` is put before field names (`nodePool.` for the default pool). */
export function checkPoolShape(scope: Construct, prefix: string, name: string, pool: AksPoolShape & { nodeCount?: number }): void {
  checkPattern(scope, `${prefix}temporaryNameForRotation`, pool.temporaryNameForRotation, AZURE_NAMES.linuxNodePool.re, AZURE_NAMES.linuxNodePool.allowed);
  if (pool.temporaryNameForRotation !== undefined && pool.temporaryNameForRotation === name) {
    invalid(scope, `${prefix}temporaryNameForRotation`, pool.temporaryNameForRotation, `must differ from ${prefix ? `${prefix}name` : 'name'}`);
  }
  checkPattern(scope, `${prefix}vmSize`, pool.vmSize, /^Standard_[A-Za-z0-9_]+$/, 'must be an Azure VM size such as Standard_D2s_v5');
  if (pool.autoscaling && pool.nodeCount !== undefined) {
    invalid(scope, `${prefix}nodeCount`, pool.nodeCount, `must not be set together with ${prefix}autoscaling (set minCount and maxCount instead)`);
  }
  checkIntRange(scope, `${prefix}nodeCount`, pool.nodeCount, 1, 1000);
  if (pool.autoscaling) {
    checkIntRange(scope, `${prefix}autoscaling.minCount`, pool.autoscaling.minCount, 1, 1000);
    checkIntRange(scope, `${prefix}autoscaling.maxCount`, pool.autoscaling.maxCount, 1, 1000);
    if (pool.autoscaling.maxCount < pool.autoscaling.minCount) {
      invalid(scope, `${prefix}autoscaling.maxCount`, pool.autoscaling.maxCount, `must be at least minCount (${pool.autoscaling.minCount})`);
    }
  }
  (pool.zones ?? []).forEach((z, i) => {
    if (!['1', '2', '3'].includes(z)) invalid(scope, `${prefix}zones[${i}]`, z, 'must be "1", "2" or "3"');
  });
  checkIntRange(scope, `${prefix}osDiskSizeGb`, pool.osDiskSizeGb, 30, 2048);
  checkIntRange(scope, `${prefix}maxPods`, pool.maxPods, 10, 250);
  checkNodeLabels(scope, `${prefix}labels`, pool.labels);
  const u = pool.upgradeSettings;
  if (u) {
    checkPattern(scope, `${prefix}upgradeSettings.maxSurge`, u.maxSurge, MAX_SURGE.re, MAX_SURGE.allowed);
    checkIntRange(scope, `${prefix}upgradeSettings.drainTimeoutInMinutes`, u.drainTimeoutInMinutes, 1, 1440);
    checkIntRange(scope, `${prefix}upgradeSettings.nodeSoakDurationInMinutes`, u.nodeSoakDurationInMinutes, 0, 30);
  }
}

function checkTaint(scope: Construct, field: string, t: AksTaint): void {
  if (!isLabelKey(t.key)) invalid(scope, `${field}.key`, t.key, LABEL_KEY_ALLOWED);
  if (RESERVED_NODE_LABEL_RE.test(t.key)) invalid(scope, `${field}.key`, t.key, 'must not use the prefixes kubernetes.azure.com/, kubernetes.io/ or k8s.io/ (reserved)');
  if (t.value !== undefined && !isUnresolved(t.value) && !LABEL_VALUE_RE.test(t.value)) invalid(scope, `${field}.value`, t.value, LABEL_VALUE_ALLOWED);
  if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) invalid(scope, `${field}.effect`, t.effect, `must be one of ${TAINT_EFFECTS.join(', ')}`);
}
