import { Testing, TerraformStack } from 'cdktf';
import { AksCluster, AksClusterProps } from '../constructs/aks-cluster';
import { Group } from '@cdktf/provider-azuread/lib/group';
import { resources, synthJson } from './helpers';

const ADMIN = '11111111-1111-1111-1111-111111111111';

function synthCluster(props: Partial<AksClusterProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AksCluster(stack, 'aks', { name: 'aw-capsule', location: 'francecentral', resourceGroupName: 'aw-capsule', adminGroupObjectIds: [ADMIN], ...props });
  const json = synthJson(stack);
  return { json, cluster: resources(json, 'azurerm_kubernetes_cluster')[0], stack };
}

function build(props: Partial<AksClusterProps>) {
  return () => synthCluster(props);
}

describe('AksCluster defaults', () => {
  const { cluster, json } = synthCluster();
  test('Entra ID integration with Azure RBAC and the admin group', () => {
    expect(cluster.azure_active_directory_role_based_access_control).toMatchObject({ azure_rbac_enabled: true, admin_group_object_ids: [ADMIN] });
    expect(cluster.role_based_access_control_enabled).toBe(true);
  });
  test('local accounts disabled', () => expect(cluster.local_account_disabled).toBe(true));
  test('Azure CNI with Calico', () => expect(cluster.network_profile).toMatchObject({ network_plugin: 'azure', network_policy: 'calico' }));
  test('OIDC issuer and workload identity on', () => {
    expect(cluster.oidc_issuer_enabled).toBe(true);
    expect(cluster.workload_identity_enabled).toBe(true);
  });
  test('system-assigned identity', () => expect(cluster.identity).toEqual({ type: 'SystemAssigned' }));
  test('default node pool and rotation name', () =>
    expect(cluster.default_node_pool).toMatchObject({ name: 'system', vm_size: 'Standard_D2s_v5', node_count: 2, temporary_name_for_rotation: 'systemtmp' }));
  test('node resource group defaults to <rg>-nodes', () => expect(cluster.node_resource_group).toBe('aw-capsule-nodes'));
  test('dns prefix defaults to the cluster name', () => expect(cluster.dns_prefix).toBe('aw-capsule'));
  test('creates the resource group', () => expect(resources(json, 'azurerm_resource_group')[0]).toMatchObject({ name: 'aw-capsule', location: 'francecentral' }));
  test('no authorized IP ranges and no lifecycle by default', () => {
    expect(cluster.api_server_access_profile).toBeUndefined();
    expect(cluster.lifecycle).toBeUndefined();
  });
  test('tenant_id is always set: from azurerm_client_config when not given (issue 12 item 7)', () => {
    expect(cluster.azure_active_directory_role_based_access_control.tenant_id).toMatch(/^\$\{data\.azurerm_client_config\.[^}]+\.tenant_id\}$/);
    expect(Object.keys(json.data.azurerm_client_config)).toHaveLength(1);
  });
  test('upgrade_settings of the default pool set explicitly, max_surge 10% (issue 12 item 8, azurerm#24020)', () =>
    expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: '10%' }));
  test('node OS upgrades NodeImage, no maintenance windows by default', () => {
    expect(cluster.node_os_upgrade_channel).toBe('NodeImage');
    expect(cluster.maintenance_window_auto_upgrade).toBeUndefined();
    expect(cluster.maintenance_window_node_os).toBeUndefined();
  });
  test('patch upgrade channel and Free tier', () => {
    expect(cluster.automatic_upgrade_channel).toBe('patch');
    expect(cluster.sku_tier).toBe('Free');
  });
});

