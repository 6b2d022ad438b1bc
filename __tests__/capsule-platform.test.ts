import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { Construct } from 'constructs';
import { CapsulePlatform, CapsulePlatformConfig, EnvironmentError, ValidationError } from '../index';
import { baseEnv, ENV_DIR, Json, problemsOf, resources } from './helpers';

const config = baseEnv() as CapsulePlatformConfig;
/** The bundled protected environment's settings, as a library user would pass them. */
const production = () => parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8')) as CapsulePlatformConfig;

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('CapsulePlatform', () => {
  const app = Testing.app();
  const platform = new CapsulePlatform(app, 'lib', { config });

  test('creates the environment stacks as top-level stacks named after the construct id, in deployment order', () => {
    expect(platform.environmentName).toBe('lib');
    expect(platform.stackNames.slice(0, 2)).toEqual(['lib-cluster', 'lib-capsule']);
    for (const name of platform.stackNames) expect(app.node.tryFindChild(name)).toBeDefined();
    expect(platform.stacks.cluster.node.scope).toBe(app);
  });

  test('the stacks synthesize the config it was given', () => {
    const json: Json = JSON.parse(Testing.synth(platform.stacks.cluster));
    expect(resources(json, 'azurerm_kubernetes_cluster').map((c: Json) => c.name)).toEqual(['aw-capsule']);
    expect(platform.config.cluster.name).toBe('aw-capsule');
  });

  test('environmentName overrides the construct id in stack names', () => {
    const p = new CapsulePlatform(Testing.app(), 'x', { config, environmentName: 'staging' });
    expect(p.stackNames[0]).toBe('staging-cluster');
  });

  test('an invalid config throws EnvironmentError with the same messages as an environment file, prefixed by the construct path', () => {
    const bad = { ...config, cluster: { ...(config.cluster as object), nmae: 'typo' } } as unknown as CapsulePlatformConfig;
    const err = errorOf(() => new CapsulePlatform(Testing.app(), 'bad', { config: bad }));
    expect(err).toBeInstanceOf(EnvironmentError);
    const fromFile = problemsOf(bad, 'bad').map((p) => p.replace(/^bad\.yaml:\d+: /, ''));
    expect(fromFile.length).toBeGreaterThan(0);
    expect((err as EnvironmentError).problems).toEqual(fromFile.map((p) => `bad: ${p}`));
    expect(err.message).toContain('bad: cluster.nmae: unknown key "nmae" (did you mean "name"?)');
  });

  test('an invalid environment name is refused', () => {
    const err = errorOf(() => new CapsulePlatform(Testing.app(), 'Bad_Name', { config }));
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toContain('Bad_Name: environment name "Bad_Name" must be 1-20 lowercase letters');
  });

  test('protected: a library user makes the record through the package root (static context key, currentProtectedRecord) and deploys with it', () => {
    const prot = production();
    const recording = Testing.app({ context: { [CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT]: true } });
    const record = JSON.parse(JSON.stringify(new CapsulePlatform(recording, 'lib', { config: prot }).currentProtectedRecord()));
    expect(Object.keys(record.resources)).toEqual(expect.arrayContaining(['cluster/capsule-prod', 'tenant/payments']));
    const p = new CapsulePlatform(Testing.app(), 'lib', { config: prot, protectedRecord: record });
    expect(p.currentProtectedRecord()).toEqual(record);
  });

  test('protected without protectedRecord: an EnvironmentError with the library\'s way (context key, currentProtectedRecord), no environment file or npm script', () => {
    const e = errorOf(() => new CapsulePlatform(Testing.app(), 'lib', { config: production() }));
    expect(e).toBeInstanceOf(EnvironmentError);
    expect((e as EnvironmentError).problems).toEqual([
      'lib: protectedRecord: required when config.protected is true (so that a rename or removal of a protected resource is caught). ' +
        'Make it in an App whose context sets CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT to true, call currentProtectedRecord() on this CapsulePlatform, ' +
        'store the JSON with your code and pass it as protectedRecord; if you had one, restore it from where you keep it',
    ]);
    expect(e.message).not.toMatch(/environments\/|npm run|from git/);
  });

  test('a protectedRecord that is not a record (or of another environment) throws EnvironmentError naming the construct path and field', () => {
    const prot = production();
    const bad = { environment: 'lib', resources: { 'cluster/capsule-prod': { stack: 'lib-cluster' } } } as never;
    const e = errorOf(() => new CapsulePlatform(Testing.app(), 'lib', { config: prot, protectedRecord: bad }));
    expect(e).toBeInstanceOf(EnvironmentError);
    expect((e as EnvironmentError).problems).toEqual([expect.stringMatching(/^lib: protectedRecord: not a valid protected record \(resources\.cluster\/capsule-prod\.address: .*\); pass the JSON that currentProtectedRecord\(\) returned$/)]);
    const other = { environment: 'prod', resources: {} };
    expect((errorOf(() => new CapsulePlatform(Testing.app(), 'lib', { config: prot, protectedRecord: other })) as EnvironmentError).problems).toEqual([
      'lib: protectedRecord: is the record of environment "prod", not "lib"',
    ]);
  });

  test('a scope other than the App is refused (the CLI orders top-level stacks only)', () => {
    const app2 = Testing.app();
    const err = errorOf(() => new CapsulePlatform(new Construct(app2, 'group'), 'nested', { config }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('group/nested: scope "group" is invalid: must be the cdktf App');
  });
});
