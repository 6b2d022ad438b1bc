import { Construct } from 'constructs';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDataCollectionEndpoint } from '@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint';
import { MonitorDataCollectionRule } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule';
import { MonitorDataCollectionRuleAssociation } from '@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorWorkspace } from '@cdktf/provider-azurerm/lib/monitor-workspace';
import { AksCluster } from './aks-cluster';
import { AZURE_IDS, AZURE_NAMES, checkIntRange, checkPattern, invalid } from './validation';
import { terraformLiterals } from './terraform-literal';

/** AKS control plane log categories that are audit logs. */
export type AksAuditLogCategory = 'kube-audit-admin' | 'kube-audit' | 'guard';
export const AKS_AUDIT_LOG_CATEGORIES: readonly AksAuditLogCategory[] = ['kube-audit-admin', 'kube-audit', 'guard'];

/** The Log Analytics workspace: created here (default) or an existing one by resource ID. */
export interface AksLogAnalyticsWorkspace {
  /**
   * Resource ID of an existing workspace; when set nothing is created.
   * @default - a workspace is created
   */
  readonly workspaceId?: string;
  /**
   * Name of the created workspace (4-63 letters, digits and "-").
   * @default - `<cluster name>-logs`
   */
  readonly name?: string;
  /**
   * Retention of the created workspace in days (30-730).
   * @default 30
   */
  readonly retentionInDays?: number;
}

/** Azure Monitor managed Prometheus. */
export interface AksManagedPrometheus {
  /**
   * Resource ID of an existing Azure Monitor workspace; when set none is created.
   * @default - a workspace `<cluster name>-prometheus` is created
   */
  readonly azureMonitorWorkspaceId?: string;
}

