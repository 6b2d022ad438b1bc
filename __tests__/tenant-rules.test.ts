import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { CapsuleTenant, CapsuleTenantProps } from '../constructs/capsule-tenant';
import { allowFromNamespacesNetworkPolicy, isolatedNetworkPolicy, standardLimitRange } from '../constructs/tenant-presets';
import { missingContainerDefaults, registryRule } from '../constructs/tenant-rules';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { TenantsStack } from '../stacks/tenants-stack';
import { baseEnv, ENV_DIR, envFrom, Json, problemsOf, resources } from './helpers';

const GROUP = '33333333-3333-3333-3333-333333333333';

function mutated(fn: (e: Json) => void, base: Json = baseEnv()): Json {
  fn(base);
  return base;
}

function production(): Json {
  return parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8')) as Json;
}

function tenantSpec(props: Partial<CapsuleTenantProps>): Json {
  const s = new TerraformStack(Testing.app(), 'test');
  new CapsuleTenant(s, 'tenant', { name: 'team-a', owners: [{ kind: 'Group', name: GROUP }], ...props });
  return resources(JSON.parse(Testing.synth(s)), 'kubernetes_manifest').find((r: Json) => r.manifest.kind === 'Tenant').manifest.spec;
}

/** Full app synth of an environment: the three stacks' JSON. */
function synthEnv(data: Json, name: string): { cluster: Json; capsule: Json; tenants: Json } {
  const app = Testing.app();
  const cluster = new ClusterStack(app, `${name}-cluster`, { env: envFrom(data, name) });
  const capsule = new CapsuleStack(app, `${name}-capsule`, { cluster });
  new TenantsStack(app, `${name}-tenants`, { cluster, capsule });
  app.synth();
  const read = (s: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', `${name}-${s}`, 'cdk.tf.json'), 'utf8')) as Json;
  return { cluster: read('cluster'), capsule: read('capsule'), tenants: read('tenants') };
}

function tenantsOf(json: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const r of resources(json, 'kubernetes_manifest')) if (r.manifest.kind === 'Tenant') out[r.manifest.metadata.name] = r.manifest.spec;
  return out;
}

function capsuleUsers(json: Json): Json[] {
  const release = resources(json, 'helm_release').find((r: Json) => r.chart === 'capsule');
  return (parse(release.values[0]) as Json).manager.options.users;
}

