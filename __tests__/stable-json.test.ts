import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeGeneratedEnvironment } from '../bench/generate';
import { ENV_DIR, runApp } from './helpers';

// scripts/stable-json.cjs writes cdktf's JSON with JSON.stringify: the text must be json-stable-stringify's, byte for
// byte, for whatever cdktf hands it (synthesized stacks, manifests, and values it cannot copy, which it delegates).

const ROOT = path.join(__dirname, '..');
/* eslint-disable @typescript-eslint/no-require-imports */
const { stableJson } = require('../scripts/stable-json.cjs') as { stableJson: (real: () => Stringify, value: unknown, opts?: unknown) => string | undefined };
type Stringify = (value: unknown, opts?: unknown) => string | undefined;
/** The json-stable-stringify that cdktf loads. */
const realPath = require.resolve('json-stable-stringify', { paths: [path.dirname(require.resolve('cdktf'))] });
const real = require(realPath) as Stringify;
/* eslint-enable @typescript-eslint/no-require-imports */

let delegated = 0;
const fast = (value: unknown, opts: unknown = { space: 2 }) =>
  stableJson(() => {
    delegated++;
    return real;
  }, value, opts);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('every file the app writes (bundled environments and 3 generated tenants: stacks, manifest) comes out as json-stable-stringify writes it', () => {
  const generated = fs.mkdtempSync(path.join(os.tmpdir(), 'stable-json-env-'));
  dirs.push(generated);
  writeGeneratedEnvironment(generated, 3);
  fs.copyFileSync(path.join(ENV_DIR, 'production.yaml'), path.join(generated, 'production.yaml'));
  fs.copyFileSync(path.join(ENV_DIR, 'production.protected.json'), path.join(generated, 'production.protected.json'));
  const { res, out } = runApp(generated);
  dirs.push(out);
  expect(res.status).toBe(0);
  const files = ['manifest.json', ...fs.readdirSync(path.join(out, 'stacks')).map((s) => path.join('stacks', s, 'cdk.tf.json'))];
  expect(files.length).toBe(7);
  delegated = 0;
  for (const f of files) {
    const value = JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
    expect(fast(value)).toBe(real(value, { space: 2 }));
  }
  expect(delegated).toBe(0);
});

describe('values at the edges are written as json-stable-stringify writes them', () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  const cases: Record<string, unknown> = {
    'empty object and array, at the top and nested in objects and arrays': [{}, [], { a: {}, b: [], c: [{}, [[]], { d: {} }] }],
    'an empty top-level object': {},
    'text that ends like an empty object or array, keys too': { '{}': '{}', 'a[]': 'x []', s: 'y {},', t: ['{}', '[]', 'z {}'] },
    'keys sorted in UTF-16 order (upper case, digits, non-ASCII, astral)': { b: 1, B: 2, a1: 3, 'é': 4, '𝒜': 5, _: 6, '-': 7 },
    'undefined, functions and symbols in objects and arrays': { u: undefined, f: () => 1, s: Symbol('x'), list: [undefined, () => 1, Symbol('y'), null] },
    'numbers, booleans, null, escapes': { n: [0, -0, 1.5e300, -1e-7, NaN, Infinity], b: [true, false], z: null, e: 'quote " backslash \\ newline \n tab \t unicode \u2028 lone \ud800' },
    'keys that are array indices (delegated)': { 10: 'a', 9: 'b', a: 'c' },
    'a __proto__ key (delegated)': JSON.parse('{"__proto__": {"x": 1}, "a": 2}'),
    'a Date (toJSON, delegated)': { d: new Date(0) },
    'a class instance and a boxed string (delegated)': { m: new (class Thing { x = 1; })(), s: Object('text') },
    'an object without prototype': Object.assign(Object.create(null), { b: 1, a: { c: [] } }),
    'a function or BigInt with a toJSON of its own (delegated)': { f: Object.assign(() => 1, { toJSON: () => ({ b: 1, a: {} }) }) },
    'nesting deeper than the engine\'s JSON.stringify reaches (delegated)': (() => {
      let v: unknown = [];
      for (let i = 0; i < 3000; i++) v = [v];
      return { deep: v };
    })(),
    'a value shared by two branches (no cycle)': (() => {
      const shared = { x: [1] };
      return { a: shared, b: shared };
    })(),
  };
  test.each(Object.keys(cases))('%s', (name) => {
    expect(fast(cases[name])).toBe(real(cases[name], { space: 2 }));
  });

  test('a cycle: the same error as json-stable-stringify', () => {
    expect(() => fast(cycle)).toThrow(TypeError);
    expect(() => real(cycle, { space: 2 })).toThrow(TypeError);
  });

  test('other options (none, another indentation, a comparator) are json-stable-stringify\'s own', () => {
    const value = { b: [], a: { c: 1 } };
    delegated = 0;
    expect(stableJson(() => (delegated++, real), value)).toBe(real(value));
    expect(fast(value, { space: 4 })).toBe(real(value, { space: 4 }));
    const cmp = (x: { key: string }, y: { key: string }) => (x.key < y.key ? 1 : -1);
    expect(fast(value, { space: 2, cmp })).toBe(real(value, { space: 2, cmp }));
    expect(delegated).toBe(3);
  });
});

test('the app command hands it to cdktf in place of json-stable-stringify, and CAPSULE_AKS_CDKTF_RESOLVE=1 does not', () => {
  const probe = (env: Record<string, string>) => {
    const script = `if (process.env.CAPSULE_AKS_CDKTF_RESOLVE !== '1') require(${JSON.stringify(path.join(ROOT, 'scripts', 'stable-json.cjs'))}).installStableJson();
      require('cdktf');
      const synthesizer = require.cache[require.resolve('cdktf/lib/synthesize/synthesizer')];
      console.log(require('module')._load('json-stable-stringify', synthesizer, false) === require(${JSON.stringify(realPath)}) ? 'real' : 'replaced');`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60000 });
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };
  expect(probe({})).toBe('replaced');
  expect(probe({ CAPSULE_AKS_CDKTF_RESOLVE: '1' })).toBe('real');
  // The same condition as in the app command.
  expect(fs.readFileSync(path.join(ROOT, 'scripts', 'run-app.cjs'), 'utf8')).toContain("if (process.env.CAPSULE_AKS_CDKTF_RESOLVE !== '1') require('./stable-json.cjs').installStableJson();");
});
