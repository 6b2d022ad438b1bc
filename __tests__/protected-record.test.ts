import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { EnvironmentConfig } from '../config/schema';
import { PROTECTED_RECORD_UPDATE_CONTEXT, ProtectedRecord, protectedRecordSchema } from '../config/protected-record';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { currentRecord, protectedResources } from '../stacks/protected-record';
import { main } from '../scripts/protected-record';
import { ENV_DIR, envFrom, Json, problemsOf } from './helpers';

const RECORD: ProtectedRecord = JSON.parse(fs.readFileSync(path.join(ENV_DIR, 'production.protected.json'), 'utf8'));

function production(): Json {
  return parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8'));
}

/** The files the loader names for the bundled production environment (config/load.ts). */
const SOURCE_FILES = { environment: 'environments/production.yaml', protectedRecord: 'environments/production.protected.json' };

function build(data: Json, record: ProtectedRecord | null = RECORD, sourceFiles: EnvironmentConfig['sourceFiles'] | null = SOURCE_FILES): { app: App; env: EnvironmentConfig } {
  const env = { ...envFrom(data, 'production'), ...(record ? { protectedRecord: record } : {}), ...(sourceFiles ? { sourceFiles } : {}) };
  const app = Testing.app();
  createEnvironmentStacks(app, env);
  return { app, env };
}

const STACKS = ['production-cluster', 'production-capsule', 'production-tenants'];

/** The record `npm run protected-record` writes for `data`, starting from `record` (none: a first record). */
function recordFor(data: Json, record: ProtectedRecord | null): ProtectedRecord {
  const env = { ...envFrom(data, 'production'), ...(record ? { protectedRecord: record } : {}), sourceFiles: SOURCE_FILES };
  const app = Testing.app({ context: { [PROTECTED_RECORD_UPDATE_CONTEXT]: true } });
  createEnvironmentStacks(app, env);
  return currentRecord(env, STACKS.map((s) => app.node.findChild(s)) as never[]);
}

/** Renames a created group's key (same display name): a rename Terraform can follow. */
function renameGroup(data: Json, from: string, to: string): void {
  data.entra.groups[to] = data.entra.groups[from];
  delete data.entra.groups[from];
}