describe('AksCluster options', () => {
  test('autoscaling replaces node_count', () => {
    const { cluster } = synthCluster({ nodePool: { autoscaling: { minCount: 2, maxCount: 5 } } });
    expect(cluster.default_node_pool).toMatchObject({ auto_scaling_enabled: true, min_count: 2, max_count: 5 });
    expect(cluster.default_node_pool.node_count).toBeUndefined();
  });
  test('authorized IP ranges', () => {
    const { cluster } = synthCluster({ authorizedIpRanges: ['203.0.113.0/24'] });
    expect(cluster.api_server_access_profile).toEqual({ authorized_ip_ranges: ['203.0.113.0/24'] });
  });
  test('local accounts opt-in', () => expect(synthCluster({ localAccountsEnabled: true }).cluster.local_account_disabled).toBe(false));
  test('preventDestroy sets lifecycle on cluster and resource group', () => {
    const { cluster, json } = synthCluster({ preventDestroy: true });
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    expect(resources(json, 'azurerm_resource_group')[0].lifecycle).toEqual({ prevent_destroy: true });
  });
  test('existing resource group is not created', () => {
    const { json, cluster } = synthCluster({ createResourceGroup: false });
    expect(resources(json, 'azurerm_resource_group')).toHaveLength(0);
    expect(cluster.resource_group_name).toBe('aw-capsule');
  });
  test('a given tenant ID is used as is, without a client config data source', () => {
    const tenant = '22222222-2222-2222-2222-222222222222';
    const { cluster, json } = synthCluster({ tenantId: tenant });
    expect(cluster.azure_active_directory_role_based_access_control.tenant_id).toBe(tenant);
    expect(json.data?.azurerm_client_config).toBeUndefined();
  });
  test('weekly maintenance windows for both channels, with defaults (4 h, +00:00, every week)', () => {
    const { cluster } = synthCluster({
      nodeOsUpgradeChannel: 'SecurityPatch',
      maintenanceWindows: { autoUpgrade: { dayOfWeek: 'Sunday', startTime: '02:00' }, nodeOs: { dayOfWeek: 'Wednesday', startTime: '23:30', durationHours: 6, utcOffset: '+05:30', intervalWeeks: 2 } },
    });
    expect(cluster.node_os_upgrade_channel).toBe('SecurityPatch');
    expect(cluster.maintenance_window_auto_upgrade).toEqual({ frequency: 'Weekly', interval: 1, day_of_week: 'Sunday', start_time: '02:00', duration: 4, utc_offset: '+00:00' });
    expect(cluster.maintenance_window_node_os).toEqual({ frequency: 'Weekly', interval: 2, day_of_week: 'Wednesday', start_time: '23:30', duration: 6, utc_offset: '+05:30' });
  });
  test("automaticUpgradeChannel 'none' leaves the attribute out (azurerm 4.55 accepts no 'none')", () =>
    expect(synthCluster({ automaticUpgradeChannel: 'none' }).cluster.automatic_upgrade_channel).toBeUndefined());
  test('upgrade settings are configurable', () => {
    const { cluster } = synthCluster({ nodePool: { upgradeSettings: { maxSurge: '33%', drainTimeoutInMinutes: 45, nodeSoakDurationInMinutes: 5 } } });
    expect(cluster.default_node_pool.upgrade_settings).toEqual({ max_surge: '33%', drain_timeout_in_minutes: 45, node_soak_duration_in_minutes: 5 });
  });
  test('kubernetes version and tier', () => {
    const { cluster } = synthCluster({ kubernetesVersion: '1.33', skuTier: 'Standard' });
    expect(cluster).toMatchObject({ kubernetes_version: '1.33', sku_tier: 'Standard' });
  });
});

