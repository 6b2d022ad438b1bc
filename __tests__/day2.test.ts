import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { loadEnvironments } from '../config/load';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { ENV_DIR, Json, resources } from './helpers';

/** Issue 12 items 1, 2, 6, 9, 10, 11 in the synthesized JSON of both bundled environments (poc, production). */
const app = Testing.app();
const envs = loadEnvironments(ENV_DIR);
for (const env of envs) createEnvironmentStacks(app, env);
app.synth();
const read = (stack: string): Json => JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
const values = (json: Json, chart: string): Json => parse(resources(json, 'helm_release').find((r: Json) => r.chart === chart).values[0]);

describe.each(envs.map((e) => [e.name, e.protected ?? false] as const))('bundled environment %s (protected: %s)', (name, protect) => {
  const cluster = read(`${name}-cluster`);
  const capsule = read(`${name}-capsule`);
  const tenants = read(`${name}-tenants`);

  test('items 1+2: a project CA of at least 5 years signs the proxy certificate; kubeconfigs embed it, no Secret is read', () => {
    const [ca] = resources(capsule, 'tls_self_signed_cert');
    expect(ca.validity_period_hours).toBeGreaterThanOrEqual(5 * 8760);
    expect(ca.early_renewal_hours).toBe(0);
    expect(values(capsule, 'capsule-proxy').certManager.externalCA).toEqual({ enabled: true, secretName: 'capsule-proxy-ca' });
    expect(Object.keys(tenants.data ?? {}).filter((k) => k.includes('secret'))).toEqual([]);
    for (const o of Object.values(capsule.output as Record<string, Json>)) expect(JSON.stringify(o.value)).not.toMatch(/private_key|kubernetes_secret/);
    for (const [k, o] of Object.entries(tenants.output as Record<string, Json>)) {
      if (k.startsWith('kubeconfig_')) expect(o.value).toMatch(/certificate-authority-data: "\$\{base64encode\(nonsensitive\(data\.terraform_remote_state\.[^)]*tls_self_signed_cert[^)]*cert_pem\)\)\}"/);
    }
  });

  test('items 2+10: every stack requires Terraform >= 1.7.0, the first whose nonsensitive() accepts the plain values terraform_remote_state returns', () => {
    // hashicorp/terraform internal/builtin/providers/terraform/data_source_state.go (`outputs[k] = os.Value`, no
    // sensitive mark) and hashicorp/terraform#33856 (1.7.0): before 1.7 the kubeconfigs' nonsensitive() fails the plan.
    for (const json of [cluster, capsule, tenants]) expect(json.terraform.required_version).toBe('>= 1.7.0');
    expect(JSON.stringify(tenants.output)).toMatch(/nonsensitive\(/);
  });

  test('item 6: the cluster stack waits 300 s after the deployer\'s AKS RBAC Cluster Admin assignment', () => {
    const [sleep] = resources(cluster, 'time_sleep');
    expect(sleep.create_duration).toBe('300s');
    expect(sleep.depends_on).toEqual([expect.stringMatching(/^azurerm_role_assignment\.installer-access_capsule-installer-azure-kubernetes-service-rbac-cluster-admin_/)]);
  });

  test('item 9: Capsule webhook configurations opt out of the AKS admissions enforcer', () => {
    expect(values(capsule, 'capsule').webhooks.annotations).toEqual({ 'admissions.enforcer/disabled': 'true' });
  });

  test('item 10: the DNS label is capsule-proxy-<random suffix kept in state>', () => {
    expect(values(capsule, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toMatch(/^capsule-proxy-\$\{random_string\.[^}]+\.result\}$/);
  });

  test('item 11: protected environments run 2 replicas of Capsule and capsule-proxy with a PDB each; others one', () => {
    expect(values(capsule, 'capsule').replicaCount).toBe(protect ? 2 : undefined);
    expect(values(capsule, 'capsule-proxy').replicaCount).toBe(protect ? 2 : undefined);
    expect(resources(capsule, 'kubernetes_pod_disruption_budget_v1').map((p: Json) => p.metadata.name).sort()).toEqual(protect ? ['capsule', 'capsule-proxy'] : []);
  });
});

test('both bundled environments are covered, one of them protected', () => {
  expect(envs.map((e) => e.name).sort()).toEqual(['poc', 'production']);
  expect(envs.some((e) => e.protected)).toBe(true);
});
