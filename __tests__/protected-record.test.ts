import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AnnotationMetadataEntryType, App, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { EnvironmentConfig } from '../config/schema';
import { ProtectedRecord } from '../config/protected-record';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { currentRecord } from '../stacks/protected-record';
import { main } from '../scripts/protected-record';
import { ENV_DIR, envFrom, Json, problemsOf } from './helpers';

const RECORD: ProtectedRecord = JSON.parse(fs.readFileSync(path.join(ENV_DIR, 'production.protected.json'), 'utf8'));

function production(): Json {
  return parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8'));
}

function build(data: Json, record: ProtectedRecord | null = RECORD): { app: App; env: EnvironmentConfig } {
  const env = { ...envFrom(data, 'production'), ...(record ? { protectedRecord: record } : {}) };
  const app = Testing.app();
  createEnvironmentStacks(app, env);
  return { app, env };
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
      /protected environment "production": 2 protected resources of environments\/production\.protected\.json would be dropped:[\s\S]*globaltenantresource\/search-policies[\s\S]*tenant\/search \(kubernetes_manifest\.tenant-search_tenant_\w+ in production-tenants\) is no longer in the configuration[\s\S]*policy\.allowRemoval[\s\S]*npm run protected-record -- production/,
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

  test('a rename Terraform can follow (a created group\'s key, same display name) becomes a moved block', () => {
    const data = production();
    data.entra.groups['team-x'] = { displayName: 'Team X' };
    const before = build(data, { environment: 'production', resources: {} });
    const stacks = ['production-cluster', 'production-capsule', 'production-tenants'].map((s) => before.app.node.findChild(s)) as never[];
    const record = currentRecord(before.env, stacks);
    const oldAddress = record.resources['group/Team X'].address;
    data.entra.groups['team-y'] = data.entra.groups['team-x'];
    delete data.entra.groups['team-x'];
    const { app } = build(data, record);
    const json = stackJson(app, 'production-cluster');
    const [newAddress] = Object.keys(json.resource.azuread_group).map((k) => `azuread_group.${k}`);
    expect(newAddress).not.toBe(oldAddress);
    expect(json.moved).toEqual([{ from: oldAddress, to: newAddress }]);
  });

  test('without a record a protected environment synthesizes with a warning saying how to create it', () => {
    const { app } = build(production(), null);
    const warnings = app.node.findAll().flatMap((n) => n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data)));
    expect(warnings.some((w) => w.includes('has no record of its protected resources') && w.includes('npm run protected-record -- production'))).toBe(true);
  });

  test('unprotected environments keep their freedom: no record, removals allowed', () => {
    const data = production();
    data.protected = false;
    delete data.tenants.search;
    expect(() => build(data)).not.toThrow();
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

  test('an unprotected environment has no record', () => {
    fs.copyFileSync(path.join(ENV_DIR, 'poc.yaml'), path.join(dir, 'poc.yaml'));
    expect(main(['poc'], dir)).toBe(1);
    expect(String(err.mock.calls[0][0])).toMatch(/"poc" is not protected/);
  });
});
