import { Testing, TerraformStack } from 'cdktf';
import { AksCluster } from '../constructs/aks-cluster';
import { AksMonitoring, AksMonitoringProps } from '../constructs/aks-monitoring';
import { Json, resources, synthJson } from './helpers';

const ADMIN = '11111111-1111-1111-1111-111111111111';
const LAW_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops/providers/Microsoft.OperationalInsights/workspaces/central';
const AMW_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ops/providers/Microsoft.Monitor/accounts/central';

function synth(props: Omit<AksMonitoringProps, 'cluster'>) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const cluster = new AksCluster(stack, 'aks', { name: 'aw-capsule', location: 'francecentral', resourceGroupName: 'aw-capsule', adminGroupObjectIds: [ADMIN] });
  new AksMonitoring(stack, 'monitoring', { cluster, ...props });
  const json: Json = synthJson(stack);
  return { json, cluster: resources(json, 'azurerm_kubernetes_cluster')[0] };
}

const CLUSTER_ID = /^\$\{azurerm_kubernetes_cluster\.[^}]+\.id\}$/;

describe('AksMonitoring: Container Insights', () => {
  const { json, cluster } = synth({ containerInsights: true });
  const law = resources(json, 'azurerm_log_analytics_workspace')[0];
  test('a Log Analytics workspace <cluster>-logs, 30 days, no shared-key auth', () =>
    expect(law).toMatchObject({ name: 'aw-capsule-logs', location: 'francecentral', resource_group_name: expect.stringMatching(/^\$\{azurerm_resource_group\.[^}]+\.name\}$/), retention_in_days: 30, sku: 'PerGB2018', local_authentication_enabled: false }));
  test('oms_agent with managed identity auth on the cluster', () =>
    expect(cluster.oms_agent).toEqual({ log_analytics_workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.[^}]+\.id\}$/), msi_auth_for_monitoring_enabled: true }));
  test('the data collection rule azurerm 4.x needs: ContainerInsights extension to the workspace', () => {
    const dcr = resources(json, 'azurerm_monitor_data_collection_rule')[0];
    expect(dcr).toMatchObject({
      name: 'MSCI-francecentral-aw-capsule',
      kind: 'Linux',
      destinations: { log_analytics: [{ name: 'ciworkspace', workspace_resource_id: cluster.oms_agent.log_analytics_workspace_id }] },
      data_flow: [{ streams: ['Microsoft-ContainerInsights-Group-Default'], destinations: ['ciworkspace'] }],
      data_sources: { extension: [{ name: 'ContainerInsightsExtension', extension_name: 'ContainerInsights', streams: ['Microsoft-ContainerInsights-Group-Default'] }] },
    });
    expect(JSON.parse(dcr.data_sources.extension[0].extension_json)).toEqual({ dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true } });
  });
  test('and its association with the cluster', () =>
    expect(resources(json, 'azurerm_monitor_data_collection_rule_association')).toEqual([
      expect.objectContaining({ name: 'ContainerInsightsExtension', target_resource_id: expect.stringMatching(CLUSTER_ID), data_collection_rule_id: expect.stringMatching(/azurerm_monitor_data_collection_rule\./) }),
    ]));
  test('no Prometheus, no audit logs', () => {
    expect(cluster.monitor_metrics).toBeUndefined();
    expect(resources(json, 'azurerm_monitor_diagnostic_setting')).toHaveLength(0);
  });
  test('an existing workspace is referenced, not created', () => {
    const { json, cluster } = synth({ containerInsights: true, logAnalytics: { workspaceId: LAW_ID } });
    expect(resources(json, 'azurerm_log_analytics_workspace')).toHaveLength(0);
    expect(cluster.oms_agent.log_analytics_workspace_id).toBe(LAW_ID);
  });
});