describe('AksCluster validation', () => {
  test.each<[string, Partial<AksClusterProps>, RegExp]>([
    ['cluster name', { name: 'bad name' }, /test\/aks: name "bad name" is invalid/],
    ['location', { location: 'mars' }, /location "mars" is invalid: must be an Azure region/],
    ['resource group name', { resourceGroupName: 'rg.' }, /resourceGroupName "rg\." is invalid/],
    ['node resource group equal to resource group', { nodeResourceGroupName: 'AW-capsule' }, /nodeResourceGroupName "AW-capsule" is invalid: must differ from the cluster's resource group \(AKS creates/],
    ['dns prefix', { dnsPrefix: '-x' }, /dnsPrefix "-x" is invalid/],
    ['tenant id', { tenantId: 'nope' }, /tenantId "nope" is invalid: must be a GUID/],
    ['empty admin groups', { adminGroupObjectIds: [] }, /adminGroupObjectIds \[\] is invalid/],
    ['admin group id', { adminGroupObjectIds: ['x'] }, /adminGroupObjectIds\[0\] "x" is invalid: must be a GUID/],
    ['kubernetes version', { kubernetesVersion: 'latest' }, /kubernetesVersion "latest" is invalid/],
    ['authorized CIDR', { authorizedIpRanges: ['10.0.0.0/33'] }, /authorizedIpRanges\[0\] "10.0.0.0\/33" is invalid: must be an IPv4 or IPv6 CIDR/],
    ['node pool name', { nodePool: { name: 'System_Pool' } }, /nodePool.name "System_Pool" is invalid/],
    ['rotation name equals pool name', { nodePool: { temporaryNameForRotation: 'system' } }, /temporaryNameForRotation "system" is invalid: must differ/],
    ['count with autoscaling', { nodePool: { nodeCount: 2, autoscaling: { minCount: 1, maxCount: 2 } } }, /nodePool.nodeCount 2 is invalid: must not be set together/],
    ['node count', { nodePool: { nodeCount: 0 } }, /nodePool.nodeCount 0 is invalid: must be a whole number from 1 to 1000/],
    ['autoscaling bounds', { nodePool: { autoscaling: { minCount: 3, maxCount: 2 } } }, /autoscaling.maxCount 2 is invalid: must be at least minCount \(3\)/],
    ['os disk', { nodePool: { osDiskSizeGb: 10 } }, /osDiskSizeGb 10 is invalid/],
    ['max surge', { nodePool: { upgradeSettings: { maxSurge: '0%' } } }, /nodePool.upgradeSettings.maxSurge "0%" is invalid: must be a node count/],
    ['window day', { maintenanceWindows: { autoUpgrade: { dayOfWeek: 'Sun' as never, startTime: '02:00' } } }, /maintenanceWindows.autoUpgrade.dayOfWeek "Sun" is invalid: must be one of Monday/],
    ['window start time', { maintenanceWindows: { nodeOs: { dayOfWeek: 'Sunday', startTime: '24:00' } } }, /maintenanceWindows.nodeOs.startTime "24:00" is invalid: must be a time of day HH:MM/],
    ['window duration', { maintenanceWindows: { nodeOs: { dayOfWeek: 'Sunday', startTime: '02:00', durationHours: 2 } } }, /durationHours 2 is invalid: must be a whole number from 4 to 24/],
    ['window UTC offset', { maintenanceWindows: { nodeOs: { dayOfWeek: 'Sunday', startTime: '02:00', utcOffset: '+1' } } }, /utcOffset "\+1" is invalid: must be a UTC offset/],
    ['window interval', { maintenanceWindows: { nodeOs: { dayOfWeek: 'Sunday', startTime: '02:00', intervalWeeks: 5 } } }, /intervalWeeks 5 is invalid: must be a whole number from 1 to 4/],
    ['auto-upgrade window without a channel', { automaticUpgradeChannel: 'none', maintenanceWindows: { autoUpgrade: { dayOfWeek: 'Sunday', startTime: '02:00' } } }, /maintenanceWindows.autoUpgrade .* is invalid: has no effect with automaticUpgradeChannel none/],
    ['node OS window with Unmanaged', { nodeOsUpgradeChannel: 'Unmanaged', maintenanceWindows: { nodeOs: { dayOfWeek: 'Sunday', startTime: '02:00' } } }, /maintenanceWindows.nodeOs .* is invalid: has no effect with nodeOsUpgradeChannel Unmanaged/],
    ['node-image channel without NodeImage', { automaticUpgradeChannel: 'node-image', nodeOsUpgradeChannel: 'SecurityPatch' }, /nodeOsUpgradeChannel "SecurityPatch" is invalid: must be NodeImage when automaticUpgradeChannel is node-image/],
    ['node soak', { nodePool: { upgradeSettings: { nodeSoakDurationInMinutes: 31 } } }, /nodeSoakDurationInMinutes 31 is invalid: must be a whole number from 0 to 30/],
  ])('rejects invalid %s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('accepts IPv6 ranges', () => expect(build({ authorizedIpRanges: ['2001:db8::/32'] })).not.toThrow());
});

describe('AksCluster annotations', () => {
  test('warns at synth (CAKS010) when the API server is open to any address, with a fix in props terms', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const aks = new AksCluster(stack, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN] });
    Testing.synth(stack);
    expect(aks.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data))).toEqual([
      expect.stringMatching(/^\[CAKS010\] the AKS API server is reachable from any address \(no authorizedIpRanges\).*Fix: set authorizedIpRanges \(or network\.privateCluster: true\)$/),
    ]);
  });
  test('no warning with authorized ranges', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const aks = new AksCluster(stack, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN], authorizedIpRanges: ['203.0.113.0/24'] });
    Testing.synth(stack);
    expect(aks.node.metadata.filter((m) => m.type === '@cdktf/warn')).toHaveLength(0);
  });
});

