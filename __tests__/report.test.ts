import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { loadEnvironments } from '../config/load';
import { environmentStacks, readSynthesizedStacks, renderReport, SynthesizedStack, writeReports } from '../app/report';
import { addEnvironmentStacks } from '../stacks/environment-stacks';
import { baseEnv, ENV_DIR, envFrom, Json } from './helpers';

/** Rows of the first Markdown table after a heading, as arrays of cells. */
function table(md: string, heading: string): string[][] {
  const rest = md.slice(md.indexOf(`## ${heading}`));
  const all = rest.split('\n');
  const start = all.findIndex((l) => l.startsWith('|'));
  const end = all.findIndex((l, i) => i > start && !l.startsWith('|'));
  return all
    .slice(start + 2, end < 0 ? undefined : end).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe('environment report of the bundled environments', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  const envs = loadEnvironments(ENV_DIR);
  const app = new App({ outdir, stackTraces: false });
  const stacksOf = new Map(envs.map((env) => [env.name, addEnvironmentStacks(app, env).names]));
  app.synth();
  const printed: string[] = [];
  writeReports(outdir, envs, stacksOf, (l) => printed.push(l));
  const manifest: Json = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const stackJson = (name: string): Json | undefined =>
    manifest.stacks[name] ? JSON.parse(fs.readFileSync(path.join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8')) : undefined;
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test.each(envs.map((e) => [e.name, e] as const))('%s: the tenants table matches the synthesized Tenant manifests', (name, env) => {
    const md = fs.readFileSync(path.join(outdir, `${name}.md`), 'utf8');
    const rows = table(md, 'Tenants');
    const tenantsStack = stackJson(`${name}-tenants`);
    if (tenantsStack === undefined) {
      expect(md).toContain('(no tenants stack)');
      expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(env.tenants ?? {}).sort());
      return;
    }
    const tenants: Json[] = Object.values(tenantsStack.resource?.kubernetes_manifest ?? {}).filter((r: Json) => r.manifest?.kind === 'Tenant');
    expect(rows.map((r) => r[0]).sort()).toEqual(tenants.map((t) => t.manifest.metadata.name).sort());
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(env.tenants ?? {}).sort());
    for (const t of tenants) {
      const row = rows.find((r) => r[0] === t.manifest.metadata.name) as string[];
      const spec = t.manifest.spec;
      expect(row[1].split('<br/>').map((o) => o.split(' ')[0])).toEqual(spec.owners.map((o: Json) => o.kind));
      expect(row[2]).toBe(spec.namespaceOptions?.quota === undefined ? 'unlimited' : String(spec.namespaceOptions.quota));
      // Policies in the Tenant spec, or replicated by a GlobalTenantResource (production).
      const replicated = Object.values(tenantsStack.resource?.kubernetes_manifest ?? {}).some(
        (r: Json) => r.manifest?.kind === 'GlobalTenantResource' && r.manifest.spec.tenantSelector.matchLabels['capsule-aks.io/tenant'] === t.manifest.metadata.name,
      );
      expect(row[3] === '—').toBe(!(spec.networkPolicies?.items?.length > 0) && !replicated);
      if (replicated) expect(row[3]).toMatch(/\(replicated\)$/);
      expect(row[4] === '—').toBe(!(spec.resourceQuotas?.items?.length > 0 || spec.rules?.some((r: Json) => r.quota?.length)));
      // Issue 14.7: rules, Pod Security level, allowed classes and where the kubeconfig is published.
      const level = spec.rules?.flatMap((r: Json) => r.enforce?.metadata ?? []).map((m: Json) => m.labels?.['pod-security.kubernetes.io/enforce']?.managed).find(Boolean);
      expect(row[7]).toBe(level ?? '—');
      expect(row[8].includes('storage:')).toBe(spec.storageClasses !== undefined);
      expect(row[9]).toMatch(new RegExp(`^Key Vault output kubeconfig_vault of ${name}-cluster, secret kubeconfig-`));
      expect(row[5].includes('prevent_destroy')).toBe(t.lifecycle?.prevent_destroy === true);
      expect(row[5].includes('preventDeletion')).toBe(spec.preventDeletion === true);
    }
  });

  test.each(envs.map((e) => [e.name] as const))('%s: stacks in deployment order, with the dependencies of the manifest', (name) => {
    const md = fs.readFileSync(path.join(outdir, `${name}.md`), 'utf8');
    const rows = table(md, 'Stacks').filter((r) => r[0] !== '');
    const names = rows.map((r) => r[1].replace(/`/g, ''));
    expect(names).toEqual(Object.keys(manifest.stacks).filter((s) => s.startsWith(`${name}-`)).sort((a, b) => names.indexOf(a) - names.indexOf(b)));
    for (const r of rows) {
      const deps: string[] = manifest.stacks[r[1].replace(/`/g, '')].dependencies;
      expect(r[3]).toBe(deps.length ? deps.map((d) => `\`${d}\``).join(', ') : '—');
      for (const d of deps) expect(names.indexOf(d)).toBeLessThan(names.indexOf(r[1].replace(/`/g, '')));
    }
    expect(md).toContain('```mermaid');
  });

  test.each(envs.map((e) => [e.name] as const))('%s: the proxy endpoint is the capsule stack output', (name) => {
    const md = fs.readFileSync(path.join(outdir, `${name}.md`), 'utf8');
    expect(md).toContain(`- Proxy endpoint: \`${stackJson(`${name}-capsule`).output.proxy_url.value.replace(/\$\{[^}]*\}/g, '(known at apply)')}\``);
  });

  test('poc: the default DNS label\'s random suffix is shown as known at apply', () => {
    const md = fs.readFileSync(path.join(outdir, 'poc.md'), 'utf8');
    expect(md).toContain('- Proxy endpoint: `https://capsule-proxy-(known at apply).francecentral.cloudapp.azure.com:443`');
  });

  test.each(envs.map((e) => [e.name] as const))('%s: the node pools table matches the synthesized cluster stack', (name) => {
    const md = fs.readFileSync(path.join(outdir, `${name}.md`), 'utf8');
    const rows = table(md, 'Cluster');
    const cluster = stackJson(`${name}-cluster`);
    const aks: Json = Object.values(cluster.resource.azurerm_kubernetes_cluster)[0];
    const pools: Json[] = Object.values(cluster.resource.azurerm_kubernetes_cluster_node_pool ?? {});
    expect(rows.map((r) => r[0])).toEqual([aks.default_node_pool.name, ...pools.map((p) => p.name).sort()]);
    expect(rows[0][1]).toBe(aks.default_node_pool.only_critical_addons_enabled ? 'system (default), only critical add-ons' : 'system (default)');
    expect(rows[0][2]).toBe(aks.default_node_pool.vm_size);
    expect(rows[0][8]).toBe(aks.default_node_pool.upgrade_settings.max_surge);
  });

  test('production: pools, both maintenance windows, monitoring and network placement are shown', () => {
    const md = fs.readFileSync(path.join(outdir, 'production.md'), 'utf8');
    const rows = table(md, 'Cluster');
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['system', 'system (default), only critical add-ons', 'Standard_D4s_v5', '3-6 (autoscaling)'],
      ['apps', 'User', 'Standard_D4s_v5', '3-10 (autoscaling)'],
    ]);
    expect(rows[0][7]).toBe('`nodes` 10.20.0.0/22 in VNet `capsule-prod-vnet` 10.20.0.0/16');
    expect(md.split('\n')).toEqual(
      expect.arrayContaining([
        '- Kubernetes: channel `patch`, Sunday 02:00 UTC+01:00 for 4 h, every week',
        '- Node OS: channel `NodeImage`, Wednesday 02:00 UTC+01:00 for 4 h, every week',
        '- Container Insights: on, workspace `capsule-prod-logs` (created, 90 days), data collection rule `MSCI-westeurope-capsule-prod`',
        '- Managed Prometheus: on, Azure Monitor workspace `capsule-prod-prometheus`, data collection rule `MSProm-westeurope-capsule-prod`',
        '- Audit logs: `kube-audit-admin`, `guard` to `capsule-prod-logs`',
        '- CNI: Azure CNI overlay (pods 192.168.0.0/16), network policy `calico`, services 10.21.0.0/16, DNS 10.21.0.10',
        '- API server: public, from 203.0.113.0/24, 198.51.100.10/32',
      ]),
    );
  });

  test('poc: the seed\'s shape (no windows, no monitoring, AKS-managed VNet, open API server)', () => {
    const md = fs.readFileSync(path.join(outdir, 'poc.md'), 'utf8');
    expect(md.split('\n')).toEqual(
      expect.arrayContaining([
        '- Kubernetes: channel `patch`, any time (no maintenance window)',
        '- Container Insights: off',
        '- Managed Prometheus: off',
        '- Audit logs: off',
        '- Nodes: AKS-managed VNet',
        '- API server: public, from any address',
      ]),
    );
  });

  test('one summary line per environment, naming its report', () => {
    expect(printed).toHaveLength(envs.length);
    envs.forEach((e, i) => {
      expect(printed[i]).toMatch(new RegExp(`^${e.name}: ${e.name}-cluster -> ${e.name}-capsule`));
      expect(printed[i]).toContain(path.join(outdir, `${e.name}.md`));
    });
  });
});

describe('environment report from given stacks', () => {
  const env = envFrom({ ...baseEnv(), protected: true, access: { clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' } }, 'demo');
  const cluster: SynthesizedStack = {
    name: 'demo-cluster',
    dependencies: [],
    warnings: 0,
    json: { resource: { azuread_group: { g_dev_1: { display_name: 'capsuleDevGroup' } } } },
  };
  const tenant = (name: string, extra: Json) => ({
    manifest: { apiVersion: 'capsule.clastix.io/v1beta2', kind: 'Tenant', metadata: { name }, spec: { owners: [{ kind: 'Group', name: '${data.terraform_remote_state.x.outputs.cross-stack-output-azuread_groupg_dev_1object_id}' }], ...extra } },
  });
  const tenants: SynthesizedStack = {
    name: 'demo-tenants',
    dependencies: ['demo-cluster'],
    warnings: 1,
    json: {
      resource: {
        kubernetes_manifest: {
          dev: {
            ...tenant('dev', {
              namespaceOptions: { quota: 5 },
              networkPolicies: { items: [{ policyTypes: ['Ingress', 'Egress'] }, { policyTypes: ['Ingress'] }] },
              resourceQuotas: { scope: 'Tenant', items: [{ hard: { 'limits.cpu': '8', 'requests.memory': '16Gi' } }] },
              preventDeletion: true,
            }),
            lifecycle: { prevent_destroy: true },
          },
          staging: tenant('staging', {}),
          ns: { manifest: { kind: 'Namespace', metadata: { name: 'not-a-tenant' } } },
        },
      },
    },
  };

  test('a tenant row shows owners by display name, quota, network policies, resource quota and protection', () => {
    const rows = table(renderReport(env, [cluster, tenants]), 'Tenants');
    expect(rows).toEqual([
      ['dev', 'Group capsuleDevGroup', '5', '2 policies (Ingress, Egress)', 'Tenant: limits.cpu=8, requests.memory=16Gi', 'preventDeletion, prevent_destroy', '—', '—', 'any', 'npm run kubeconfig -- demo dev (admins)'],
      ['staging', 'Group capsuleDevGroup', 'unlimited', '—', '—', '—', '—', '—', 'any', 'npm run kubeconfig -- demo staging (admins)'],
    ]);
  });

  test('text written escaped in cdk.tf.json ($${, %%{) is shown as Azure gets it (${, %{), not as known at apply', () => {
    const escaped: SynthesizedStack = { ...cluster, json: { resource: { azuread_group: { g_dev_1: { display_name: 'dev $${team} %%{x}' } } } } };
    const rows = table(renderReport(env, [escaped, tenants]), 'Tenants');
    expect(rows[0][1]).toBe('Group dev ${team} %{x}');
  });

  test('rules, rule quota, Pod Security, allowed classes and the published kubeconfig (issue 14.7)', () => {
    const withRules: SynthesizedStack = {
      ...tenants,
      json: {
        resource: {
          kubernetes_manifest: {
            dev: tenant('dev', {
              storageClasses: { allowed: ['managed-csi'], default: 'managed-csi' },
              ingressOptions: { allowedClasses: { matchLabels: { tier: 'tenant' } } },
              rules: [
                { enforce: { action: 'allow', workloads: { registries: [{ exp: '^myacr\\.azurecr\\.io/.*$', policy: ['Always'] }] } } },
                { quota: [{ name: 'compute', hard: { 'requests.cpu': '8' } }] },
                { enforce: { action: 'deny', metadata: [{ kinds: ['Namespace'], labels: { 'pod-security.kubernetes.io/enforce': { managed: 'restricted' } } }] } },
              ],
            }),
          },
          azurerm_key_vault_secret: { s: { name: 'kubeconfig-dev' } },
        },
      },
    };
    const vault: SynthesizedStack = { ...cluster, json: { resource: { ...cluster.json.resource as object, azurerm_key_vault: { v: { name: 'team-kubeconfigs' } } } } };
    const [row] = table(renderReport(env, [vault, withRules]), 'Tenants');
    expect(row.slice(4)).toEqual([
      'compute: requests.cpu=8',
      '—',
      'allow: registries myacr.azurecr.io (Always)',
      'restricted',
      'storage: managed-csi (default)<br/>ingress: labels tier=tenant',
      'Key Vault team-kubeconfigs, secret kubeconfig-dev',
    ]);
  });

  test('a rule with only permissions is shown as what it grants, not as a deny', () => {
    const withBinding: SynthesizedStack = {
      ...tenants,
      json: { resource: { kubernetes_manifest: { dev: tenant('dev', { rules: [{ permissions: { bindings: [{ clusterRoleName: 'r', subjects: [] }] } }] }) } } },
    };
    const [row] = table(renderReport(env, [cluster, withBinding]), 'Tenants');
    expect(row[6]).toBe('1 role binding(s)');
  });

  test('missing stacks are named, tenants then come from the environment file', () => {
    const md = renderReport(env, [cluster]);
    expect(md).toContain('- Proxy endpoint: (no capsule stack)');
    expect(md).toContain('(no tenants stack)');
    expect(table(md, 'Tenants')).toEqual([
      ['dev', 'Group capsuleDevGroup'],
      ['staging', 'Group capsuleStagingGroup'],
    ]);
  });

  test('only the stacks named as the environment\'s are reported (demo-eu-cluster is another environment\'s, demo-eu-tenants too)', () => {
    const other: SynthesizedStack = { name: 'demo-eu-cluster', dependencies: [], warnings: 0, json: {} };
    const otherTenants: SynthesizedStack = { name: 'demo-eu-tenants', dependencies: [], warnings: 0, json: {} };
    const mine = environmentStacks('demo', [other, otherTenants, tenants, cluster], ['demo-cluster', 'demo-capsule', 'demo-tenants']);
    expect(mine.map((s) => s.name)).toEqual(['demo-cluster', 'demo-tenants']);
    const md = renderReport(env, mine);
    expect(md).not.toContain('demo-eu-');
    expect(md).not.toContain('demo-eu-cluster');
    expect(table(md, 'Stacks').map((r) => r[1])).toEqual(['`demo-cluster`', '`demo-tenants`', '`demo-capsule`']);
  });

  test('readSynthesizedStacks counts warnings from the manifest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    fs.mkdirSync(path.join(dir, 'stacks', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', 'x', 'cdk.tf.json'), '{}');
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ stacks: { x: { name: 'x', dependencies: ['y'], synthesizedStackPath: 'stacks/x/cdk.tf.json', annotations: [{ level: '@cdktf/warn' }, { level: '@cdktf/info' }] } } }),
    );
    expect(readSynthesizedStacks(dir)).toEqual([{ name: 'x', dependencies: ['y'], json: {}, warnings: 1 }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
