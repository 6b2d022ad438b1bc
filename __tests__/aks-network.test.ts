import { Testing, TerraformStack } from 'cdktf';
import { AksCluster, AksClusterProps } from '../constructs/aks-cluster';
import { AksNetworkOptions, AksVirtualNetwork, networkProblems } from '../constructs/aks-network';
import { Json, resources, synthJson } from './helpers';

const ADMIN = '11111111-1111-1111-1111-111111111111';
const SUBNET = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/aks';
const API_SUBNET = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/aks-api';
const VNET = { addressSpace: ['10.20.0.0/16'], nodeSubnet: '10.20.0.0/22' };

function synth(props: Partial<AksClusterProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AksCluster(stack, 'aks', { name: 'aw-capsule', location: 'francecentral', resourceGroupName: 'aw-capsule', adminGroupObjectIds: [ADMIN], ...props });
  const json: Json = synthJson(stack);
  return { json, cluster: resources(json, 'azurerm_kubernetes_cluster')[0] };
}

describe('network placement defaults (the POC)', () => {
  const { json, cluster } = synth();
  test('flat Azure CNI in an AKS-managed VNet: no subnet, no overlay, no VNet, public API server', () => {
    expect(cluster.network_profile).toEqual({ network_plugin: 'azure', network_policy: 'calico', load_balancer_sku: 'standard' });
    expect(cluster.default_node_pool.vnet_subnet_id).toBeUndefined();
    expect(cluster.private_cluster_enabled).toBeUndefined();
    expect(json.resource.azurerm_virtual_network).toBeUndefined();
  });
});

describe('nodes in a created VNet, Azure CNI overlay', () => {
  const { json, cluster } = synth({
    network: { mode: 'overlay', vnet: VNET, podCidr: '192.168.0.0/16', serviceCidr: '10.21.0.0/16', dnsServiceIp: '10.21.0.10' },
    nodePools: { apps: {} },
  });
  test('a VNet <cluster>-vnet with the address space, in the cluster resource group, and a node subnet', () => {
    expect(resources(json, 'azurerm_virtual_network')[0]).toMatchObject({ name: 'aw-capsule-vnet', address_space: ['10.20.0.0/16'], resource_group_name: expect.stringMatching(/azurerm_resource_group\./) });
    expect(resources(json, 'azurerm_subnet')).toEqual([expect.objectContaining({ name: 'nodes', address_prefixes: ['10.20.0.0/22'], virtual_network_name: expect.stringMatching(/azurerm_virtual_network\./) })]);
  });
  test('the default pool and the user pools in the node subnet', () => {
    expect(cluster.default_node_pool.vnet_subnet_id).toMatch(/^\$\{azurerm_subnet\.[^}]+\.id\}$/);
    expect(resources(json, 'azurerm_kubernetes_cluster_node_pool')[0].vnet_subnet_id).toBe(cluster.default_node_pool.vnet_subnet_id);
  });
  test('overlay with Calico, pod and service ranges', () =>
    expect(cluster.network_profile).toEqual({ network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'calico', pod_cidr: '192.168.0.0/16', service_cidr: '10.21.0.0/16', dns_service_ip: '10.21.0.10', load_balancer_sku: 'standard' }));
  test('the cluster identity is Network Contributor on the VNet', () =>
    expect(resources(json, 'azurerm_role_assignment')).toEqual([
      expect.objectContaining({ role_definition_name: 'Network Contributor', scope: expect.stringMatching(/azurerm_virtual_network\..*\.id/), principal_id: expect.stringMatching(/azurerm_kubernetes_cluster\..*identity\[0\]\.principal_id/) }),
    ]));
});

describe('existing subnets, flat Azure CNI, API server VNet integration, private cluster', () => {
  test('an existing node subnet by ID', () => {
    const { cluster, json } = synth({ network: { nodeSubnetId: SUBNET } });
    expect(cluster.default_node_pool.vnet_subnet_id).toBe(SUBNET);
    expect(cluster.network_profile.network_plugin_mode).toBeUndefined();
    expect(resources(json, 'azurerm_role_assignment')[0]).toMatchObject({ scope: SUBNET, role_definition_name: 'Network Contributor' });
  });
  test('API server VNet integration with a created delegated subnet', () => {
    const { cluster, json } = synth({ network: { vnet: { ...VNET, apiServerSubnet: '10.20.4.0/28' }, apiServerVnetIntegration: true }, authorizedIpRanges: ['203.0.113.0/24'] });
    const api = resources(json, 'azurerm_subnet').find((s: Json) => s.name === 'apiserver');
    expect(api.delegation[0].service_delegation.name).toBe('Microsoft.ContainerService/managedClusters');
    expect(cluster.api_server_access_profile).toEqual({ authorized_ip_ranges: ['203.0.113.0/24'], virtual_network_integration_enabled: true, subnet_id: expect.stringMatching(/azurerm_subnet\./) });
  });
  test('API server VNet integration with existing subnets', () => {
    const { cluster, json } = synth({ network: { nodeSubnetId: SUBNET, apiServerSubnetId: API_SUBNET, apiServerVnetIntegration: true } });
    expect(cluster.api_server_access_profile).toEqual({ virtual_network_integration_enabled: true, subnet_id: API_SUBNET });
    expect(resources(json, 'azurerm_role_assignment').map((r: Json) => r.scope).sort()).toEqual([API_SUBNET, SUBNET].sort());
  });
  test('a private cluster', () => expect(synth({ network: { privateCluster: true } }).cluster.private_cluster_enabled).toBe(true));
});