describe('AksMonitoring: managed Prometheus', () => {
  const { json, cluster } = synth({ managedPrometheus: true });
  test('monitor_metrics on the cluster', () => expect(cluster.monitor_metrics).toEqual({}));
  test('an Azure Monitor workspace, a Linux data collection endpoint and a Prometheus forwarder rule to it', () => {
    expect(resources(json, 'azurerm_monitor_workspace')[0]).toMatchObject({ name: 'aw-capsule-prometheus', location: 'francecentral' });
    expect(resources(json, 'azurerm_monitor_data_collection_endpoint')[0]).toMatchObject({ name: 'MSProm-francecentral-aw-capsule', kind: 'Linux' });
    expect(resources(json, 'azurerm_monitor_data_collection_rule')[0]).toMatchObject({
      name: 'MSProm-francecentral-aw-capsule',
      data_collection_endpoint_id: expect.stringMatching(/azurerm_monitor_data_collection_endpoint\./),
      destinations: { monitor_account: [{ name: 'MonitoringAccount1', monitor_account_id: expect.stringMatching(/azurerm_monitor_workspace\./) }] },
      data_flow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
      data_sources: { prometheus_forwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }] },
    });
  });
  test('the rule and the endpoint (configurationAccessEndpoint) are associated with the cluster', () => {
    const assoc = resources(json, 'azurerm_monitor_data_collection_rule_association');
    expect(assoc.map((a: Json) => a.name).sort()).toEqual(['MSProm-francecentral-aw-capsule', 'configurationAccessEndpoint']);
    for (const a of assoc) expect(a.target_resource_id).toMatch(CLUSTER_ID);
    expect(assoc.find((a: Json) => a.name === 'configurationAccessEndpoint')).toMatchObject({ data_collection_endpoint_id: expect.any(String) });
    expect(assoc.find((a: Json) => a.name === 'configurationAccessEndpoint').data_collection_rule_id).toBeUndefined();
  });
  test('no Log Analytics workspace when only Prometheus is on', () => expect(resources(json, 'azurerm_log_analytics_workspace')).toHaveLength(0));
  test('an existing Azure Monitor workspace is referenced', () => {
    const { json } = synth({ managedPrometheus: { azureMonitorWorkspaceId: AMW_ID } });
    expect(resources(json, 'azurerm_monitor_workspace')).toHaveLength(0);
    expect(resources(json, 'azurerm_monitor_data_collection_rule')[0].destinations.monitor_account[0].monitor_account_id).toBe(AMW_ID);
  });
});

describe('AksMonitoring: audit logs', () => {
  test('a diagnostic setting on the cluster sends the categories to the workspace, resource-specific tables', () => {
    const { json } = synth({ auditLogs: ['kube-audit-admin', 'guard'] });
    expect(resources(json, 'azurerm_monitor_diagnostic_setting')).toEqual([
      {
        name: 'audit-logs',
        target_resource_id: expect.stringMatching(CLUSTER_ID),
        log_analytics_workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace\./),
        log_analytics_destination_type: 'Dedicated',
        enabled_log: [{ category: 'kube-audit-admin' }, { category: 'guard' }],
      },
    ]);
  });
});

describe('AksMonitoring validation', () => {
  test.each<[string, Omit<AksMonitoringProps, 'cluster'>, RegExp]>([
    ['nothing turned on', {}, /test\/monitoring: containerInsights \(missing\) is invalid: must be true, or managedPrometheus or auditLogs set/],
    ['workspace ID', { containerInsights: true, logAnalytics: { workspaceId: '/subscriptions/x/workspaces/y' } }, /logAnalytics.workspaceId ".*" is invalid: must be a Log Analytics workspace ID/],
    ['workspace ID and name', { containerInsights: true, logAnalytics: { workspaceId: LAW_ID, name: 'logs' } }, /logAnalytics .* is invalid: must give either workspaceId/],
    ['retention', { containerInsights: true, logAnalytics: { retentionInDays: 7 } }, /retentionInDays 7 is invalid: must be a whole number from 30 to 730/],
    ['monitor workspace ID', { managedPrometheus: { azureMonitorWorkspaceId: LAW_ID } }, /azureMonitorWorkspaceId ".*" is invalid: must be an Azure Monitor workspace ID/],
    ['audit category', { auditLogs: ['kube-apiserver' as never] }, /auditLogs\[0\] "kube-apiserver" is invalid: must be one of kube-audit-admin, kube-audit, guard/],
    ['duplicate audit category', { auditLogs: ['guard', 'guard'] }, /auditLogs \["guard","guard"\] is invalid: must not name a category twice/],
  ])('rejects %s', (_n, props, message) => expect(() => synth(props)).toThrow(message));
});