export interface AksMonitoringProps {
  /** The cluster to monitor (its resource group and region are used for the monitoring resources). */
  readonly cluster: AksCluster;
  /**
   * Log Analytics workspace of Container Insights and the audit logs.
   * @default - created, when Container Insights or audit logs are on
   */
  readonly logAnalytics?: AksLogAnalyticsWorkspace;
  /**
   * Container Insights: the `oms_agent` add-on with managed identity auth, its data collection rule
   * (ContainerInsights extension, ContainerLogV2) and the rule's association with the cluster.
   * @default false
   */
  readonly containerInsights?: boolean;
  /**
   * Azure Monitor managed Prometheus: `monitor_metrics` on the cluster, an Azure Monitor workspace, a data
   * collection endpoint and rule (Prometheus forwarder) and their associations with the cluster.
   * @default - off
   */
  readonly managedPrometheus?: boolean | AksManagedPrometheus;
  /**
   * Control plane audit log categories sent to the Log Analytics workspace by a diagnostic setting (resource-specific
   * tables). `kube-audit-admin` leaves out get/list (much cheaper than `kube-audit`); `guard` is Entra ID and Azure
   * RBAC authorization.
   * @default - no diagnostic setting
   */
  readonly auditLogs?: readonly AksAuditLogCategory[];
  /**
   * Tags of the created resources.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** `<prefix>-<location>-<cluster>`, cut to `max` characters and not ending in "-" (the Azure portal's naming). */
function monitorName(prefix: string, aks: AksCluster, max: number): string {
  return `${prefix}-${aks.location}-${aks.clusterName}`.slice(0, max).replace(/[-_.]+$/, '');
}

/**
 * Monitoring of an AKS cluster, as azurerm 4.x needs it: Container Insights (Log Analytics workspace, data
 * collection rule and association), managed Prometheus (Azure Monitor workspace, data collection endpoint, rule and
 * associations, `monitor_metrics`) and audit logs (a diagnostic setting to the workspace).
 *
 * Checked against terraform-provider-azurerm v4.55.0: `oms_agent` (kubernetes_addons.go:110-125),
 * `monitor_metrics` (kubernetes_cluster_resource.go:992-1010), the association's `name` defaults to
 * `configurationAccessEndpoint` and `data_collection_endpoint_id`/`data_collection_rule_id` are ExactlyOneOf, name and
 * target ForceNew (monitor_data_collection_rule_association_resource.go:34-62), the diagnostic setting's name and
 * target are ForceNew and `log_analytics_destination_type` is Computed (monitor_diagnostic_setting_resource.go:51-102;
 * set to Dedicated so it does not drift), workspace `retention_in_days` 30-730
 * (log_analytics_workspace_resource.go:139-144).
 */
export class AksMonitoring extends Construct {
  /** Resource ID of the Log Analytics workspace, when one is used. */
  public readonly logAnalyticsWorkspaceId?: string;
  /** Resource ID of the Azure Monitor workspace, when managed Prometheus is on. */
  public readonly azureMonitorWorkspaceId?: string;
  /** The created Log Analytics workspace. */
  public readonly logAnalyticsWorkspace?: LogAnalyticsWorkspace;
  /** The audit log diagnostic setting. */
  public readonly auditLogSetting?: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: AksMonitoringProps) {
    super(scope, id);
    const aks = props.cluster;
    const law = props.logAnalytics ?? {};
    const audit = props.auditLogs ?? [];
    const prom = props.managedPrometheus === true ? {} : props.managedPrometheus || undefined;
    checkPattern(this, 'logAnalytics.workspaceId', law.workspaceId, AZURE_IDS.logAnalyticsWorkspace.re, AZURE_IDS.logAnalyticsWorkspace.allowed);
    checkPattern(this, 'logAnalytics.name', law.name, AZURE_NAMES.logAnalyticsWorkspace.re, AZURE_NAMES.logAnalyticsWorkspace.allowed);
    checkIntRange(this, 'logAnalytics.retentionInDays', law.retentionInDays, 30, 730);
    if (law.workspaceId !== undefined && (law.name !== undefined || law.retentionInDays !== undefined)) {
      invalid(this, 'logAnalytics', law, 'must give either workspaceId (an existing workspace) or name/retentionInDays (a created one), not both');
    }
    checkPattern(this, 'managedPrometheus.azureMonitorWorkspaceId', prom?.azureMonitorWorkspaceId, AZURE_IDS.monitorWorkspace.re, AZURE_IDS.monitorWorkspace.allowed);
    audit.forEach((c, i) => {
      if (!AKS_AUDIT_LOG_CATEGORIES.includes(c)) invalid(this, `auditLogs[${i}]`, c, `must be one of ${AKS_AUDIT_LOG_CATEGORIES.join(', ')}`);
    });
    if (new Set(audit).size !== audit.length) invalid(this, 'auditLogs', audit, 'must not name a category twice');
    if (!props.containerInsights && !prom && audit.length === 0) {
      invalid(this, 'containerInsights', props.containerInsights, 'must be true, or managedPrometheus or auditLogs set: this construct would create nothing');
    }

    const common = { resourceGroupName: aks.resourceGroupName, location: aks.location, tags: { ...(props.tags ?? {}) } };

    if (props.containerInsights || audit.length > 0) {
      if (law.workspaceId !== undefined) {
        this.logAnalyticsWorkspaceId = law.workspaceId;
      } else {
        this.logAnalyticsWorkspace = new LogAnalyticsWorkspace(this, 'log-analytics', terraformLiterals(this, 'log-analytics', {
          ...common,
          name: law.name ?? `${aks.clusterName}-logs`.slice(0, 63).replace(/-+$/, ''),
          sku: 'PerGB2018',
          retentionInDays: law.retentionInDays ?? 30,
          // Agents and the diagnostic setting use Entra ID (msi_auth_for_monitoring_enabled); no shared keys.
          localAuthenticationEnabled: false,
        }));
        this.logAnalyticsWorkspaceId = this.logAnalyticsWorkspace.id;
      }
    }
    const workspaceId = this.logAnalyticsWorkspaceId as string;

    if (props.containerInsights) {
      aks.cluster.putOmsAgent({ logAnalyticsWorkspaceId: workspaceId, msiAuthForMonitoringEnabled: true });
      const streams = ['Microsoft-ContainerInsights-Group-Default'];
      const rule = new MonitorDataCollectionRule(this, 'container-insights-rule', terraformLiterals(this, 'container-insights-rule', {
        ...common,
        name: monitorName('MSCI', aks, 64),
        kind: 'Linux',
        description: `Container Insights of AKS cluster ${aks.clusterName}`,
        destinations: { logAnalytics: [{ name: 'ciworkspace', workspaceResourceId: workspaceId }] },
        dataFlow: [{ streams, destinations: ['ciworkspace'] }],
        dataSources: {
          extension: [
            {
              name: 'ContainerInsightsExtension',
              extensionName: 'ContainerInsights',
              streams,
              extensionJson: JSON.stringify({ dataCollectionSettings: { interval: '1m', namespaceFilteringMode: 'Off', enableContainerLogV2: true } }),
            },
          ],
        },
      }));
      new MonitorDataCollectionRuleAssociation(this, 'container-insights-association', terraformLiterals(this, 'container-insights-association', {
        name: 'ContainerInsightsExtension',
        targetResourceId: aks.id,
        dataCollectionRuleId: rule.id,
        description: 'Container Insights of this cluster; deleting it stops its data collection',
      }));
    }

    if (prom) {
      if (prom.azureMonitorWorkspaceId !== undefined) {
        this.azureMonitorWorkspaceId = prom.azureMonitorWorkspaceId;
      } else {
        const amw = new MonitorWorkspace(this, 'monitor-workspace', terraformLiterals(this, 'monitor-workspace', { ...common, name: `${aks.clusterName}-prometheus`.slice(0, 44).replace(/[-_.]+$/, '') }));
        this.azureMonitorWorkspaceId = amw.id;
      }
      aks.cluster.putMonitorMetrics({});
      const endpoint = new MonitorDataCollectionEndpoint(this, 'prometheus-endpoint', terraformLiterals(this, 'prometheus-endpoint', { ...common, name: monitorName('MSProm', aks, 44), kind: 'Linux' }));
      const rule = new MonitorDataCollectionRule(this, 'prometheus-rule', terraformLiterals(this, 'prometheus-rule', {
        ...common,
        name: monitorName('MSProm', aks, 64),
        kind: 'Linux',
        description: `Managed Prometheus of AKS cluster ${aks.clusterName}`,
        dataCollectionEndpointId: endpoint.id,
        destinations: { monitorAccount: [{ name: 'MonitoringAccount1', monitorAccountId: this.azureMonitorWorkspaceId }] },
        dataFlow: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['MonitoringAccount1'] }],
        dataSources: { prometheusForwarder: [{ name: 'PrometheusDataSource', streams: ['Microsoft-PrometheusMetrics'] }] },
      }));
      new MonitorDataCollectionRuleAssociation(this, 'prometheus-rule-association', terraformLiterals(this, 'prometheus-rule-association', {
        name: monitorName('MSProm', aks, 64),
        targetResourceId: aks.id,
        dataCollectionRuleId: rule.id,
        description: 'Managed Prometheus of this cluster; deleting it stops its metrics',
      }));
      new MonitorDataCollectionRuleAssociation(this, 'prometheus-endpoint-association', terraformLiterals(this, 'prometheus-endpoint-association', {
        // The only name an endpoint association may have (its provider default).
        name: 'configurationAccessEndpoint',
        targetResourceId: aks.id,
        dataCollectionEndpointId: endpoint.id,
      }));
    }

    if (audit.length > 0) {
      this.auditLogSetting = new MonitorDiagnosticSetting(this, 'audit-logs', terraformLiterals(this, 'audit-logs', {
        name: 'audit-logs',
        targetResourceId: aks.id,
        logAnalyticsWorkspaceId: workspaceId,
        logAnalyticsDestinationType: 'Dedicated',
        enabledLog: audit.map((category) => ({ category })),
      }));
    }
  }
}