describe('bad tenant input is refused with file, line, field and what is allowed', () => {
  // As YAML text, so that the reported line is the line of the bad value.
  const prodWith = (fn: (e: Json) => void) => stringify(mutated(fn, production()));
  test.each<[string, Json, RegExp]>([
    ['unknown rule key', prodWith((e) => (e.tenants.payments.rules[0].enforcee = {})), /production\.yaml:\d+: tenants\.payments\.rules\.0\.enforcee: unknown key "enforcee" \(did you mean "enforce"\?\); allowed: namespaceSelector, enforce, quota, permissions/],
    ['unknown key inside enforce', prodWith((e) => (e.tenants.payments.rules[0].enforce.workload = {})), /tenants\.payments\.rules\.0\.enforce\.workload: unknown key "workload" \(did you mean "workloads"\?\)/],
    ['registry that is not a registry pattern', prodWith((e) => (e.tenants.payments.rules[0].enforce.workloads.registries[0].registry = 'https://*.azurecr.io')), /production\.yaml:\d+: tenants\.payments\.rules\.0\.enforce\.workloads\.registries\.0\.registry: "https:\/\/\*\.azurecr\.io" must be a registry host/],
    ['registry without a dot or port', prodWith((e) => (e.tenants.payments.rules[0].enforce.workloads.registries[0].registry = 'nginx')), /registries\.0\.registry: "nginx" must be a registry host/],
    ['unknown pull policy', prodWith((e) => (e.tenants.payments.rules[0].enforce.workloads.registries[0].pullPolicies = ['Sometimes'])), /registries\.0\.pullPolicies\.0: "Sometimes" .*Always.*IfNotPresent.*Never/],
    ['rule enforce without action', prodWith((e) => delete e.tenants.payments.rules[0].enforce.action), /tenants\.payments\.rules\.0\.enforce\.action: is required/],
    ['quota on an unknown resource name (rules)', prodWith((e) => (e.tenants.payments.rules[1].quota[0].hard['request.cpu'] = '1')), /tenants\.payments\.rules\.1\.quota\.0\.hard\.request\.cpu: .*must be a ResourceQuota resource name: cpu, memory, requests\.cpu/],
    ['quota on an unknown resource name (resourceQuotas)', mutated((e) => (e.tenants.dev.resourceQuotas.items[0].hard.gpus = '1')), /tenants\.dev\.resourceQuotas\.items\.0\.hard\.gpus: .*must be a ResourceQuota resource name/],
    ['quota amount that is not a quantity', prodWith((e) => (e.tenants.payments.rules[1].quota[0].hard.pods = 'many')), /hard\.pods: "many" must be a Kubernetes quantity/],
    ['quota name that is not a label', prodWith((e) => (e.tenants.payments.rules[1].quota[0].name = 'Compute')), /rules\.1\.quota\.0\.name: "Compute" must be 1-63 lowercase letters, digits and "-"/],
    ['Pod Security level that is not one of the three', prodWith((e) => (e.tenants.payments.podSecurity = 'strict')), /production\.yaml:\d+: tenants\.payments\.podSecurity: "strict" must be one of restricted, baseline, privileged/],
    ['tenancy Pod Security level', prodWith((e) => (e.tenancy.podSecurity = 'none')), /tenancy\.podSecurity: "none" must be one of restricted, baseline, privileged/],
    ['ServiceAccount owner outside the tenant namespaces', prodWith((e) => (e.tenants.payments.owners[1] = { serviceAccount: 'flux-system/kustomize-controller' })), /production\.yaml:\d+: tenants\.payments\.owners\.1\.serviceAccount: "flux-system\/kustomize-controller" must be in a namespace of tenant payments: with forceTenantPrefix, its namespaces are named payments-<name>/],
    ['ServiceAccount owner in a namespace named like another tenant\'s (team vs team-a)', mutated((e) => ((e.tenants.team = { owners: [{ group: 'dev' }, { serviceAccount: 'team-a-ci/flux' }] }), (e.tenants['team-a'] = { owners: [{ group: 'dev' }] }))), /tenants\.team\.owners\.1\.serviceAccount: "team-a-ci\/flux" must be in a namespace of tenant team: team-a-ci is named like a namespace of tenant team-a/],
    ['ServiceAccount owner in a system namespace', mutated((e) => ((e.capsule.forceTenantPrefix = false), (e.tenants.dev.owners = [{ serviceAccount: 'kube-system/default' }]))), /tenants\.dev\.owners\.0\.serviceAccount: "kube-system\/default" must be in a namespace of tenant dev, not the system namespace kube-system/],
    // Without forceTenantPrefix nothing ties a namespace to a tenant: another tenant's owners could create dev-gitops.
    ['ServiceAccount owner with forceTenantPrefix off Capsule-wide', mutated((e) => ((e.capsule.forceTenantPrefix = false), (e.tenants.dev.owners = [{ serviceAccount: 'dev-gitops/flux' }]))), /test\.yaml:\d+: tenants\.dev\.owners\.0\.serviceAccount: "dev-gitops\/flux" needs forceTenantPrefix true for tenant dev: without it, nothing proves that namespace dev-gitops belongs to dev/],
    ['ServiceAccount owner with forceTenantPrefix off on its tenant', prodWith((e) => (e.tenants.payments.forceTenantPrefix = false)), /production\.yaml:\d+: tenants\.payments\.owners\.1\.serviceAccount: "payments-gitops\/flux-reconciler" needs forceTenantPrefix true for tenant payments/],
    ['ServiceAccount owner that is not namespace/name', prodWith((e) => (e.tenants.payments.owners[1] = { serviceAccount: 'flux' })), /tenants\.payments\.owners\.1\.serviceAccount: "flux" must be <namespace>\/<name>/],
    ['metadata rule without labels or annotations', prodWith((e) => (e.tenants.payments.rules[0].enforce.metadata = [{ kinds: ['Namespace'] }])), /rules\.0\.enforce\.metadata\.0: .*must set labels or annotations/],
    // Issue 12.3: a quota on cpu/memory without container defaults makes no pods.
    ['cpu/memory quota without a LimitRange (names the tenant)', mutated((e) => delete e.tenants.dev.limitRange), /test\.yaml:\d+: tenants\.dev\.resourceQuotas: \["limits\.cpu","limits\.memory","requests\.cpu","requests\.memory"\] is a quota that pods must then declare, but no LimitRange gives containers defaults/],
    ['rules quota on cpu without a LimitRange', prodWith((e) => delete e.tenants.search.limitRange), /tenants\.search\.rules: \["limits\.cpu","limits\.memory","requests\.cpu","requests\.memory"\] is a quota/],
  ])('%s', (_name, data, message) => {
    const file = typeof data === 'string' ? 'production' : 'test';
    const problems = problemsOf(data, file).join('\n');
    expect(problems).toMatch(message);
    if (typeof data === 'string') expect(problems).not.toMatch(/production\.yaml:1:/);
  });

  test('a LimitRange of the user giving the defaults is enough; a request-only quota is satisfied by defaultRequest', () => {
    const ok = mutated((e) => {
      delete e.tenants.dev.limitRange;
      e.tenants.dev.resourceQuotas.items[0].hard = { 'requests.cpu': '4', pods: '10' };
      e.tenants.dev.limitRanges = [{ limits: [{ type: 'Container', defaultRequest: { cpu: '100m' } }] }];
    });
    expect(problemsOf(ok)).toEqual([]);
  });
});

