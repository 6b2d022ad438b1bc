import { AnnotationMetadataEntryType, Lazy, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import { KubernetesCluster, KubernetesClusterConfig } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import { Release } from '@cdktf/provider-helm/lib/release';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktf/provider-random/lib/password';
import { User } from '@cdktf/provider-azuread/lib/user';
import { AksCluster } from '../constructs/aks-cluster';
import { CapsuleTenant } from '../constructs/capsule-tenant';
import { applyPolicyChecks, CapsulePolicyChecksProps, POLICY_CHECKS, PolicyConfigError, policyErrors } from '../policy/policy-checks';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { loadEnvironments } from '../config/load';
import { EnvironmentConfig } from '../config/schema';
import { baseEnv, ENV_DIR, envFrom, Json, problemsOf, withRecord } from './helpers';

interface Found {
  level: 'error' | 'warning' | 'info';
  message: string;
}

const LEVELS: Record<string, Found['level']> = {
  [AnnotationMetadataEntryType.ERROR]: 'error',
  [AnnotationMetadataEntryType.WARN]: 'warning',
  [AnnotationMetadataEntryType.INFO]: 'info',
};

/** Annotations of a tree after running the policy checks (as main.ts does before synth). */
function annotations(root: IConstruct): Found[] {
  policyErrors(root);
  return root.node.findAll().flatMap((n) => n.node.metadata.filter((m) => LEVELS[m.type]).map((m) => ({ level: LEVELS[m.type], message: String(m.data) })));
}

/** Policy findings (by check id prefix) of a stack built by `build`. */
function check(build: (stack: TerraformStack) => void, props: CapsulePolicyChecksProps = {}): Found[] {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  build(stack);
  applyPolicyChecks(stack, props);
  return annotations(app).filter((f) => /\[CAKS\d{3}\]/.test(f.message));
}

const ids = (found: Found[], level?: Found['level']) => found.filter((f) => !level || f.level === level).map((f) => f.message.match(/\[(CAKS\d{3})\]/)![1]);

function cluster(stack: TerraformStack, extra: Partial<KubernetesClusterConfig> = {}): KubernetesCluster {
  return new KubernetesCluster(stack, 'aks', {
    name: 'aks',
    location: 'westeurope',
    resourceGroupName: 'rg',
    dnsPrefix: 'aks',
    defaultNodePool: { name: 'system', vmSize: 'Standard_D2s_v5', nodeCount: 1 },
    identity: { type: 'SystemAssigned' },
    localAccountDisabled: true,
    apiServerAccessProfile: { authorizedIpRanges: ['203.0.113.0/24'] },
    lifecycle: { preventDestroy: true },
    ...extra,
  });
}

function tenant(stack: TerraformStack, spec: Json, lifecycle = { preventDestroy: true }): Manifest {
  return new Manifest(stack, 'tenant', {
    manifest: { apiVersion: 'capsule.clastix.io/v1beta2', kind: 'Tenant', metadata: { name: 'dev' }, spec },
    lifecycle,
  });
}

const owners = [{ kind: 'Group', name: '11111111-1111-1111-1111-111111111111' }];

describe('policy checks: each one triggers and passes', () => {
  test('every check is documented with a level, a title and a fix', () => {
    for (const c of Object.values(POLICY_CHECKS)) expect(c.title.length * c.fix.length).toBeGreaterThan(0);
  });

  test('CAKS001 local accounts enabled without opt-in: error', () => {
    expect(ids(check((s) => cluster(s, { localAccountDisabled: false })), 'error')).toEqual(['CAKS001']);
  });
  test('CAKS001 local accounts left at the azurerm default (not disabled): error', () => {
    expect(ids(check((s) => cluster(s, { localAccountDisabled: undefined })), 'error')).toEqual(['CAKS001']);
  });
  test('CAKS001 passes with local accounts disabled, or with the opt-in', () => {
    expect(check((s) => cluster(s))).toEqual([]);
    expect(check((s) => cluster(s, { localAccountDisabled: false }), { allowLocalAccounts: 'break-glass access for the lab' })).toEqual([]);
  });
  test('CAKS001 sees escape hatches (overrides)', () => {
    expect(ids(check((s) => cluster(s).addOverride('local_account_disabled', false)))).toEqual(['CAKS001']);
  });

  test('CAKS002 role assignment on a subscription ID: warning', () => {
    const found = check((s) => new RoleAssignment(s, 'ra', { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', principalId: 'p', roleDefinitionName: 'Reader' }));
    expect(ids(found, 'warning')).toEqual(['CAKS002']);
  });
  test('CAKS002 role assignment on data.azurerm_subscription.id: warning', () => {
    const found = check((s) => new RoleAssignment(s, 'ra', { scope: new DataAzurermSubscription(s, 'sub', {}).id, principalId: 'p', roleDefinitionName: 'Reader' }));
    expect(ids(found, 'warning')).toEqual(['CAKS002']);
  });
  test('CAKS002 passes for a cluster or resource group scope', () => {
    const found = check((s) => {
      const sub = new DataAzurermSubscription(s, 'sub', {});
      new RoleAssignment(s, 'rg', { scope: `${sub.id}/resourceGroups/rg`, principalId: 'p', roleDefinitionName: 'Reader' });
      new RoleAssignment(s, 'ra-aks', { scope: cluster(s).id, principalId: 'p', roleDefinitionName: 'Reader' });
    });
    expect(found).toEqual([]);
  });
  test('CAKS002 acknowledged: information with the reason, no warning', () => {
    const found = check((s) => new RoleAssignment(s, 'ra', { scope: '/subscriptions/x', principalId: 'p', roleDefinitionName: 'Reader' }), {
      acknowledged: { CAKS002: 'the POC needs it for the portal' },
    });
    expect(found).toEqual([{ level: 'info', message: expect.stringMatching(/\[CAKS002\].*acknowledged: the POC needs it for the portal/) }]);
  });

  test('CAKS003 protected environment with a public API server and no authorized ranges: error', () => {
    expect(ids(check((s) => cluster(s, { apiServerAccessProfile: undefined }), { protected: true }), 'error')).toEqual(['CAKS003']);
  });
  test('CAKS003 passes with authorized ranges, a private cluster, or when not protected', () => {
    expect(check((s) => cluster(s), { protected: true })).toEqual([]);
    expect(check((s) => cluster(s, { apiServerAccessProfile: undefined, privateClusterEnabled: true }), { protected: true })).toEqual([]);
    expect(check((s) => cluster(s, { apiServerAccessProfile: undefined }))).toEqual([]);
  });

  test('CAKS004 Tenant without owners: error', () => {
    expect(ids(check((s) => tenant(s, { owners: [] })), 'error')).toEqual(['CAKS004']);
  });
  test('CAKS004 passes with owners, or with permissions.matchOwners', () => {
    expect(check((s) => tenant(s, { owners }))).toEqual([]);
    expect(check((s) => tenant(s, { permissions: { matchOwners: [{ matchLabels: { team: 'dev' } }] } }))).toEqual([]);
  });

  test('CAKS005 helm release with a version range, "latest" or none: error', () => {
    for (const version of ['^0.14.0', 'latest', '0.14', undefined]) {
      expect(ids(check((s) => new Release(s, 'r', { name: 'capsule', chart: 'capsule', repository: 'oci://ghcr.io/projectcapsule/charts', version })), 'error')).toEqual(['CAKS005']);
    }
  });
  test('CAKS005 passes with a pinned version', () => {
    expect(check((s) => new Release(s, 'r', { name: 'capsule', chart: 'capsule', version: '0.14.0' }))).toEqual([]);
    expect(check((s) => new Release(s, 'r', { name: 'cert-manager', chart: 'cert-manager', version: 'v1.19.1' }))).toEqual([]);
  });

  test('CAKS006 Tenant with deprecated fields: warning naming each field and its replacement', () => {
    const found = check((s) => tenant(s, { owners, networkPolicies: { items: [] }, resourceQuotas: { items: [] }, limitRanges: { items: [] } }));
    expect(ids(found, 'warning')).toEqual(['CAKS006']);
    expect(found[0].message).toMatch(/spec\.networkPolicies \(use Tenant Replications\).*spec\.limitRanges.*spec\.resourceQuotas|spec\.networkPolicies.*spec\.resourceQuotas/);
  });
  test('CAKS006 passes without deprecated fields, and can be acknowledged', () => {
    expect(check((s) => tenant(s, { owners, forceTenantPrefix: true }))).toEqual([]);
    const acked = check((s) => tenant(s, { owners, networkPolicies: { items: [] } }), { acknowledged: { CAKS006: 'migrating to replications in Q3' } });
    expect(acked.map((f) => f.level)).toEqual(['info']);
  });

  test('CAKS007 protected environment: cluster without prevent_destroy, Tenant without prevent_destroy or preventDeletion: errors', () => {
    expect(ids(check((s) => cluster(s, { lifecycle: undefined }), { protected: true }))).toEqual(['CAKS007']);
    expect(ids(check((s) => tenant(s, { owners, preventDeletion: true }, { preventDestroy: false }), { protected: true }))).toEqual(['CAKS007']);
    expect(ids(check((s) => tenant(s, { owners }), { protected: true }))).toEqual(['CAKS007']);
  });
  test('CAKS007 passes with both protections, or when not protected', () => {
    expect(check((s) => tenant(s, { owners, preventDeletion: true }), { protected: true })).toEqual([]);
    expect(check((s) => cluster(s, { lifecycle: undefined }))).toEqual([]);
  });

  test('CAKS008 admin kubeconfig output (even sensitive) and a non-sensitive password output: errors', () => {
    expect(ids(check((s) => new TerraformOutput(s, 'admin', { value: cluster(s).kubeAdminConfigRaw, sensitive: true })))).toEqual(['CAKS008']);
    expect(ids(check((s) => new TerraformOutput(s, 'pw', { value: new Password(s, 'p', { length: 20 }).result })))).toEqual(['CAKS008']);
    expect(ids(check((s) => new TerraformOutput(s, 'raw', { value: cluster(s).kubeConfigRaw })))).toEqual(['CAKS008']);
  });
  test('CAKS008 passes for sensitive secrets and harmless outputs', () => {
    expect(check((s) => new TerraformOutput(s, 'pw', { value: new Password(s, 'p', { length: 20 }).result, sensitive: true }))).toEqual([]);
    expect(check((s) => new TerraformOutput(s, 'name', { value: cluster(s).name }))).toEqual([]);
  });

  test('CAKS009 literal password, helm set value or private key: error', () => {
    expect(ids(check((s) => new User(s, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a', password: 'Hunter2-literal!' })))).toEqual(['CAKS009']);
    expect(ids(check((s) => new Release(s, 'r', { name: 'x', chart: 'x', version: '1.0.0', set: [{ name: 'auth.password', value: 'literal' }] })))).toEqual(['CAKS009']);
  });
  test('CAKS009 names where the literal is: nested blocks, list items and helm set entries', () => {
    const found = check((s) => {
      new Release(s, 'r', { name: 'x', chart: 'x', version: '1.0.0', set: [{ name: 'a', value: 'b' }, { name: 'auth.password', value: 'literal' }] });
      new User(s, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a' }).addOverride('extra', [{ nested: { client_secret: 'literal' } }]);
    });
    expect(found.map((f) => f.message.replace(/\. Fix:.*/, ''))).toEqual([
      '[CAKS009] helm_release has a literal secret at set[1]{name=auth.password}',
      '[CAKS009] azuread_user has a literal secret at extra[0].nested.client_secret',
    ]);
  });
  test('CAKS009 sees a literal behind a token (lazy value, override): it checks what synth writes', () => {
    const lazy = Lazy.stringValue({ produce: () => 'Hunter2-literal!' });
    expect(ids(check((s) => new User(s, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a', password: lazy })))).toEqual(['CAKS009']);
    expect(ids(check((s) => new User(s, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a' }).addOverride('password', 'Hunter2-literal!')))).toEqual(['CAKS009']);
  });
  test('CAKS009 passes for generated passwords and values read at apply time', () => {
    expect(check((s) => new User(s, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a', password: new Password(s, 'p', { length: 20 }).result }))).toEqual([]);
    expect(check((s) => new Release(s, 'r', { name: 'x', chart: 'x', version: '1.0.0', set: [{ name: 'tls.key', value: '${file("/k.pem")}' }] }))).toEqual([]);
  });

  test('resolvedConfiguration: the checks read the configuration given for an element instead of resolving it', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const user = new User(stack, 'u', { userPrincipalName: 'a@contoso.com', displayName: 'a', password: new Password(stack, 'p', { length: 20 }).result });
    applyPolicyChecks(stack);
    const given = { resource: { azuread_user: { u: { password: 'Hunter2-literal!' } } } };
    const asked: string[] = [];
    const errors = policyErrors(app, { resolvedConfiguration: (e) => (asked.push(e.node.path), e === user ? given : undefined) });
    expect(errors).toEqual([expect.stringMatching(/^\[test\/u\] \[CAKS009\] azuread_user has a literal secret at password/)]);
    // Every other element is resolved by the checks themselves (the generated password is no literal).
    expect(asked).toEqual(expect.arrayContaining(['test/u', 'test/p']));
  });

  test('CAKS008 and CAKS002 see through cross-stack references, before and after cdktf\'s preparing pass (which turns them into remote state outputs)', () => {
    const build = () => {
      const app = Testing.app();
      const a = new TerraformStack(app, 'a');
      const b = new TerraformStack(app, 'b');
      for (const s of [a, b]) applyPolicyChecks(s);
      const pw = new Password(a, 'pw', { length: 20 });
      const sub = new DataAzurermSubscription(a, 'sub');
      new TerraformOutput(b, 'leak', { value: pw.result });
      new TerraformOutput(b, 'client-key', { value: cluster(a).kubeConfig.get(0).clientKey });
      new RoleAssignment(b, 'owner', { scope: sub.id, roleDefinitionName: 'Owner', principalId: '00000000-0000-0000-0000-000000000001' });
      return app;
    };
    const found = (app: IConstruct) => annotations(app).filter((f) => /^\[CAKS00[28]\]/.test(f.message)).map((f) => `${f.level} ${f.message.replace(/ (at subscription scope|and is not sensitive).*/, '')}`);
    const before = build();
    const expected = [
      'error [CAKS008] output "leak" exposes a secret (random_password.pw.result)',
      'error [CAKS008] output "client-key" exposes a secret (.kube_config[0].client_key)',
      'warning [CAKS002] role assignment "Owner"',
    ];
    expect(found(before)).toEqual(expected);
    const after = build();
    for (const s of after.node.children) (s as TerraformStack).prepareStack();
    // Remote state references now; the cross-stack outputs in stack a are sensitive and carry no admin kubeconfig.
    expect(JSON.stringify(Testing.synth(after.node.findChild('b') as TerraformStack))).toContain('data.terraform_remote_state.cross-stack-reference-input-a');
    expect(found(after)).toEqual(expected);
  });

  test('CAKS008 through a cross-stack reference when two origin stacks\' ids differ only in characters cdktf drops (same remote state name)', () => {
    const app = Testing.app();
    const ab = new TerraformStack(app, 'ab');
    const dotted = new TerraformStack(app, 'a.b');
    const reader = new TerraformStack(app, 'c');
    applyPolicyChecks(reader);
    new TerraformOutput(reader, 'name', { value: new Password(ab, 'other', { length: 20 }).length, sensitive: true });
    new TerraformOutput(reader, 'leak', { value: new Password(dotted, 'pw', { length: 20 }).result });
    for (const s of [ab, dotted, reader]) s.prepareStack();
    expect(annotations(app).map((f) => f.message.replace(/\. Fix:.*/, ''))).toEqual(['[CAKS008] output "leak" exposes a secret (random_password.pw.result) and is not sensitive']);
  });

  test('an error-level check cannot be acknowledged (construct props)', () => {
    expect(() => applyPolicyChecks(Testing.app(), { acknowledged: { CAKS001: 'we really want local accounts' } })).toThrow(PolicyConfigError);
  });

  test('error annotations fail cdktf synth (Testing.fullSynth throws)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new KubernetesProvider(stack, 'kubernetes', {});
    tenant(stack, { owners: [] });
    applyPolicyChecks(stack);
    expect(() => Testing.fullSynth(stack)).toThrow(/CAKS004/);
  });
});

describe('findings reported by constructs (reportPolicyFinding)', () => {
  const ADMIN = '11111111-1111-1111-1111-111111111111';
  /** Every annotation of the tree after a synth (aspects included), as `level [id]`. */
  function synthFindings(build: (s: TerraformStack) => void, props?: CapsulePolicyChecksProps): Found[] {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    build(stack);
    if (props) applyPolicyChecks(stack, props);
    Testing.synth(stack);
    return app.node.findAll().flatMap((n) => n.node.metadata.filter((m) => LEVELS[m.type]).map((m) => ({ level: LEVELS[m.type], message: String(m.data) })));
  }
  const openCluster = (s: TerraformStack) => new AksCluster(s, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN] });

  test('CAKS010 open API server: a warning from the policy checks, its fix in construct props and applyPolicyChecks options', () => {
    expect(synthFindings(openCluster, {}).filter((f) => f.message.includes('CAKS010'))).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(
          /^\[CAKS010\] the AKS API server is reachable from any address.*\. Fix: set AksCluster authorizedIpRanges and CapsuleProxy allowedIpRanges, or acknowledge it with the policy checks option acknowledged: \{ CAKS010: <reason> \}$/,
        ),
      },
    ]);
  });
  test('the fixes option states the fix in the caller\'s terms (an app names its configuration file keys)', () => {
    expect(synthFindings(openCluster, { fixes: { CAKS010: 'set api.allowFrom in lab.toml' } }).filter((f) => f.message.includes('CAKS010'))).toEqual([
      { level: 'warning', message: expect.stringMatching(/\. Fix: set api\.allowFrom in lab\.toml$/) },
    ]);
  });
  test('no fix of POLICY_CHECKS names an environment-file key (library users never wrote such a file)', () => {
    const fileKeys = /\b(cluster|capsule|access|policy|tenants)\.[a-z]/;
    expect(Object.entries(POLICY_CHECKS).filter(([, c]) => fileKeys.test(c.fix)).map(([id]) => id)).toEqual([]);
  });
  test('CAKS010 passes with authorized IP ranges', () => {
    const found = synthFindings((s) => new AksCluster(s, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: [ADMIN], authorizedIpRanges: ['203.0.113.0/24'] }), {});
    expect(found.filter((f) => f.message.includes('CAKS010'))).toEqual([]);
  });
  test('CAKS010 acknowledged: information with the reason, no warning', () => {
    const found = synthFindings(openCluster, { acknowledged: { CAKS010: 'lab cluster, open on purpose' } }).filter((f) => f.message.includes('CAKS010'));
    expect(found).toEqual([{ level: 'info', message: expect.stringMatching(/\(acknowledged: lab cluster, open on purpose\)$/) }]);
  });
  test('without policy checks the construct still warns, once', () => {
    expect(synthFindings(openCluster).filter((f) => f.message.includes('CAKS010'))).toEqual([{ level: 'warning', message: expect.stringMatching(/^\[CAKS010\]/) }]);
  });
  test('CapsuleTenant deprecated fields: one CAKS006 finding with or without the policy checks, acknowledgeable', () => {
    const build = (s: TerraformStack) => new CapsuleTenant(s, 'tenant-dev', { name: 'dev', owners: [{ kind: 'Group', name: ADMIN }], networkPolicies: { items: [{ podSelector: {} }] } });
    for (const props of [undefined, {}]) {
      expect(synthFindings(build, props).filter((f) => f.message.includes('deprecated'))).toEqual([{ level: 'warning', message: expect.stringMatching(/^\[CAKS006\] Tenant "dev"/) }]);
    }
    const acked = synthFindings(build, { acknowledged: { CAKS006: 'migrating to replications in Q3' } }).filter((f) => f.message.includes('deprecated'));
    expect(acked.map((f) => f.level)).toEqual(['info']);
  });
});

describe('policy checks from the environment file', () => {
  function findingsOf(envs: EnvironmentConfig[]): Found[] {
    const app = Testing.app();
    for (const env of envs) createEnvironmentStacks(app, env);
    return annotations(app).filter((f) => /\[CAKS\d{3}\]/.test(f.message));
  }
  const key = (f: Found) => `${f.level} ${f.message}`;
  /** Findings of the POC after `mutate`, minus those the unmodified POC already has. */
  const baseline = new Set(findingsOf([envFrom(baseEnv())]).map(key));
  function envFindings(mutate: (e: Json) => void): Found[] {
    const e = baseEnv();
    mutate(e);
    const env = envFrom(e);
    return findingsOf([env.protected ? withRecord(env) : env]).filter((f) => !baseline.has(key(f)));
  }

  test('the bundled environments have no policy error and no unacknowledged warning', () => {
    expect(findingsOf(loadEnvironments(ENV_DIR)).filter((f) => f.level !== 'info')).toEqual([]);
  });

  test('cluster.localAccountsEnabled without policy.allowLocalAccounts: CAKS001 error', () => {
    expect(ids(envFindings((e) => (e.cluster.localAccountsEnabled = true)), 'error')).toEqual(['CAKS001']);
  });
  test('cluster.localAccountsEnabled with policy.allowLocalAccounts: no finding', () => {
    expect(envFindings((e) => ((e.cluster.localAccountsEnabled = true), (e.policy = { ...e.policy, allowLocalAccounts: 'lab cluster, break-glass access' })))).toEqual([]);
  });
  test('access.tenantRoleScope subscription: CAKS002 warning per role assignment', () => {
    const found = envFindings((e) => (e.access.tenantRoleScope = 'subscription'));
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(ids(found, 'warning'))).toEqual(new Set(['CAKS002']));
  });
  test('policy.acknowledge.CAKS002 turns the warnings into information with the reason', () => {
    const found = envFindings((e) => ((e.access.tenantRoleScope = 'subscription'), (e.policy = { ...e.policy, acknowledge: { ...e.policy?.acknowledge, CAKS002: 'reproduces the POC on a lab subscription' } })));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.level === 'info' && f.message.includes('reproduces the POC on a lab subscription'))).toBe(true);
  });
  test('protected environment without authorized IP ranges: CAKS003 error', () => {
    expect(ids(envFindings((e) => {
      e.protected = true;
      e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    }), 'error')).toContain('CAKS003');
  });
  test('the schema refuses to acknowledge an error-level check, an unknown id, or an empty reason', () => {
    const problems = problemsOf({ ...baseEnv(), policy: { acknowledge: { CAKS001: 'we want local accounts', CAKS999: 'unknown id here', CAKS002: 'ok' } } }).join('\n');
    expect(problems).toMatch(/policy\.acknowledge\.CAKS001: "CAKS001" is an error-level check and cannot be acknowledged/);
    expect(problems).toMatch(/policy\.acknowledge\.CAKS999: "CAKS999" is not a policy check id; warnings that can be acknowledged: CAKS002, CAKS006/);
    expect(problems).toMatch(/policy\.acknowledge\.CAKS002: "ok" must be a reason of at least 10 characters/);
  });
});
