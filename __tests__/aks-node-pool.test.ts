import { Testing, TerraformStack } from 'cdktf';
import { AksCluster, AksClusterProps } from '../constructs/aks-cluster';
import { AksUserNodePool } from '../constructs/aks-node-pool';
import { ClusterStack } from '../stacks/cluster-stack';
import { baseEnv, envFrom, Json, resources, synthJson } from './helpers';

const ADMIN = '11111111-1111-1111-1111-111111111111';

function synth(props: Partial<AksClusterProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const aks = new AksCluster(stack, 'aks', { name: 'aw-capsule', location: 'francecentral', resourceGroupName: 'aw-capsule', adminGroupObjectIds: [ADMIN], ...props });
  const json = synthJson(stack);
  return { json, aks, cluster: resources(json, 'azurerm_kubernetes_cluster')[0], pools: json.resource?.azurerm_kubernetes_cluster_node_pool ?? {} };
}

describe('AksUserNodePool', () => {
  const { pools, json } = synth({ nodePools: { apps: {} } });
  const pool = Object.values(pools)[0] as Json;

  test('a user pool is its own resource on the cluster, construct ID from its name', () => {
    expect(Object.keys(pools)).toEqual([expect.stringMatching(/^aks_pool-apps_pool_/)]);
    expect(pool.kubernetes_cluster_id).toMatch(/^\$\{azurerm_kubernetes_cluster\.[^}]+\.id\}$/);
  });
  test('defaults: User mode, Linux, 2 x Standard_D2s_v5, rotation name, max_surge 10%', () =>
    expect(pool).toEqual({
      name: 'apps',
      kubernetes_cluster_id: expect.any(String),
      mode: 'User',
      os_type: 'Linux',
      vm_size: 'Standard_D2s_v5',
      node_count: 2,
      temporary_name_for_rotation: 'appstmp',
      upgrade_settings: { max_surge: '10%' },
    }));
  test('a 12-character pool name gets a rotation name that differs from it (default and user pools)', () => {
    const { pools, cluster } = synth({ nodePool: { name: 'systemnodes1' }, nodePools: { applications: {} } });
    expect((Object.values(pools)[0] as Json).temporary_name_for_rotation).toBe('applicatitmp');
    expect(cluster.default_node_pool.temporary_name_for_rotation).toBe('systemnodtmp');
  });
  test('no user pool by default', () => expect(synth().json.resource.azurerm_kubernetes_cluster_node_pool).toBeUndefined());
  test('the default pool stays the same when pools are added (only one cluster resource)', () =>
    expect(resources(json, 'azurerm_kubernetes_cluster')).toHaveLength(1));

  test('every option is written: autoscaling, zones, labels, taints, max pods, OS SKU, mode, disk', () => {
    const { pools } = synth({
      nodePools: {
        batch: {
          vmSize: 'Standard_D8s_v5',
          autoscaling: { minCount: 1, maxCount: 5 },
          zones: ['1', '2'],
          labels: { workload: 'batch' },
          taints: [{ key: 'workload', value: 'batch', effect: 'NoSchedule' }],
          maxPods: 110,
          osSku: 'AzureLinux',
          mode: 'System',
          osDiskSizeGb: 128,
          upgradeSettings: { maxSurge: '33%', drainTimeoutInMinutes: 30 },
        },
      },
    });
    expect(Object.values(pools)[0]).toMatchObject({
      vm_size: 'Standard_D8s_v5',
      auto_scaling_enabled: true,
      min_count: 1,
      max_count: 5,
      zones: ['1', '2'],
      node_labels: { workload: 'batch' },
      node_taints: ['workload=batch:NoSchedule'],
      max_pods: 110,
      os_sku: 'AzureLinux',
      mode: 'System',
      os_disk_size_gb: 128,
      upgrade_settings: { max_surge: '33%', drain_timeout_in_minutes: 30 },
    });
    expect((Object.values(pools)[0] as Json).node_count).toBeUndefined();
  });

  test('a dedicated pool gets the label and NoSchedule taint capsule-aks.io/pool=<name>', () => {
    const { pools, aks } = synth({ nodePools: { tenants: { dedicated: true } } });
    expect(Object.values(pools)[0]).toMatchObject({ node_labels: { 'capsule-aks.io/pool': 'tenants' }, node_taints: ['capsule-aks.io/pool=tenants:NoSchedule'] });
    expect(aks.nodePools.tenants.nodeLabels).toMatchObject({ 'capsule-aks.io/pool': 'tenants', agentpool: 'tenants' });
  });

  test('addNodePool adds a pool after construction', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const aks = new AksCluster(stack, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN] });
    expect(aks.addNodePool('extra', { nodeCount: 3 })).toBeInstanceOf(AksUserNodePool);
    expect(resources(synthJson(stack), 'azurerm_kubernetes_cluster_node_pool')[0]).toMatchObject({ name: 'extra', node_count: 3 });
  });
});

