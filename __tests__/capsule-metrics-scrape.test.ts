import { Testing, TerraformStack } from 'cdktf';
import { CapsuleMetricsScrape, CapsuleMetricsScrapeProps } from '../constructs/capsule-metrics-scrape';
import { Json, resources, synthJson } from './helpers';

function synth(props: CapsuleMetricsScrapeProps = {}): Json[] {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new CapsuleMetricsScrape(stack, 'scrape', props);
  return resources(synthJson(stack), 'kubernetes_manifest').map((r: Json) => r.manifest);
}

describe('CapsuleMetricsScrape', () => {
  const all = synth();
  const capsule = all.find((m) => m.metadata.name === 'capsule-metrics');
  const proxy = all.find((m) => m.metadata.name === 'capsule-proxy-metrics');
  test('ServiceMonitors of azmonitoring.coreos.com/v1 (what managed Prometheus reads), not monitoring.coreos.com', () => {
    for (const m of [capsule, proxy]) expect(m).toMatchObject({ apiVersion: 'azmonitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { namespace: 'capsule-system' } });
  });
  test('Capsule: the chart metrics Service (selector labels of release capsule, port metrics)', () =>
    expect(capsule.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'capsule', 'app.kubernetes.io/instance': 'capsule' } },
      namespaceSelector: { matchNames: ['capsule-system'] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    }));
  test('capsule-proxy: its metrics Service (component proxy, port metrics)', () =>
    expect(proxy.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'capsule-proxy', 'app.kubernetes.io/instance': 'capsule-proxy', 'app.kubernetes.io/component': 'proxy' }));
  test('interval and namespace are configurable', () => {
    const c = synth({ namespace: 'capsule', interval: '1m' })[0];
    expect(c.metadata.namespace).toBe('capsule');
    expect(c.spec.endpoints[0].interval).toBe('1m');
  });
  test('rejects a bad interval', () => expect(() => synth({ interval: '30' })).toThrow(/test\/scrape: interval "30" is invalid: must be a Prometheus duration/));
});