describe('network validation (one rule set: networkProblems)', () => {
  test.each<[string, AksNetworkOptions, string[] | undefined, RegExp]>([
    ['malformed range', { vnet: { addressSpace: ['10.20.0.0/33'], nodeSubnet: '10.20.0.0/22' } }, undefined, /network\.vnet\.addressSpace\.0 "10\.20\.0\.0\/33" is invalid: must be an IPv4 CIDR/],
    ['range not at its network address', { vnet: { addressSpace: ['10.20.1.0/16'], nodeSubnet: '10.20.0.0/22' } }, undefined, /addressSpace\.0 "10\.20\.1\.0\/16" is invalid: must be an IPv4 CIDR written with its network address/],
    ['overlapping address spaces', { vnet: { addressSpace: ['10.20.0.0/16', '10.20.128.0/17'], nodeSubnet: '10.20.0.0/22' } }, undefined, /network\.vnet\.addressSpace .* is invalid: must not overlap: 10\.20\.0\.0\/16 and 10\.20\.128\.0\/17/],
    ['node subnet outside the VNet', { vnet: { addressSpace: ['10.20.0.0/16'], nodeSubnet: '10.30.0.0/22' } }, undefined, /network\.vnet\.nodeSubnet "10\.30\.0\.0\/22" is invalid: must lie inside vnet\.addressSpace \(10\.20\.0\.0\/16\)/],
    ['overlapping subnets', { vnet: { ...VNET, apiServerSubnet: '10.20.1.0/28' }, apiServerVnetIntegration: true }, undefined, /apiServerSubnet "10\.20\.1\.0\/28" is invalid: must not overlap vnet\.nodeSubnet/],
    ['API server subnet too small', { vnet: { ...VNET, apiServerSubnet: '10.20.4.0/29' }, apiServerVnetIntegration: true }, undefined, /apiServerSubnet "10\.20\.4\.0\/29" is invalid: must be at least a \/28/],
    ['pod range overlapping the VNet', { mode: 'overlay', vnet: VNET, podCidr: '10.20.0.0/16' }, undefined, /network\.podCidr "10\.20\.0\.0\/16" is invalid: must not overlap the VNet address space/],
    ['pod range with flat CNI', { podCidr: '192.168.0.0/16' }, undefined, /podCidr "192\.168\.0\.0\/16" is invalid: is only used with mode: overlay/],
    ['service range overlapping the pods', { mode: 'overlay', podCidr: '10.0.0.0/8', serviceCidr: '10.1.0.0/16', dnsServiceIp: '10.1.0.10' }, undefined, /serviceCidr "10\.1\.0\.0\/16" is invalid: must not overlap podCidr/],
    ['DNS IP outside the service range', { serviceCidr: '10.21.0.0/16', dnsServiceIp: '10.22.0.10' }, undefined, /dnsServiceIp "10\.22\.0\.10" is invalid: must be an address inside serviceCidr/],
    ['service range without DNS IP', { serviceCidr: '10.21.0.0/16' }, undefined, /dnsServiceIp \(missing\) is invalid: must be set together with serviceCidr/],
    ['a subnet ID that is not one', { nodeSubnetId: '/subscriptions/x/subnets/y' }, undefined, /network\.nodeSubnetId ".*" is invalid: must be an Azure subnet ID/],
    ['subnet ID together with a created VNet', { vnet: VNET, nodeSubnetId: SUBNET }, undefined, /nodeSubnetId .* is invalid: must not be set together with vnet/],
    ['VNet integration without a subnet', { vnet: VNET, apiServerVnetIntegration: true }, undefined, /apiServerVnetIntegration true is invalid: needs vnet\.apiServerSubnet or apiServerSubnetId/],
    ['private cluster with authorized ranges', { privateCluster: true }, ['203.0.113.0/24'], /privateCluster true is invalid: cannot be combined with cluster\.authorizedIpRanges/],
  ])('rejects %s', (_n, network, ranges, message) => expect(() => synth({ network, authorizedIpRanges: ranges })).toThrow(message));

  test('every problem is listed, not only the first', () =>
    expect(networkProblems({ vnet: { addressSpace: ['10.20.0.0/16'], nodeSubnet: '10.30.0.0/22' }, podCidr: '10.20.0.0/16' }).map((p) => p.path.join('.'))).toEqual(['vnet.nodeSubnet', 'podCidr', 'podCidr']));

  test('AksVirtualNetwork alone checks its ranges', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    expect(() => new AksVirtualNetwork(stack, 'net', { resourceGroupName: 'rg', location: 'francecentral', addressSpace: ['10.0.0.0/16'], nodeSubnet: '10.1.0.0/24' })).toThrow(/test\/net: nodeSubnet "10\.1\.0\.0\/24" is invalid: must lie inside/);
  });
});
