import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { checkPattern, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** API version of the ServiceMonitor CRD that Azure Monitor managed Prometheus (ama-metrics) reads. */
export const AZMONITORING_API_VERSION = 'azmonitoring.coreos.com/v1';

export interface CapsuleMetricsScrapeProps {
  /**
   * Namespace of Capsule and capsule-proxy.
   * @default 'capsule-system'
   */
  readonly namespace?: string;
  /**
   * Helm release name of Capsule (its Services carry `app.kubernetes.io/instance: <release>`).
   * @default 'capsule'
   */
  readonly capsuleReleaseName?: string;
  /**
   * Helm release name of capsule-proxy.
   * @default 'capsule-proxy'
   */
  readonly proxyReleaseName?: string;
  /**
   * Scrape interval.
   * @default '30s'
   */
  readonly interval?: string;
  /**
   * Resources to create the ServiceMonitors after (the Helm releases).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Scrapes Capsule's and capsule-proxy's metrics with Azure Monitor managed Prometheus: two ServiceMonitors of
 * `azmonitoring.coreos.com/v1` (what the ama-metrics add-on reads; the charts' own `serviceMonitor` values write
 * `monitoring.coreos.com/v1`, which managed Prometheus ignores: charts/capsule/templates/servicemonitor.yaml and
 * charts/capsule-proxy/templates/servicemonitor.yaml at v0.14.0). Both select the chart's metrics Service by its
 * selector labels and port `metrics` (8080, plain HTTP: capsule cmd/controller/main.go `--metrics-addr :8080`,
 * `--metrics-secure false`; charts/capsule-proxy/templates/metrics-service.yaml).
 *
 * A `kubernetes_manifest` needs its CRD at plan time: the CRD comes with managed Prometheus (`monitor_metrics` on the
 * cluster, in an earlier stack), so the stack that holds this cannot be planned before that is deployed.
 */
export class CapsuleMetricsScrape extends Construct {
  public readonly capsule: Manifest;
  public readonly proxy: Manifest;

  constructor(scope: Construct, id: string, props: CapsuleMetricsScrapeProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'capsule-system';
    checkPattern(this, 'namespace', namespace, RFC1123_LABEL_RE, 'must be a Kubernetes namespace name');
    checkPattern(this, 'interval', props.interval, /^[1-9]\d*(s|m)$/, 'must be a Prometheus duration in seconds or minutes, such as 30s or 1m');
    const interval = props.interval ?? '30s';
    const monitor = (key: string, name: string, app: string, release: string, extra: Record<string, string>) =>
      new Manifest(this, key, terraformLiterals(this, key, {
        manifest: {
          apiVersion: AZMONITORING_API_VERSION,
          kind: 'ServiceMonitor',
          metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
          spec: {
            selector: { matchLabels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': release, ...extra } },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [{ port: 'metrics', path: '/metrics', interval }],
          },
        },
        dependsOn: props.dependsOn,
      }));
    this.capsule = monitor('capsule', 'capsule-metrics', 'capsule', props.capsuleReleaseName ?? 'capsule', {});
    this.proxy = monitor('capsule-proxy', 'capsule-proxy-metrics', 'capsule-proxy', props.proxyReleaseName ?? 'capsule-proxy', { 'app.kubernetes.io/component': 'proxy' });
  }
}
