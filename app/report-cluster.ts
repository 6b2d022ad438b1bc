import { isPlainObject } from '../constructs/validation';
import { unescapeTemplateText } from '../constructs/terraform-literal';
/**
 * The "Cluster" section of the environment report (app/report.ts): node pools, upgrades and maintenance windows,
 * monitoring and network placement, read from the SYNTHESIZED cluster stack (what Terraform will be given).
 */

type Obj = Record<string, unknown>;

const NONE = '—';

/** Markdown lines of the Cluster section; `json` is the cluster stack's cdk.tf.json, undefined when there is none. */
export function clusterSection(json: Obj | undefined): string[] {
  const out: string[] = ['## Cluster', ''];
  const resource = obj(json?.resource);
  const cluster = Object.values(obj(resource.azurerm_kubernetes_cluster)).map(obj)[0];
  if (!json || !cluster) return [...out, '(no cluster stack)', ''];
  const subnets = new Map(Object.entries(obj(resource.azurerm_subnet)).map(([id, s]) => [id, obj(s)]));
  const vnets = new Map(Object.entries(obj(resource.azurerm_virtual_network)).map(([id, v]) => [id, obj(v)]));
  const subnetName = (v: unknown): string => {
    if (v === undefined) return 'AKS-managed VNet';
    const s = String(v);
    const m = /\$\{azurerm_subnet\.([^.}]+)\.id\}/.exec(s);
    const sub = m ? subnets.get(m[1]) : undefined;
    if (!sub) return s.includes('${') ? '(known at apply)' : `\`${s}\``;
    const vnetId = /azurerm_virtual_network\.([^.}]+)\./.exec(String(sub.virtual_network_name))?.[1];
    const vnet = vnetId ? vnets.get(vnetId) : undefined;
    return `\`${String(sub.name)}\` ${arr(sub.address_prefixes).join(', ')}${vnet ? ` in VNet \`${String(vnet.name)}\` ${arr(vnet.address_space).join(', ')}` : ''}`;
  };

  out.push('### Node pools', '', '| pool | mode | VM size | nodes | zones | labels | taints | subnet | max surge |', '|---|---|---|---|---|---|---|---|---|');
  const dp = obj(cluster.default_node_pool);
  out.push(poolRow(dp, `system (default)${dp.only_critical_addons_enabled === true ? ', only critical add-ons' : ''}`, ['CriticalAddonsOnly=true:NoSchedule'].filter(() => dp.only_critical_addons_enabled === true), subnetName(dp.vnet_subnet_id)));
  for (const p of Object.values(obj(resource.azurerm_kubernetes_cluster_node_pool)).map(obj).sort((a, b) => String(a.name).localeCompare(String(b.name)))) {
    out.push(poolRow(p, String(p.mode ?? 'User'), arr(p.node_taints).map(String), subnetName(p.vnet_subnet_id)));
  }
  out.push('');

  out.push('### Upgrades and maintenance windows', '');
  out.push(`- Kubernetes: channel \`${str(cluster.automatic_upgrade_channel) ?? 'none'}\`, ${window(cluster.maintenance_window_auto_upgrade)}`);
  out.push(`- Node OS: channel \`${str(cluster.node_os_upgrade_channel) ?? 'NodeImage'}\`, ${window(cluster.maintenance_window_node_os)}`);
  out.push(`- Kubernetes version: ${str(cluster.kubernetes_version) ? `\`${str(cluster.kubernetes_version)}\`` : 'AKS default at creation'}`, '');

  out.push('### Monitoring', '');
  const oms = obj(cluster.oms_agent);
  const law = Object.values(obj(resource.azurerm_log_analytics_workspace)).map(obj)[0];
  const workspace = law ? `workspace \`${String(law.name)}\` (created, ${String(law.retention_in_days)} days)` : oms.log_analytics_workspace_id ? `workspace \`${String(oms.log_analytics_workspace_id)}\`` : undefined;
  const rules = Object.values(obj(resource.azurerm_monitor_data_collection_rule)).map(obj);
  const ci = rules.find((r) => arr(obj(r.data_sources).extension).length > 0);
  out.push(`- Container Insights: ${cluster.oms_agent ? `on, ${workspace ?? 'workspace (known at apply)'}${ci ? `, data collection rule \`${String(ci.name)}\`` : ', no data collection rule'}` : 'off'}`);
  const prom = rules.find((r) => arr(obj(r.data_sources).prometheus_forwarder).length > 0);
  const amw = Object.values(obj(resource.azurerm_monitor_workspace)).map(obj)[0];
  out.push(`- Managed Prometheus: ${cluster.monitor_metrics ? `on${amw ? `, Azure Monitor workspace \`${String(amw.name)}\`` : ''}${prom ? `, data collection rule \`${String(prom.name)}\`` : ''}` : 'off'}`);
  const diag = Object.values(obj(resource.azurerm_monitor_diagnostic_setting)).map(obj).filter((d) => String(d.target_resource_id).includes('azurerm_kubernetes_cluster.'));
  const categories = diag.flatMap((d) => arr(d.enabled_log).map((l) => String(obj(l).category)));
  out.push(`- Audit logs: ${categories.length ? `${categories.map((c) => `\`${c}\``).join(', ')} to ${law ? `\`${String(law.name)}\`` : 'the workspace'}` : 'off'}`, '');

  out.push('### Network placement', '');
  const np = obj(cluster.network_profile);
  const api = obj(cluster.api_server_access_profile);
  out.push(`- CNI: Azure CNI ${np.network_plugin_mode === 'overlay' ? `overlay (pods ${str(np.pod_cidr) ?? '10.244.0.0/16 (AKS default)'})` : 'flat (pods take VNet addresses)'}, network policy \`${str(np.network_policy) ?? NONE}\`${np.service_cidr ? `, services ${String(np.service_cidr)}, DNS ${String(np.dns_service_ip)}` : ''}`);
  out.push(`- Nodes: ${subnetName(dp.vnet_subnet_id)}`);
  const ranges = arr(api.authorized_ip_ranges).map(String);
  const endpoint = cluster.private_cluster_enabled === true ? 'private (no public endpoint)' : ranges.length ? `public, from ${ranges.join(', ')}` : 'public, from any address';
  out.push(`- API server: ${endpoint}${api.virtual_network_integration_enabled === true ? `; VNet integration in ${subnetName(api.subnet_id)}` : ''}`, '');
  return out;
}