describe('AksCluster.grantAccess', () => {
  const GROUP = '33333333-3333-3333-3333-333333333333';
  function granted(build: (aks: AksCluster, stack: TerraformStack) => void) {
    const stack = new TerraformStack(Testing.app(), 'test');
    const aks = new AksCluster(stack, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN] });
    build(aks, stack);
    const json = synthJson(stack);
    const clusterKey = Object.keys(json.resource.azurerm_kubernetes_cluster)[0];
    return { json, clusterId: `\${azurerm_kubernetes_cluster.${clusterKey}.id}` };
  }

  test('roles on the cluster (by reference) for an object ID; no wait for Azure control-plane roles', () => {
    let access: ReturnType<AksCluster['grantAccess']> | undefined;
    const { json, clusterId } = granted((aks) => (access = aks.grantAccess('team-a', GROUP, ['Reader', 'Azure Kubernetes Service Cluster User Role'])));
    const assignments = resources(json, 'azurerm_role_assignment');
    expect(assignments.map((a) => [a.scope, a.role_definition_name, a.principal_id, a.principal_type]).sort((x, y) => String(y[1]).localeCompare(String(x[1])))).toEqual([
      [clusterId, 'Reader', GROUP, undefined],
      [clusterId, 'Azure Kubernetes Service Cluster User Role', GROUP, undefined],
    ]);
    expect(resources(json, 'time_sleep')).toEqual([]);
    expect(access!.node.path).toBe('test/aks/team-a');
  });

  test('a Kubernetes data-plane role (Azure Kubernetes Service RBAC …) is followed by the 300 s propagation wait', () => {
    const { json } = granted((aks) => aks.grantAccess('deployer', GROUP, ['Azure Kubernetes Service RBAC Cluster Admin']));
    expect(resources(json, 'time_sleep').map((x) => x.create_duration)).toEqual(['300s']);
  });

  test('propagationWaitSeconds overrides the wait', () => {
    const { json } = granted((aks) => aks.grantAccess('deployer', GROUP, ['Azure Kubernetes Service RBAC Cluster Admin'], { propagationWaitSeconds: 0 }));
    expect(resources(json, 'time_sleep')).toEqual([]);
  });

  test('an azuread Group construct by reference: its object ID, principal type Group', () => {
    const { json } = granted((aks, stack) => {
      const team = new Group(stack, 'team', { displayName: 'team-a', securityEnabled: true });
      aks.grantAccess('team-a', team, ['Reader']);
    });
    const [a] = resources(json, 'azurerm_role_assignment');
    expect(a.principal_id).toMatch(/^\$\{azuread_group\.team\.object_id\}$/);
    expect(a.principal_type).toBe('Group');
  });

  test('{ objectId, type } keeps the type', () => {
    const { json } = granted((aks) => aks.grantAccess('ci', { objectId: GROUP, type: 'ServicePrincipal' }, ['Reader']));
    expect(resources(json, 'azurerm_role_assignment')[0].principal_type).toBe('ServicePrincipal');
  });

  test('rejects a principal type outside Group, User, ServicePrincipal', () => {
    expect(() => granted((aks) => aks.grantAccess('ci', { objectId: GROUP, type: 'Robot' as never }, ['Reader']))).toThrow(
      /test\/aks: grantAccess\("ci"\)\.principal\.type "Robot" is invalid: must be Group, User or ServicePrincipal/,
    );
  });

  test('rejects a principal without an object ID', () => {
    expect(() => granted((aks) => aks.grantAccess('ci', undefined as never, ['Reader']))).toThrow(/test\/aks: grantAccess\("ci"\)\.principal \(missing\) is invalid/);
  });

  test('the object ID must be a GUID and roles must not be empty (AksAccess rules)', () => {
    expect(() => granted((aks) => aks.grantAccess('ci', 'team-a', ['Reader']))).toThrow(/test\/aks\/ci: principals\.principal\.objectId "team-a" is invalid: must be a GUID/);
    expect(() => granted((aks) => aks.grantAccess('ci', GROUP, []))).toThrow(/test\/aks\/ci: roles \[\] is invalid/);
  });
});
