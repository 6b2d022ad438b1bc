import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { environmentParseCache, KEEP_USED_MS, MAX_ENTRIES } from '../app/parse-cache';
import { EnvironmentError, loadEnvironments, ParsedEnvironments } from '../config/load';
import { writeGeneratedEnvironment } from '../bench/generate';
import { ENV_DIR } from './helpers';

// app/parse-cache.ts: valid environment files parsed by an earlier synth are not parsed again. An entry must only
// ever answer for the same name, text and code, and give exactly what parsing gives.

const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A cache that counts its hits. */
function counted(cache: ParsedEnvironments): ParsedEnvironments & { hits: number } {
  const c = {
    hits: 0,
    lookup: (name: string, text: string) => {
      const env = cache.lookup(name, text);
      if (env) c.hits++;
      return env;
    },
    store: cache.store,
  };
  return c;
}

const entries = (dir: string) => fs.readdirSync(dir).filter((f) => f.includes('.env-'));

test('a file loaded again is taken from the cache, and gives exactly what parsing it gives (bundled and generated environments)', () => {
  const generated = tmp('parse-cache-env-');
  writeGeneratedEnvironment(generated, 3);
  for (const dir of [ENV_DIR, generated]) {
    const cacheDir = tmp('parse-cache-');
    const parsed = loadEnvironments(dir);
    const first = counted(environmentParseCache(cacheDir, 'code-1'));
    expect(loadEnvironments(dir, { parsed: first })).toStrictEqual(parsed);
    expect(first.hits).toBe(0);
    expect(entries(cacheDir)).toHaveLength(parsed.length);
    const again = counted(environmentParseCache(cacheDir, 'code-1'));
    expect(loadEnvironments(dir, { parsed: again })).toStrictEqual(parsed);
    expect(again.hits).toBe(parsed.length);
  }
});

test('another text, environment name or code is a miss', () => {
  const cacheDir = tmp('parse-cache-');
  const [env] = loadEnvironments(ENV_DIR);
  environmentParseCache(cacheDir, 'code-1').store('poc', 'text', env);
  expect(environmentParseCache(cacheDir, 'code-1').lookup('poc', 'text')).toStrictEqual(env);
  expect(environmentParseCache(cacheDir, 'code-1').lookup('poc', 'text ')).toBeUndefined();
  expect(environmentParseCache(cacheDir, 'code-1').lookup('lab', 'text')).toBeUndefined();
  expect(environmentParseCache(cacheDir, 'code-2').lookup('poc', 'text')).toBeUndefined();
});

test('an entry whose stored key is not the full key, or that is not JSON, is a miss', () => {
  const cacheDir = tmp('parse-cache-');
  const [env] = loadEnvironments(ENV_DIR);
  const cache = environmentParseCache(cacheDir, 'code-1');
  cache.store('poc', 'text', env);
  const [file] = entries(cacheDir).map((f) => path.join(cacheDir, f));
  const entry = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...entry, key: `${entry.key.slice(0, 32)}${'0'.repeat(32)}` }));
  expect(cache.lookup('poc', 'text')).toBeUndefined();
  fs.writeFileSync(file, '{"key":');
  expect(cache.lookup('poc', 'text')).toBeUndefined();
});

test('invalid files are never stored: their problems come from parsing them, every time', () => {
  const envDir = tmp('parse-cache-bad-');
  fs.writeFileSync(path.join(envDir, 'bad.yaml'), 'location: [\n');
  const cacheDir = tmp('parse-cache-');
  const problems = () => {
    try {
      loadEnvironments(envDir, { parsed: environmentParseCache(cacheDir, 'code-1') });
    } catch (err) {
      return (err as EnvironmentError).message;
    }
    throw new Error('loaded');
  };
  expect(problems()).toMatch(/bad\.yaml:\d+:\d+: malformed YAML/);
  expect(problems()).toMatch(/bad\.yaml:\d+:\d+: malformed YAML/);
  expect(entries(cacheDir)).toEqual([]);
});

test('a cache directory that cannot be written: files are parsed as without it, and nothing is left behind', () => {
  const missing = path.join(tmp('parse-cache-'), 'gone', 'deeper');
  expect(loadEnvironments(ENV_DIR, { parsed: environmentParseCache(missing, 'code-1') })).toStrictEqual(loadEnvironments(ENV_DIR));
  expect(fs.existsSync(missing)).toBe(false);
});

test(`keeps the newest ${MAX_ENTRIES} entries`, () => {
  const cacheDir = tmp('parse-cache-');
  const [env] = loadEnvironments(ENV_DIR);
  const cache = environmentParseCache(cacheDir, 'code-1');
  const past = Date.now() - 1_000_000;
  for (let i = 0; i < MAX_ENTRIES + 5; i++) {
    const before = new Set(entries(cacheDir));
    cache.store('poc', `text ${i}`, env);
    // One second apart, in the order written (several stores may fall within one tick of the clock).
    for (const f of entries(cacheDir).filter((x) => !before.has(x))) fs.utimesSync(path.join(cacheDir, f), new Date(past + i * 1000), new Date(past + i * 1000));
  }
  expect(entries(cacheDir)).toHaveLength(MAX_ENTRIES);
  expect(cache.lookup('poc', `text ${MAX_ENTRIES + 4}`)).toStrictEqual(env);
  expect(cache.lookup('poc', 'text 0')).toBeUndefined();
});

test('a file whose values JSON would change (YAML binary data in a loose Kubernetes field) is never cached: each load gives what parsing gives', () => {
  const dir = tmp('parse-cache-binary-');
  const file = writeGeneratedEnvironment(dir, 1);
  const text = fs.readFileSync(file, 'utf8').replace(/^(  team0001:\n)/m, '$1    networkPolicies:\n      - podSelector: {}\n        x-note: !!binary aGk=\n');
  fs.writeFileSync(file, text);
  const parsed = loadEnvironments(dir);
  expect(JSON.stringify(parsed)).toContain('"x-note":{"type":"Buffer"');
  const cacheDir = tmp('parse-cache-');
  for (let i = 0; i < 2; i++) expect(loadEnvironments(dir, { parsed: environmentParseCache(cacheDir, 'code-1') })).toStrictEqual(parsed);
  expect(entries(cacheDir)).toEqual([]);
});

test(`entries used in the last ${KEEP_USED_MS / 60000} minutes are kept beyond ${MAX_ENTRIES}: more environment files than that still hit`, () => {
  const cacheDir = tmp('parse-cache-');
  const [env] = loadEnvironments(ENV_DIR);
  const cache = counted(environmentParseCache(cacheDir, 'code-1'));
  const names = Array.from({ length: MAX_ENTRIES + 8 }, (_, i) => `env${i}`);
  for (const n of names) cache.store(n, 'text', env);
  // Made long ago; then used by one synth (every file read, so every entry hit)...
  const old = new Date(Date.now() - 2 * KEEP_USED_MS);
  for (const f of entries(cacheDir)) fs.utimesSync(path.join(cacheDir, f), old, old);
  for (const n of names) cache.lookup(n, 'text');
  expect(cache.hits).toBe(names.length);
  // ... and an edit stores one more: nothing that synth used is pruned.
  cache.store('env0', 'edited', env);
  expect(entries(cacheDir)).toHaveLength(names.length + 1);
  for (const n of names) cache.lookup(n, 'text');
  expect(cache.hits).toBe(2 * names.length);
});
