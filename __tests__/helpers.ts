import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { parse } from 'yaml';
import { parseEnvironment } from '../config/load';
import { EnvironmentConfig } from '../config/schema';

export const ENV_DIR = path.join(__dirname, '..', 'environments');

/** A small valid environment (the POC's shape) to derive test cases from. */
export function baseEnv(): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8')) as Record<string, unknown>;
}

/** Parses an environment object as if it were a file; throws with the problems when invalid. */
export function envFrom(data: unknown, name = 'test'): EnvironmentConfig {
  const result = parseEnvironment(`${name}.yaml`, name, JSON.stringify(data));
  if ('problems' in result) throw new Error(result.problems.join('\n'));
  return result.env;
}

/** A protected environment with the record `npm run protected-record` would write for it (synth needs one). */
export function withRecord(env: EnvironmentConfig): EnvironmentConfig {
  // Loaded here: most test files use these helpers for config only, without the stacks and their providers.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createEnvironmentStacks } = require('../stacks/environment-stacks') as typeof import('../stacks/environment-stacks');
  const { currentRecord, PROTECTED_RECORD_UPDATE_CONTEXT } = require('../stacks/protected-record') as typeof import('../stacks/protected-record');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = Testing.app({ context: { [PROTECTED_RECORD_UPDATE_CONTEXT]: true } });
  const s = createEnvironmentStacks(app, env);
  return { ...env, protectedRecord: currentRecord(env, [s.cluster, s.capsule, s.tenants]) };
}

/** Problems reported for an environment object (empty when valid). */
export function problemsOf(data: unknown, name = 'test'): string[] {
  const result = parseEnvironment(`${name}.yaml`, name, typeof data === 'string' ? data : JSON.stringify(data));
  return 'problems' in result ? result.problems : [];
}

/** A fresh test app. */
export function testApp(): App {
  return Testing.app();
}

/** Synthesized JSON of a stack, parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export function synthJson(stack: Parameters<typeof Testing.synth>[0]): Json {
  return JSON.parse(Testing.synth(stack));
}

/** All resources of one type in a synthesized stack, as a list. */
export function resources(json: Json, type: string): Json[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** The synthesized values of a construct's Helm release of `chart` (what Terraform gets), not the construct's fields. */
export function helmValues(construct: { node: { scope?: unknown } }, chart: string): Json {
  const release = resources(synthJson(construct.node.scope as Parameters<typeof Testing.synth>[0]), 'helm_release').find((r) => r.chart === chart);
  if (!release) throw new Error(`no helm_release of chart ${chart}`);
  return parse(release.values[0]) as Json;
}

/**
 * Runs the real app command (cdktf.json: node scripts/run-app.cjs) on the environment files of `envDir`, into a
 * fresh output directory that already holds a file `marker` (to show whether synth touched it).
 */
export function runApp(envDir: string): { res: SpawnSyncReturns<string>; out: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
  fs.writeFileSync(path.join(out, 'marker'), 'previous');
  const res = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'run-app.cjs')], {
    env: { ...process.env, CAPSULE_AKS_ENVIRONMENTS: envDir, CDKTF_OUTDIR: out },
    encoding: 'utf8',
  });
  return { res, out };
}

/**
 * The POC environment with its own Azure and Entra names made from `n` (cluster, resource groups, DNS label, group
 * display names, UPN domain), so that it can sit next to poc.yaml without clashing with it (config/collisions.ts).
 */
export function renamedEnv(n: string): Json {
  const e = baseEnv() as Json;
  e.cluster = { ...e.cluster, name: `${n}-aks`, resourceGroup: `${n}-aks`, nodeResourceGroup: `${n}-aks-vm` };
  e.capsule = { ...e.capsule, proxy: { ...e.capsule?.proxy, dnsLabel: `capsule-proxy-${n}` } };
  e.entra.upnDomain = `${n}.contoso.onmicrosoft.com`;
  for (const g of Object.values(e.entra.groups) as Json[]) g.displayName = `${n}-${g.displayName}`;
  return e;
}

/**
 * For the tests of a describe block that run a CLI's main(): a fresh temporary directory (`root`) and silenced
 * console.log / console.error spies (`log`, `err`), made before each test and removed / restored after it.
 */
export function cliSandbox(prefix: string): { root: string; log: jest.SpyInstance; err: jest.SpyInstance } {
  const sandbox = {} as { root: string; log: jest.SpyInstance; err: jest.SpyInstance };
  beforeEach(() => {
    sandbox.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    sandbox.log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    sandbox.err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    sandbox.log.mockRestore();
    sandbox.err.mockRestore();
    fs.rmSync(sandbox.root, { recursive: true, force: true });
  });
  return sandbox;
}