function stackJson(app: App, stack: string): Json {
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

describe('protected environments keep a record of their protected resources', () => {
  test('the committed record of production matches its configuration (run npm run protected-record -- production after a change)', () => {
    const { app, env } = build(production());
    const stacks = ['production-cluster', 'production-capsule', 'production-tenants'].map((s) => app.node.findChild(s)) as never[];
    const now = currentRecord(env, stacks).resources;
    expect(Object.fromEntries(Object.entries(now).map(([k, v]) => [k, { stack: v.stack, address: v.address }]))).toEqual(
      Object.fromEntries(Object.entries(RECORD.resources).map(([k, v]) => [k, { stack: v.stack, address: v.address }])),
    );
    expect(Object.keys(RECORD.resources)).toEqual(expect.arrayContaining(['cluster/capsule-prod', 'tenant/payments', 'globaltenantresource/payments-policies']));
  });

  test('removing a tenant fails the synth, naming the tenant and its replication and how to proceed', () => {
    const data = production();
    delete data.tenants.search;
    expect(() => build(data)).toThrow(
      /environments\/production\.yaml: 2 protected resources of environments\/production\.protected\.json would be dropped: [\s\S]*globaltenantresource\/search-policies[\s\S]*tenant\/search \(kubernetes_manifest\.tenant-search_tenant_\w+ in production-tenants\) is no longer in the configuration[\s\S]*policy\.allowRemoval[\s\S]*npm run protected-record -- production/,
    );
  });

  test('a removal listed in policy.allowRemoval is allowed', () => {
    const data = production();
    delete data.tenants.search;
    data.policy = { ...data.policy, allowRemoval: ['tenant/search', 'globaltenantresource/search-policies'] };
    expect(() => build(data)).not.toThrow();
  });

  test('renaming a tenant key changes its Kubernetes name: refused like a removal', () => {
    const data = production();
    data.tenants.find = data.tenants.search;
    delete data.tenants.search;
    expect(() => build(data)).toThrow(/tenant\/search .* is no longer in the configuration/);
  });

  test('renaming the cluster is refused (a new cluster would replace it)', () => {
    const data = production();
    data.cluster.name = 'capsule-prod2';
    expect(() => build(data)).toThrow(/cluster\/capsule-prod .* is no longer in the configuration/);
  });

  test('a rename Terraform can follow (a created group\'s key, same display name), once recorded, becomes a moved block', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    const record = recordFor(data, RECORD);
    const oldAddress = record.resources['group/Team X'].address;
    renameGroup(data, 'team-x', 'team-y');
    const { app } = build(data, recordFor(data, record));
    const json = stackJson(app, 'production-cluster');
    const [newAddress] = Object.keys(json.resource.azuread_group).map((k) => `azuread_group.${k}`);
    expect(newAddress).not.toBe(oldAddress);
    expect(json.moved).toEqual([{ from: oldAddress, to: newAddress }]);
  });

  test('any number of renames recorded before a deploy become one chain of moved blocks Terraform accepts (one from, one to each; no from still declared)', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    let record = recordFor(data, RECORD);
    const addresses = [record.resources['group/Team X'].address];
    for (const [from, to] of [['team-x', 'team-y'], ['team-y', 'team-z'], ['team-z', 'team-w']]) {
      renameGroup(data, from, to);
      record = recordFor(data, record);
      addresses.push(record.resources['group/Team X'].address);
    }
    expect(record.resources['group/Team X'].previous).toEqual(addresses.slice(0, -1));
    const json = stackJson(build(data, record).app, 'production-cluster');
    expect(json.moved).toEqual([
      { from: addresses[0], to: addresses[1] },
      { from: addresses[1], to: addresses[2] },
      { from: addresses[2], to: addresses[3] },
    ]);
    // Terraform's rules (internal/refactoring/move_validate.go): each from and each to once, no from declared.
    const declared = new Set(Object.entries<Json>(json.resource).flatMap(([t, rs]) => Object.keys(rs).map((k) => `${t}.${k}`)));
    const moved: { from: string; to: string }[] = json.moved;
    expect(new Set(moved.map((m) => m.from)).size).toBe(moved.length);
    expect(new Set(moved.map((m) => m.to)).size).toBe(moved.length);
    expect(moved.filter((m) => declared.has(m.from))).toEqual([]);
  });

  test('renamed back to an earlier key: the chain ends at the current address and never starts from it (no cycle)', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    const first = recordFor(data, RECORD);
    const x = first.resources['group/Team X'].address;
    renameGroup(data, 'team-x', 'team-y');
    const second = recordFor(data, first);
    const y = second.resources['group/Team X'].address;
    renameGroup(data, 'team-y', 'team-x');
    const third = recordFor(data, second);
    expect(third.resources['group/Team X']).toMatchObject({ address: x, previous: [y] });
    expect(stackJson(build(data, third).app, 'production-cluster').moved).toEqual([{ from: y, to: x }]);
  });

  test('an earlier address now declared by another resource is left out of the chain (Terraform refuses a move from a declared address)', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    const first = recordFor(data, RECORD);
    const x = first.resources['group/Team X'].address;
    renameGroup(data, 'team-x', 'team-y');
    const renamed = recordFor(data, first);
    // Deployed; then a new group takes the old key (in the same change it is refused as a swap, see below).
    data.entra.groups['team-x'] = { displayName: 'Team X2' };
    const json = stackJson(build(data, recordFor(data, renamed)).app, 'production-cluster');
    expect(json.resource.azuread_group[x.split('.')[1]]).toBeDefined();
    expect(json.moved).toBeUndefined();
  });

  test('a protected environment without its record fails the synth with one line saying how to create or restore it', () => {
    expect(() => build(production(), null)).toThrow(
      /^environments\/production\.protected\.json is missing: environments\/production\.yaml is protected, and without its record of protected resources a rename or removal would not be caught: create it with npm run protected-record -- production \(a new environment\) or restore the deleted file from git$/,
    );
  });

  test('protected: false with the record still there fails the synth: dropping protection needs the record deleted in the same change', () => {
    const data = production();
    data.protected = false;
    expect(() => build(data)).toThrow(/^environments\/production\.protected\.json records protected resources but environments\/production\.yaml is not protected \(protected: true\): to drop protection on purpose, delete .* \(npm run protected-record -- production --unprotect\)[^\n]*$/);
    expect(() => build(data, null)).not.toThrow();
  });

  test('a stale record (a protected resource added and not recorded) fails the synth, naming it and what to run', () => {
    const data = production();
    data.tenants.extra = { ...data.tenants.search, ingressOptions: { ...data.tenants.search.ingressOptions, allowedHostnames: ['extra.example.com'] } };
    expect(() => build(data)).toThrow(/environments\/production\.protected\.json is out of date: tenant\/extra is not recorded \(not yet protected against a rename or removal\); globaltenantresource\/extra-policies is not recorded[\s\S]*npm run protected-record -- production/);
    expect(() => build(data, recordFor(data, RECORD))).not.toThrow();
  });

  test('a display name change of a created group is reported as what it is (an in-place update), not as a drop', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    const record = recordFor(data, RECORD);
    data.entra.groups['team-x'] = { displayName: 'Team X (payments)' };
    let message = '';
    try {
      build(data, record);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is out of date: group\/Team X → group\/Team X \(payments\): its display name changed, an in-place update \(nothing is destroyed\)/);
    expect(message).not.toMatch(/dropped|no longer in the configuration/);
    const next = recordFor(data, record);
    expect(next.resources['group/Team X (payments)'].address).toBe(record.resources['group/Team X'].address);
    expect(next.resources['group/Team X']).toBeUndefined();
    expect(stackJson(build(data, next).app, 'production-cluster').moved).toBeUndefined();
  });

  test('two created groups with one display name are refused with the file field and value (they would share one record identity)', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    data.entra.groups['team-y'] = { displayName: 'team x' };
    expect(problemsOf(data)).toEqual([expect.stringMatching(/entra\.groups\.team-y\.displayName: "team x" is also the display name of entra\.groups\.team-x; created groups need different display names/)]);
  });

  test('two created users with one UPN are refused with the field and value', () => {
    const data = production();
    data.entra.upnDomain = 'example.com';
    data.entra.users = { alice: {}, al: { userPrincipalName: 'Alice@example.com' } };
    expect(problemsOf(data)).toEqual([expect.stringMatching(/entra\.users\.al\.userPrincipalName: "Alice@example\.com" is also the user principal name of entra\.users\.alice/)]);
  });

  test('library use: two protected resources with one identity are refused by construct path (no clashing moved blocks)', () => {
    const data = production();
    data.protected = false;
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    data.entra.groups['team-y'] = { displayName: 'Team Y' };
    const app = Testing.app();
    const { cluster } = createEnvironmentStacks(app, envFrom(data, 'production'));
    const groups = cluster.node.findAll().filter((n) => (n as { terraformResourceType?: string }).terraformResourceType === 'azuread_group');
    (groups[1] as unknown as { displayName: string }).displayName = 'Team X';
    expect(() => protectedResources([cluster])).toThrow(/protected resource "group\/Team X" has the same identity as .*team-x/);
  });

  test('destroy-sensitive resources are recorded: the kubeconfig Key Vault and its name suffix, the log and metrics workspaces, the Helm releases, the Capsule namespace, the proxy CA key and DNS label suffix', () => {
    expect(Object.keys(RECORD.resources)).toEqual(
      expect.arrayContaining([
        'key-vault/@kubeconfig-vault/vault',
        'random-string/@kubeconfig-vault-suffix',
        'log-analytics-workspace/capsule-prod-logs',
        'monitor-workspace/capsule-prod-prometheus',
        'helm-release/capsule-system/capsule',
        'helm-release/cert-manager/cert-manager',
        'namespace/capsule-system',
        'tls-private-key/@capsule-proxy/ca-key',
        'random-string/@capsule-proxy/dns-label-suffix',
      ]),
    );
    const data = production();
    data.tenancy.kubeconfigs = { publish: false };
    expect(() => build(data)).toThrow(/key-vault\/@kubeconfig-vault\/vault \(azurerm_key_vault\.[\w-]+ in production-cluster\) is no longer in the configuration/);
    expect(() => build(data)).toThrow(/random-string\/@kubeconfig-vault-suffix \(random_string\.kubeconfig-vault-suffix in production-cluster\) is no longer in the configuration/);
  });

  test('unprotected environments keep their freedom: no record, removals allowed', () => {
    const data = production();
    data.protected = false;
    delete data.tenants.search;
    expect(() => build(data, null)).not.toThrow();
  });

  test('a record written before chains (previous: one address) is read as a chain of one', () => {
    const entry = { stack: 's', address: 'azuread_group.b', previous: 'azuread_group.a' };
    expect(protectedRecordSchema.parse({ environment: 'production', resources: { 'group/G': entry } }).resources['group/G'].previous).toEqual(['azuread_group.a']);
  });

  test('a key swap in one change (a key renamed, a new entry at the old key) is refused at synth and when recording: two deploys', () => {
    const data = production();
    data.entra.groups['extra-a'] = { displayName: 'prod-extra-a' };
    const record = recordFor(data, RECORD);
    delete data.entra.groups['extra-a'];
    data.entra.groups['extra-z'] = { displayName: 'prod-extra-a' };
    data.entra.groups['extra-a'] = { displayName: 'prod-extra-b' };
    const swap =
      /^environments\/production\.yaml: group\/prod-extra-a \(azuread_group\.[\w-]+ in production-cluster, recorded in environments\/production\.protected\.json\) is now declared by group\/prod-extra-b: Terraform would update that existing object into group\/prod-extra-b in place .*\. Do it as two deploys: first rename the key .*npm run protected-record -- production.*then add the new entry in a second change$/;
    expect(() => build(data, record)).toThrow(swap);
    expect(() => recordFor(data, record)).toThrow(swap);
    // The two deploys pass: the rename, recorded; then the new entry at the old key.
    delete data.entra.groups['extra-a'];
    const renamed = recordFor(data, record);
    data.entra.groups['extra-a'] = { displayName: 'prod-extra-b' };
    expect(() => recordFor(data, renamed)).not.toThrow();
  });

  test('two recorded groups that swap display names in one change are refused (each would become the other in place)', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    data.entra.groups['team-y'] = { displayName: 'Team Y' };
    const record = recordFor(data, RECORD);
    data.entra.groups['team-x'] = { displayName: 'Team Y' };
    data.entra.groups['team-y'] = { displayName: 'Team X' };
    expect(() => build(data, record)).toThrow(/group\/Team X .* is now declared by group\/Team Y: .*; group\/Team Y .* is now declared by group\/Team X: /);
  });

  test('an earlier address reused by a later deploy is forgotten by the record, so a rename of the new owner still synthesizes (k1→k2; g2 at k1; k1→k3)', () => {
    const data = production();
    const G = data.entra.groups;
    G.k1 = { displayName: 'g1' };
    let record = recordFor(data, RECORD);
    const k1 = record.resources['group/g1'].address;
    delete G.k1;
    G.k2 = { displayName: 'g1' };
    record = recordFor(data, record);
    G.k1 = { displayName: 'g2' };
    record = recordFor(data, record);
    expect(record.resources['group/g1'].previous).toBeUndefined();
    delete G.k1;
    G.k3 = { displayName: 'g2' };
    record = recordFor(data, record);
    const moved: { from: string; to: string }[] = stackJson(build(data, record).app, 'production-cluster').moved;
    expect(moved).toEqual([{ from: k1, to: record.resources['group/g2'].address }]);
  });

  test('a record that names one earlier address for two resources is refused in one line naming the record file', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    data.entra.groups['team-y'] = { displayName: 'Team Y' };
    const record = recordFor(data, RECORD);
    const bad = structuredClone(record);
    bad.resources['group/Team X'].previous = ['azuread_group.gone'];
    bad.resources['group/Team Y'].previous = ['azuread_group.gone'];
    expect(() => build(data, bad)).toThrow(/^environments\/production\.protected\.json: address azuread_group\.gone of stack production-cluster is an earlier address of both group\/Team X and group\/Team Y; [^\n]*$/);
  });

  test('without the files the app read (a library CapsulePlatform), the messages name the environment\'s config and protectedRecord', () => {
    const data = production();
    delete data.tenants.search;
    expect(() => build(data, RECORD, null)).toThrow(/^config of environment "production": 2 protected resources of protectedRecord of environment "production" would be dropped: /);
  });

  test('a drop and a stale record are each one line (one clear error)', () => {
    const data = production();
    delete data.tenants.search;
    expect(() => build(data)).toThrow(/^environments\/production\.yaml: 2 protected resources of environments\/production\.protected\.json would be dropped: [^\n]+$/);
    const added = production();
    added.entra.groups['team-x'] = { displayName: 'Team X' };
    expect(() => build(added)).toThrow(/^environments\/production\.protected\.json is out of date: [^\n]+$/);
  });

  test('policy.allowRemoval naming a resource still in the configuration is refused (it would switch its protection off in advance)', () => {
    const data = production();
    data.policy = { ...data.policy, allowRemoval: ['tenant/search'] };
    expect(() => build(data)).toThrow(/^environments\/production\.yaml: policy\.allowRemoval names "tenant\/search", still in the configuration: remove it from the list/);
  });

  test('policy.allowRemoval entries must look like record identities', () => {
    const data = production();
    data.policy = { ...data.policy, allowRemoval: ['search'] };
    expect(problemsOf(data)).toEqual([expect.stringMatching(/policy\.allowRemoval\.0: "search" must be an identity of the protected record such as tenant\/search/)]);
  });
});