describe('AksUserNodePool validation', () => {
  test.each<[string, Partial<AksClusterProps>, RegExp]>([
    ['a pool name AKS refuses', { nodePools: { Apps_1: {} } }, /test\/aks\/pool-Apps_1: name "Apps_1" is invalid: 1-12 lowercase letters and digits, starting with a letter/],
    ['a pool name longer than 12', { nodePools: { abcdefghijklm: {} } }, /name "abcdefghijklm" is invalid/],
    ['a pool named like the default pool', { nodePools: { system: {} } }, /nodePools.system.name "system" is invalid: must differ from the name of the default node pool/],
    ['autoscaling bounds out of order', { nodePools: { apps: { autoscaling: { minCount: 4, maxCount: 2 } } } }, /pool-apps: autoscaling.maxCount 2 is invalid: must be at least minCount \(4\)/],
    ['a label key Kubernetes refuses', { nodePools: { apps: { labels: { 'bad key': 'x' } } } }, /labels key "bad key" is invalid: must be a Kubernetes label key/],
    ['a label value Kubernetes refuses', { nodePools: { apps: { labels: { team: 'a b' } } } }, /labels.team "a b" is invalid: must be a Kubernetes label value/],
    ['an AKS-reserved label prefix', { nodePools: { apps: { labels: { 'kubernetes.azure.com/mode': 'x' } } } }, /must not use the prefixes kubernetes.azure.com\//],
    ['a taint effect Kubernetes refuses', { nodePools: { apps: { taints: [{ key: 'a', effect: 'Never' as never }] } } }, /taints\[0\].effect "Never" is invalid: must be one of NoSchedule, PreferNoSchedule, NoExecute/],
    ['max pods out of range', { nodePools: { apps: { maxPods: 500 } } }, /maxPods 500 is invalid: must be a whole number from 10 to 250/],
    ['default pool label', { nodePool: { labels: { 'x/': 'y' } } }, /nodePool.labels key "x\/" is invalid/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('user pools never replace the cluster', () => {
  function clusterStack(mutate: (e: Json) => void) {
    const data: Json = baseEnv();
    mutate(data);
    const app = Testing.app();
    return synthJson(new ClusterStack(app, 'poc-cluster', { env: envFrom(data, 'poc') }));
  }
  const before = clusterStack((e) => (e.cluster.nodePools = { apps: { nodeCount: 2 } }));
  const cases: [string, (e: Json) => void][] = [
    ['adding a pool', (e) => (e.cluster.nodePools = { apps: { nodeCount: 2 }, batch: { vmSize: 'Standard_D8s_v5' } })],
    ['resizing a pool', (e) => (e.cluster.nodePools = { apps: { nodeCount: 5, vmSize: 'Standard_D4s_v5' } })],
    ['removing a pool', (e) => delete e.cluster.nodePools],
  ];
  test.each(cases)('%s leaves the cluster resource and its address unchanged', (_name, mutate) => {
    const after = clusterStack(mutate);
    expect(after.resource.azurerm_kubernetes_cluster).toEqual(before.resource.azurerm_kubernetes_cluster);
  });
  test('an unchanged pool keeps its address and content when another is added', () => {
    const after = clusterStack(cases[0][1]);
    const key = Object.keys(before.resource.azurerm_kubernetes_cluster_node_pool)[0];
    expect(after.resource.azurerm_kubernetes_cluster_node_pool[key]).toEqual(before.resource.azurerm_kubernetes_cluster_node_pool[key]);
  });
});