describe('missingContainerDefaults (Kubernetes LimitRange defaulting)', () => {
  test('limits need default or max; requests also accept defaultRequest or min', () => {
    const hard = ['limits.cpu', 'requests.memory', 'pods'];
    expect(missingContainerDefaults(hard, [])).toEqual(['limits.cpu', 'requests.memory']);
    expect(missingContainerDefaults(hard, [{ limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] }])).toEqual([]);
    expect(missingContainerDefaults(hard, [{ limits: [{ type: 'Container', defaultRequest: { cpu: '1', memory: '1Gi' } }] }])).toEqual(['limits.cpu']);
    expect(missingContainerDefaults(['cpu'], [{ limits: [{ type: 'Pod', default: { cpu: '1' } }] }])).toEqual(['requests.cpu']);
    expect(missingContainerDefaults(['cpu', 'memory'], [standardLimitRange()])).toEqual([]);
  });
});

describe('CapsuleTenant rules, Pod Security and the ingress controllers (construct)', () => {
  test('rules are written as given, unset fields left out', () => {
    const spec = tenantSpec({
      rules: [
        { enforce: { action: 'allow', workloads: { registries: [registryRule('myacr.azurecr.io', ['Always'])], qosClasses: ['Guaranteed'] } } },
        { namespaceSelector: { matchLabels: { env: 'prod' } }, quota: [{ name: 'compute', hard: { 'requests.storage': '100Gi', pods: '20' } }] },
        { permissions: { bindings: [{ clusterRoleName: 'view', subjects: [{ kind: 'Group', name: GROUP }] }] } },
      ],
    });
    expect(spec.rules).toEqual([
      { enforce: { action: 'allow', workloads: { registries: [{ exp: '^myacr\\.azurecr\\.io/.*$', policy: ['Always'] }], qosClasses: ['Guaranteed'] } } },
      { namespaceSelector: { matchLabels: { env: 'prod' } }, quota: [{ name: 'compute', hard: { 'requests.storage': '100Gi', pods: '20' } }] },
      { permissions: { bindings: [{ clusterRoleName: 'view', subjects: [{ kind: 'Group', name: GROUP }] }] } },
    ]);
    expect(spec.resourceQuotas).toBeUndefined();
  });

  test('a registry pattern matches images under it only (anchored, with the "/")', () => {
    const re = new RegExp(registryRule('myacr.azurecr.io').exp!);
    expect(re.test('myacr.azurecr.io/app:1.0')).toBe(true);
    expect(re.test('myacr.azurecr.io.evil.example/app:1.0')).toBe(false);
    expect(re.test('evil.example/myacr.azurecr.io/app')).toBe(false);
  });

  test('podSecurity: a rule puts the managed enforce label, and enforce-version latest, on every namespace', () => {
    // enforce-version managed too: an owner's `enforce-version: v1.0` would otherwise weaken the level.
    expect(tenantSpec({ podSecurity: 'restricted' }).rules).toEqual([
      {
        enforce: {
          action: 'deny',
          metadata: [{ kinds: ['Namespace'], labels: { 'pod-security.kubernetes.io/enforce': { managed: 'restricted' }, 'pod-security.kubernetes.io/enforce-version': { managed: 'latest' } } }],
        },
      },
    ]);
    expect(tenantSpec({}).rules).toBeUndefined();
  });

  test.each<[string, Partial<CapsuleTenantProps>, RegExp]>([
    ['bad Pod Security level', { podSecurity: 'strict' as never }, /test\/tenant: podSecurity "strict" is invalid: must be one of restricted, baseline, privileged/],
    ['quota on an unknown resource', { rules: [{ quota: [{ name: 'q', hard: { gpus: '1' } }] }] }, /rules\[0\]\.quota\[0\]\.hard "gpus" is invalid: must be a ResourceQuota resource name/],
    ['quota on cpu without container defaults', { resourceQuotas: { items: [{ hard: { 'limits.cpu': '4' } }] } }, /limitRanges \[\] is invalid: must give containers defaults for limits\.cpu/],
    ['enforce without a valid action', { rules: [{ enforce: { action: 'permit' as never } }] }, /rules\[0\]\.enforce\.action "permit" is invalid: must be allow, deny or audit/],
    ['registry rule with neither exact nor exp', { rules: [{ enforce: { action: 'allow', workloads: { registries: [{}] } } }] }, /registries\[0\] \{\} is invalid: must set exact/],
    ['bad ingress controller namespace', { ingressControllerNamespaces: ['App_Routing'] }, /ingressControllerNamespaces\[0\] "App_Routing" is invalid/],
    [
      'ServiceAccount owner outside the tenant namespaces (forceTenantPrefix)',
      { forceTenantPrefix: true, owners: [{ kind: 'ServiceAccount', name: 'system:serviceaccount:flux-system:kustomize-controller' }] },
      /owners\[0\]\.name "system:serviceaccount:flux-system:kustomize-controller" is invalid: must be in a namespace of tenant team-a: with forceTenantPrefix, its namespaces are named team-a-<name>/,
    ],
    [
      'ServiceAccount owner without forceTenantPrefix true on the Tenant (the construct cannot see the Capsule-wide setting)',
      { owners: [{ kind: 'ServiceAccount', name: 'system:serviceaccount:team-a-ci:deployer' }] },
      /owners\[0\]\.name "system:serviceaccount:team-a-ci:deployer" is invalid: needs forceTenantPrefix true for tenant team-a/,
    ],
    [
      'ServiceAccount owner in a system namespace (even without forceTenantPrefix)',
      { owners: [{ kind: 'ServiceAccount', name: 'system:serviceaccount:kube-system:default' }] },
      /owners\[0\]\.name "system:serviceaccount:kube-system:default" is invalid: must be in a namespace of tenant team-a, not the system namespace kube-system/,
    ],
  ])('refused: %s', (_n, props, message) => {
    expect(() => tenantSpec(props)).toThrow(message);
  });

  test('allowed ingress classes: the ingress controllers are admitted (default app-routing-system); none allowed or [] given: no extra policy', () => {
    const np = { items: [isolatedNetworkPolicy('team-a')] };
    const classes = { allowedClasses: { allowed: ['webapprouting.kubernetes.azure.com'] } };
    expect(tenantSpec({ networkPolicies: np, ingressOptions: classes }).networkPolicies.items[1]).toEqual(allowFromNamespacesNetworkPolicy(['app-routing-system']));
    expect(tenantSpec({ networkPolicies: np, ingressOptions: classes, ingressControllerNamespaces: ['ingress-nginx'] }).networkPolicies.items[1].ingress[0].from[0].namespaceSelector).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ingress-nginx'] }],
    });
    expect(tenantSpec({ networkPolicies: np }).networkPolicies.items).toHaveLength(1);
    expect(tenantSpec({ networkPolicies: np, ingressOptions: classes, ingressControllerNamespaces: [] }).networkPolicies.items).toHaveLength(1);
  });
});