function poolRow(p: Obj, mode: string, taints: string[], subnet: string): string {
  const nodes = p.auto_scaling_enabled === true ? `${String(p.min_count)}-${String(p.max_count)} (autoscaling)` : String(p.node_count ?? NONE);
  const labels = Object.entries(obj(p.node_labels)).map(([k, v]) => `${k}=${String(v)}`);
  const cellOf = (xs: string[]) => (xs.length ? xs.map((x) => `\`${x}\``).join('<br/>') : NONE);
  return `| ${String(p.name)} | ${mode} | ${String(p.vm_size)} | ${nodes} | ${arr(p.zones).join(', ') || NONE} | ${cellOf(labels)} | ${cellOf(taints)} | ${subnet} | ${str(obj(p.upgrade_settings).max_surge) ?? NONE} |`;
}

function window(w: unknown): string {
  const o = obj(w);
  if (!w) return 'any time (no maintenance window)';
  const every = Number(o.interval) === 1 ? 'every week' : `every ${String(o.interval)} weeks`;
  return `${String(o.day_of_week)} ${String(o.start_time)} UTC${String(o.utc_offset)} for ${String(o.duration)} h, ${every}`;
}

/** The value as an object ({} otherwise). */
export function obj(v: unknown): Obj {
  return isPlainObject(v) ? v : {};
}

/** The value as an array ([] otherwise). */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * The value if it is a string, as Terraform reads it: escaped template sequences of literal text (`$${`, `%%{`:
 * constructs/terraform-literal.ts) are shown as the `${` and `%{` that Azure and Kubernetes get.
 */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? unescapeTemplateText(v) : undefined;
}