describe('npm run protected-record', () => {
  let dir: string;
  let log: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-'));
    fs.copyFileSync(path.join(ENV_DIR, 'production.yaml'), path.join(dir, 'production.yaml'));
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    log.mockRestore();
    err.mockRestore();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const record = () => JSON.parse(fs.readFileSync(path.join(dir, 'production.protected.json'), 'utf8')) as ProtectedRecord;

  test('a current record is left alone: says so, does not rewrite the file', () => {
    expect(main(['production'], dir)).toBe(0);
    const file = path.join(dir, 'production.protected.json');
    fs.utimesSync(file, new Date(0), new Date(0));
    expect(main(['production'], dir)).toBe(0);
    expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/production\.protected\.json is current: \d+ protected resources, nothing to change$/);
    expect(fs.statSync(file).mtimeMs).toBe(0);
  });

  test('writes the record; refuses to drop a tenant not in policy.allowRemoval; drops it when listed', () => {
    expect(main(['production'], dir)).toBe(0);
    expect(Object.keys(record().resources)).toContain('tenant/search');
    const data = production();
    delete data.tenants.search;
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/tenant\/search/);
    expect(Object.keys(record().resources)).toContain('tenant/search');
    data.policy = { ...data.policy, allowRemoval: ['tenant/search', 'globaltenantresource/search-policies'] };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(0);
    expect(Object.keys(record().resources)).not.toContain('tenant/search');
  });

  test('refuses while policy.allowRemoval lists resources already gone from the record (they would let a later removal pass)', () => {
    const data = production();
    delete data.tenants.search;
    data.policy = { ...data.policy, allowRemoval: ['tenant/search', 'globaltenantresource/search-policies'] };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(production()));
    expect(main(['production'], dir)).toBe(0);
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(0);
    expect(main(['production'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/^\S*production\.yaml: policy\.allowRemoval names "tenant\/search", "globaltenantresource\/search-policies", no longer in .*production\.protected\.json \(already removed\): remove them from the list/);
  });

  test('refuses a key swap (one line, exit 1) and leaves the record as it was', () => {
    const data = production();
    data.entra.groups['extra-a'] = { displayName: 'prod-extra-a' };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(0);
    const before = record();
    delete data.entra.groups['extra-a'];
    data.entra.groups['extra-z'] = { displayName: 'prod-extra-a' };
    data.entra.groups['extra-a'] = { displayName: 'prod-extra-b' };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/^[^\n]*is now declared by group\/prod-extra-b[^\n]*Do it as two deploys[^\n]*$/);
    expect(record()).toEqual(before);
  });

  test('reports a display name change as a change in place, and a rename with its addresses', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(0);
    data.entra.groups['team-x'] = { displayName: 'Team X2' };
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production'], dir)).toBe(0);
    const out = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(out).toMatch(/changed in place: group\/Team X → group\/Team X2 \(display name updated in place\)/);
    expect(out).not.toMatch(/removed:/);
  });

  test('--unprotect deletes the record only once the file says protected: false (the one way to drop protection)', () => {
    expect(main(['production'], dir)).toBe(0);
    expect(main(['production', '--unprotect'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/"production" is still protected: set protected: false/);
    expect(fs.existsSync(path.join(dir, 'production.protected.json'))).toBe(true);
    const data = production();
    data.protected = false;
    fs.writeFileSync(path.join(dir, 'production.yaml'), stringify(data));
    expect(main(['production', '--unprotect'], dir)).toBe(0);
    expect(fs.existsSync(path.join(dir, 'production.protected.json'))).toBe(false);
  });

  test('an unprotected environment has no record', () => {
    fs.copyFileSync(path.join(ENV_DIR, 'poc.yaml'), path.join(dir, 'poc.yaml'));
    expect(main(['poc'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/"poc" is not protected/);
  });
});