describe('GlobalProxySetting: owners can list the classes they are allowed through capsule-proxy (issue 14.3)', () => {
  function proxySettings(props: Partial<CapsuleTenantProps>): Json[] {
    const s = new TerraformStack(Testing.app(), 'test');
    new CapsuleTenant(s, 'tenant', { name: 'team-a', owners: [{ kind: 'Group', name: GROUP }, { kind: 'User', name: 'alice@contoso.com' }], ...props });
    return resources(JSON.parse(Testing.synth(s)), 'kubernetes_manifest').filter((r: Json) => r.manifest.kind === 'GlobalProxySettings');
  }
  const byName = (names: string[]) => ({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }] });

  test('one GlobalProxySetting per tenant: its owners, List and Get on its allowed classes by name (default included) or labels', () => {
    const [gps] = proxySettings({
      storageClasses: { allowed: ['managed-csi'], default: 'azurefile' },
      ingressOptions: { allowedClasses: { matchLabels: { tier: 'tenant' } } },
      priorityClasses: { allowed: ['low'] },
    });
    expect(gps.manifest).toMatchObject({ apiVersion: 'capsule.clastix.io/v1beta1', kind: 'GlobalProxySettings', metadata: { name: 'team-a-proxy' } });
    expect(gps.manifest.spec.rules).toEqual([
      {
        subjects: [{ kind: 'Group', name: GROUP }, { kind: 'User', name: 'alice@contoso.com' }],
        clusterResources: [
          { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], operations: ['List', 'Get'], selector: byName(['azurefile', 'managed-csi']) },
          { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], operations: ['List', 'Get'], selector: { matchLabels: { tier: 'tenant' } } },
          { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], operations: ['List', 'Get'], selector: byName(['low']) },
        ],
      },
    ]);
    expect(gps.depends_on).toEqual([expect.stringMatching(/^kubernetes_manifest\.tenant_/)]);
  });

  test('extra cluster resources are added; no classes and no extras, or proxyClassAccess false: none', () => {
    const extra = { apiGroups: [''], resources: ['nodes'], selector: { matchLabels: { pool: 'tenants' } }, operations: ['List' as const] };
    const [gps] = proxySettings({ proxyClusterResources: [extra] });
    expect(gps.manifest.spec.rules[0].clusterResources).toEqual([extra]);
    expect(proxySettings({})).toEqual([]);
    expect(proxySettings({ storageClasses: { allowed: ['managed-csi'] }, proxyClassAccess: false })).toEqual([]);
  });

  // capsule-proxy v0.14.0 selects by labels only (internal/webserver/webserver.go:451-470; clusterscoped/utils.go:34-44)
  // and Kubernetes puts kubernetes.io/metadata.name on Namespaces only: the classes allowed by name must be labelled.
  function classLabels(props: Partial<CapsuleTenantProps>, name = 'team-a'): Json[] {
    const s = new TerraformStack(Testing.app(), 'test');
    new CapsuleTenant(s, 'tenant', { name, owners: [{ kind: 'Group', name: GROUP }], ...props });
    return resources(JSON.parse(Testing.synth(s)), 'kubernetes_labels');
  }

  test('an owner of a tenant allowed managed-csi sees exactly it: the class gets the label the GlobalProxySetting selects by', () => {
    const labels = classLabels({ storageClasses: { allowed: ['managed-csi'], default: 'managed-csi' } });
    expect(labels).toEqual([
      {
        api_version: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'managed-csi' },
        labels: { 'kubernetes.io/metadata.name': 'managed-csi' },
        field_manager: 'capsule-aks-team-a',
      },
    ]);
    const [gps] = proxySettings({ storageClasses: { allowed: ['managed-csi'], default: 'managed-csi' } });
    expect(gps.manifest.spec.rules[0].clusterResources).toEqual([
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], operations: ['List', 'Get'], selector: byName(['managed-csi']) },
    ]);
  });

  test('every kind allowed by name is labelled (default included, once); classes allowed by labels are not; proxyClassAccess false: none', () => {
    const labels = classLabels({
      storageClasses: { allowed: ['managed-csi', 'azurefile-csi'], default: 'managed-csi' },
      ingressOptions: { allowedClasses: { matchLabels: { tier: 'tenant' } } },
      priorityClasses: { allowed: ['low'] },
    });
    expect(labels.map((l: Json) => `${l.kind}/${l.metadata.name}`).sort()).toEqual(['PriorityClass/low', 'StorageClass/azurefile-csi', 'StorageClass/managed-csi']);
    expect(classLabels({ ingressOptions: { allowedClasses: { allowed: ['nginx'] } } })[0]).toMatchObject({ api_version: 'networking.k8s.io/v1', kind: 'IngressClass', labels: { 'kubernetes.io/metadata.name': 'nginx' } });
    expect(classLabels({ storageClasses: { allowed: ['managed-csi'] }, proxyClassAccess: false })).toEqual([]);
  });

  test('two tenants allowed one class: one field manager each, so removing one tenant keeps the label for the other', () => {
    const a = classLabels({ storageClasses: { allowed: ['managed-csi'] } }, 'team-a')[0];
    const b = classLabels({ storageClasses: { allowed: ['managed-csi'] } }, 'team-b')[0];
    expect([a.field_manager, b.field_manager]).toEqual(['capsule-aks-team-a', 'capsule-aks-team-b']);
    expect(a.force).toBeUndefined();
  });

  test('environment file: a class name that cannot be a label value (the label is the name) is refused', () => {
    const data = production();
    data.tenants.payments.storageClasses = { allowed: ['Managed_CSI'], default: 'x'.repeat(64) };
    const problems = problemsOf(stringify(data), 'production').join('\n');
    expect(problems).toMatch(/production\.yaml:\d+: tenants\.payments\.storageClasses\.allowed\.0: "Managed_CSI" must be a class name/);
    expect(problems).toMatch(/tenants\.payments\.storageClasses\.default: "x{64}" must be a class name: 1-63/);
  });

  test('environment file: proxyClusterResources with "*" is refused', () => {
    const data = production();
    data.tenants.payments.proxyClusterResources = [{ apiGroups: ['*'], resources: ['*'], selector: {} }];
    const problems = problemsOf(stringify(data), 'production').join('\n');
    expect(problems).toMatch(/tenants\.payments\.proxyClusterResources\.0\.apiGroups\.0: "\*" must be an API group/);
    expect(problems).toMatch(/tenants\.payments\.proxyClusterResources\.0\.resources\.0: "\*" must be a plural resource name/);
  });
});

describe('bundled environments (full synth)', () => {
  const poc = synthEnv(baseEnv(), 'poc');
  const prod = synthEnv(production(), 'production');
  const pocTenants = tenantsOf(poc.tenants);
  const prodTenants = tenantsOf(prod.tenants);

  test('POC dev: its cpu/memory quota comes with the standard LimitRange (issue 12.3); seed parity otherwise (no rules)', () => {
    expect(pocTenants.dev.limitRanges).toEqual({ items: [standardLimitRange()] });
    expect(pocTenants.dev.resourceQuotas.items[0].hard['limits.cpu']).toBe('8');
    for (const t of Object.values(pocTenants)) expect(t.rules).toBeUndefined();
  });

  test('production: rules with registries (pull policy Always) and a tenant-wide quota, no resourceQuotas / containerRegistries', () => {
    const rules = prodTenants.payments.rules;
    expect(rules[0]).toEqual({ enforce: { action: 'allow', workloads: { registries: [{ exp: '^capsuleprod\\.azurecr\\.io/payments/.*$', policy: ['Always'] }] } } });
    expect(rules[1].quota).toEqual([{ name: 'compute', hard: { 'requests.cpu': '8', 'requests.memory': '16Gi', 'limits.cpu': '16', 'limits.memory': '32Gi', pods: '100' } }]);
    expect(rules[1].namespaceSelector).toBeUndefined();
    for (const t of Object.values(prodTenants)) {
      expect(t.resourceQuotas).toBeUndefined();
      expect(t.containerRegistries).toBeUndefined();
    }
  });

  test('production: Pod Security restricted for payments (its own), baseline for search (tenancy default); POC: none', () => {
    const level = (spec: Json) =>
      (spec.rules ?? []).flatMap((r: Json) => r.enforce?.metadata ?? []).map((m: Json) => m.labels?.['pod-security.kubernetes.io/enforce']?.managed).find(Boolean);
    expect(level(prodTenants.payments)).toBe('restricted');
    expect(level(prodTenants.search)).toBe('baseline');
    expect(level(pocTenants.dev)).toBeUndefined();
  });

  test('a protected environment without a tenancy section still enforces baseline', () => {
    const data = production();
    delete data.tenancy;
    delete data.tenants.payments.podSecurity;
    const spec = tenantsOf(synthEnv(data, 'production').tenants).payments;
    expect(spec.rules.at(-1).enforce.metadata[0].labels['pod-security.kubernetes.io/enforce']).toEqual({ managed: 'baseline' });
  });

  test('a ServiceAccount owner in YAML ends up in the Tenant and in Capsule users (issue 14.4)', () => {
    expect(prodTenants.payments.owners[1]).toEqual({ kind: 'ServiceAccount', name: 'system:serviceaccount:payments-gitops:flux-reconciler', clusterRoles: ['admin', 'capsule-namespace-deleter'] });
    expect(capsuleUsers(prod.capsule)).toContainEqual({ kind: 'ServiceAccount', name: 'system:serviceaccount:payments-gitops:flux-reconciler' });
    // Its tenant pins forceTenantPrefix (the namespace rule depends on it); a tenant without one keeps Capsule's.
    expect(prodTenants.payments.forceTenantPrefix).toBe(true);
    expect(prodTenants.search.forceTenantPrefix).toBeUndefined();
    // No Entra object and no Azure role for it.
    expect(JSON.stringify(prod.cluster)).not.toContain('flux-reconciler');
  });

  test('production: every owner group is a Capsule user by object ID; no group membership at all (issue 12.5)', () => {
    expect(capsuleUsers(prod.capsule)).toEqual([
      { kind: 'Group', name: '22222222-2222-2222-2222-222222222222' },
      { kind: 'Group', name: '33333333-3333-3333-3333-333333333333' },
      { kind: 'Group', name: '44444444-4444-4444-4444-444444444444' },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:payments-gitops:flux-reconciler' },
    ]);
    expect(prod.cluster.resource.azuread_group_member).toBeUndefined();
  });

  test('production replication: one ServiceAccount for every tenant, rights on network policies and limit ranges only (issue 14.5)', () => {
    const gtrs = resources(prod.tenants, 'kubernetes_manifest').filter((r: Json) => r.manifest.kind === 'GlobalTenantResource');
    for (const g of gtrs) expect(g.manifest.spec.serviceAccount).toEqual({ name: 'capsule-aks-replicator', namespace: 'capsule-system' });
    expect(resources(prod.tenants, 'kubernetes_service_account_v1')).toHaveLength(1);
    expect(resources(prod.tenants, 'kubernetes_cluster_role_v1')[0].rule.flatMap((r: Json) => r.resources).sort()).toEqual(['limitranges', 'networkpolicies']);
    expect(poc.tenants.resource.kubernetes_service_account_v1).toBeUndefined();
    // Bound in each tenant's namespaces by that Tenant's rule, nowhere else.
    expect(prod.tenants.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
    const binding = { clusterRoleName: 'capsule-aks-replicator', subjects: [{ kind: 'ServiceAccount', name: 'capsule-aks-replicator', namespace: 'capsule-system' }] };
    for (const t of Object.values(prodTenants)) expect(t.rules).toContainEqual({ permissions: { bindings: [binding] } });
    for (const t of Object.values(pocTenants)) expect(t.rules).toBeUndefined();
  });

  test('production: each tenant owner group may list its allowed storage and ingress classes through capsule-proxy', () => {
    const gps = resources(prod.tenants, 'kubernetes_manifest').filter((r: Json) => r.manifest.kind === 'GlobalProxySettings');
    expect(gps.map((g: Json) => g.manifest.metadata.name).sort()).toEqual(['payments-proxy', 'search-proxy']);
    const search = gps.find((g: Json) => g.manifest.metadata.name === 'search-proxy').manifest.spec.rules[0];
    expect(search.subjects).toEqual([{ kind: 'Group', name: '44444444-4444-4444-4444-444444444444' }]);
    expect(search.clusterResources.map((r: Json) => r.resources[0])).toEqual(['storageclasses', 'ingressclasses']);
    // ... and the classes they name carry the label those rules select by (one per tenant and class).
    const labelled = resources(prod.tenants, 'kubernetes_labels').map((l: Json) => `${l.field_manager} ${l.kind}/${l.metadata.name}`).sort();
    expect(labelled).toEqual([
      'capsule-aks-payments IngressClass/nginx',
      'capsule-aks-payments StorageClass/managed-csi',
      'capsule-aks-payments StorageClass/managed-csi-premium',
      'capsule-aks-search IngressClass/nginx',
      'capsule-aks-search StorageClass/managed-csi',
      'capsule-aks-search StorageClass/managed-csi-premium',
    ]);
  });

  test('self-service kubeconfigs: a Key Vault in RBAC mode, the writer role with a propagation wait (issue 14.6)', () => {
    const [vault] = resources(prod.cluster, 'azurerm_key_vault');
    expect(vault).toMatchObject({ rbac_authorization_enabled: true, purge_protection_enabled: true, lifecycle: { prevent_destroy: true } });
    // Unique per deployment, stable (the suffix is kept in state): a recreated environment never meets the name its
    // soft-deleted predecessor holds for the retention days (purge protection).
    expect(vault.name).toMatch(/^kubeconfigs-\$\{random_string\.kubeconfig-vault-suffix\.result\}$/);
    const writer = resources(prod.cluster, 'azurerm_role_assignment').filter((r: Json) => r.role_definition_name === 'Key Vault Secrets Officer');
    expect(writer).toHaveLength(1);
    expect(writer[0].scope).toMatch(/azurerm_key_vault\..*\.id/);
    expect(resources(prod.cluster, 'time_sleep').some((t: Json) => JSON.stringify(t.depends_on).includes('kubeconfig-vault'))).toBe(true);
    expect(prod.cluster.output.kubeconfig_vault.value).toMatch(/azurerm_key_vault\..*\.name/);
    // POC: no name given, a random suffix kept in state.
    expect(resources(poc.cluster, 'azurerm_key_vault')[0].name).toMatch(/^kubeconfigs-\$\{random_string\..*\.result\}$/);
  });

  test('each tenant kubeconfig is a secret readable by its Entra owners only ("Key Vault Secrets User" on that secret)', () => {
    const secrets = resources(prod.tenants, 'azurerm_key_vault_secret');
    expect(secrets.map((x: Json) => x.name).sort()).toEqual(['kubeconfig-payments', 'kubeconfig-search']);
    const payments = secrets.find((x: Json) => x.name === 'kubeconfig-payments');
    expect(payments.value).toContain('capsule.example.com');
    const readers = resources(prod.tenants, 'azurerm_role_assignment');
    expect(readers.map((r: Json) => r.role_definition_name)).toEqual(['Key Vault Secrets User', 'Key Vault Secrets User']);
    const [paymentsKey] = Object.entries(prod.tenants.resource.azurerm_key_vault_secret).find(([, x]) => (x as Json).name === 'kubeconfig-payments')!;
    const paymentsReaders = readers.filter((r: Json) => r.scope === `\${azurerm_key_vault_secret.${paymentsKey}.resource_versionless_id}`);
    // The team's group; not the Flux ServiceAccount (it has no Entra identity), not the other team.
    expect(paymentsReaders.map((r: Json) => [r.principal_id, r.principal_type])).toEqual([['33333333-3333-3333-3333-333333333333', 'Group']]);
  });

  test('tenancy.kubeconfigs.publish: false publishes nothing; a bad vault name is refused', () => {
    const data = production();
    data.tenancy.kubeconfigs = { publish: false };
    const off = synthEnv(data, 'production');
    expect(off.cluster.resource.azurerm_key_vault).toBeUndefined();
    expect(off.tenants.resource.azurerm_key_vault_secret).toBeUndefined();
    const bad = production();
    bad.tenancy.kubeconfigs = { keyVaultName: 'kv_prod' };
    expect(problemsOf(stringify(bad), 'production').join('\n')).toMatch(/tenancy\.kubeconfigs\.keyVaultName: "kv_prod" must be 3-24 letters/);
  });

  test('an owner user of the entra section is a Capsule user by UPN', () => {
    const data = mutated((e) => e.tenants.dev.owners.push({ user: 'capsule-user-dev' }));
    const users = capsuleUsers(synthEnv(data, 'poc').capsule);
    expect(users.filter((u: Json) => u.kind === 'User')).toEqual([{ kind: 'User', name: expect.stringMatching(/azuread_user.*capsule-user-dev.*user_principal_name/) }]);
  });
});
