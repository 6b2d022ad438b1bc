import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ENV_DIR, Json, runApp } from './helpers';

// The app command (scripts/run-app.cjs) and its bundle cache, on copies of this project in temporary directories
// whose node_modules is a link to this project's (as two checkouts sharing one node_modules).
const ROOT = path.join(__dirname, '..');
const PROJECT_FILES = ['main.ts', 'cdktf.json', 'package.json', 'package-lock.json', 'tsconfig.json', 'app', 'config', 'constructs', 'policy', 'stacks', 'scripts', 'environments'];
const made: string[] = [];

/** A copy of the project's sources in a new directory, node_modules linked (or given). */
function makeProject(parent = fs.mkdtempSync(path.join(os.tmpdir(), 'project-')), name = 'capsule-aks'): string {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  made.push(parent);
  for (const f of PROJECT_FILES) fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  track(dir);
  return dir;
}

/** Removed after the tests: the directory and its cache directory. */
function track(dir: string): void {
  made.push(dir, cacheDirOf(dir));
}

/** The cache directory of a project root (see scripts/run-app.cjs). */
function cacheDirOf(dir: string): string {
  return path.join(ROOT, 'node_modules', '.cache', 'capsule-aks', createHash('sha256').update(fs.realpathSync(dir)).digest('hex').slice(0, 16));
}

function setLocation(dir: string, location: string): void {
  const file = path.join(dir, 'environments', 'poc.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^location: .*$/m, `location: ${location}`));
}

/** Runs a project's app command on its own environments/ into a fresh output directory. */
function synth(dir: string, opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: out, ...opts.env };
  delete env.CAPSULE_AKS_ENVIRONMENTS;
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'run-app.cjs')], { cwd: opts.cwd ?? dir, env, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, out };
}

/** The location of the poc cluster in a synthesized output. */
function location(out: string): string {
  const json: Json = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'poc-cluster', 'cdk.tf.json'), 'utf8'));
  return (Object.values(json.resource.azurerm_kubernetes_cluster)[0] as Json).location;
}

function bundles(dir: string): string[] {
  return fs.existsSync(cacheDirOf(dir)) ? fs.readdirSync(cacheDirOf(dir)).filter((f) => f.endsWith('.js')) : [];
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the app command (scripts/run-app.cjs)', () => {
  test('is what cdktf.json runs, and what npm run synth runs (without the cdktf CLI\'s start-up)', () => {
    // A 4 MiB young generation (V8 semi-space): about 15% less peak memory for the bundled environments, 20% at 500 tenants, at the same CPU time.
    const command = 'node --max-semi-space-size=4 scripts/run-app.cjs';
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')).app).toBe(command);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.synth).toBe(command);
  });

  test('synthesizes the bundled environments', () => {
    const { res, out } = runApp(ENV_DIR);
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(out, 'stacks', 'poc-tenants', 'cdk.tf.json'))).toBe(true);
  });

  test('a copy (cp -a) synthesizes its own environment files, not the original\'s', () => {
    const a = makeProject();
    expect(location(synth(a).out)).toBe('francecentral');
    const copy = path.join(path.dirname(a), 'copy');
    expect(spawnSync('cp', ['-a', a, copy]).status).toBe(0);
    track(copy);
    setLocation(copy, 'westeurope');
    const r = synth(copy);
    expect(r.stderr).toBe('');
    expect(location(r.out)).toBe('westeurope');
    expect(location(synth(a).out)).toBe('francecentral');
  });

  test('an environment file edited between two synths, with its size and modification time kept, synthesizes the edit (parsed files are cached by content)', () => {
    const a = makeProject();
    expect(location(synth(a).out)).toBe('francecentral');
    // The valid files of that synth are cached (app/parse-cache.ts) ...
    expect(fs.readdirSync(cacheDirOf(a)).filter((f) => f.includes('.env-'))).toHaveLength(2);
    const file = path.join(a, 'environments', 'poc.yaml');
    const before = fs.statSync(file);
    setLocation(a, 'swedencentral');
    fs.utimesSync(file, before.atime, before.mtime);
    expect(fs.statSync(file).size).toBe(before.size);
    // ... by content: the edit is parsed, and the unchanged production.yaml is not.
    const r = synth(a);
    expect(r.stderr).toBe('');
    expect(location(r.out)).toBe('swedencentral');
    expect(fs.readdirSync(cacheDirOf(a)).filter((f) => f.includes('.env-'))).toHaveLength(3);
  });

  test('a moved project (mv) synthesizes its files from the new place', () => {
    const a = makeProject();
    expect(synth(a).status).toBe(0);
    const moved = path.join(path.dirname(a), 'moved');
    fs.renameSync(a, moved);
    track(moved);
    setLocation(moved, 'northeurope');
    const r = synth(moved);
    expect(r.stderr).toBe('');
    expect(location(r.out)).toBe('northeurope');
  });

  test('two checkouts sharing one node_modules, synthesizing at the same time, each write their own environments', async () => {
    const a = makeProject();
    const b = makeProject();
    setLocation(b, 'westeurope');
    const once = (dir: string) =>
      new Promise<string>((resolve, reject) => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
        const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: out };
        delete env.CAPSULE_AKS_ENVIRONMENTS;
        const p = spawn(process.execPath, [path.join(dir, 'scripts', 'run-app.cjs')], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += String(d)));
        p.on('close', (code) => (code === 0 ? resolve(location(out)) : reject(new Error(`exit ${code}: ${stderr}`))));
      });
    // Both caches cold, so that the first synths of both build and write at the same time.
    const runs = Array.from({ length: 3 }, () => [once(a), once(b)]).flat();
    const locations = await Promise.all(runs);
    expect(locations).toEqual(Array.from({ length: 3 }, () => ['francecentral', 'westeurope']).flat());
  });

  test('the cache holds no absolute path, and its key is content: a newer modification time alone bundles nothing', () => {
    const a = makeProject();
    expect(synth(a).status).toBe(0);
    const before = bundles(a);
    expect(before).toHaveLength(1);
    for (const f of fs.readdirSync(cacheDirOf(a))) {
      const text = fs.readFileSync(path.join(cacheDirOf(a), f), 'utf8');
      for (const p of [a, fs.realpathSync(a), ROOT, os.tmpdir()]) expect(text.includes(p)).toBe(false);
    }
    const file = path.join(a, 'constructs', 'validation.ts');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(synth(a).status).toBe(0);
    expect(bundles(a)).toEqual(before);
  });

  test("V8's code cache of the bundle: made by the first synth, used by the next (not rewritten), one damaged byte makes it a miss (made again); one file per V8 flags; same output each time", () => {
    const a = makeProject();
    const first = synth(a);
    expect(first.status).toBe(0);
    const v8Files = () => fs.readdirSync(cacheDirOf(a)).filter((f) => f.endsWith('.v8'));
    expect(v8Files()).toHaveLength(1);
    const [bundle] = bundles(a);
    expect(v8Files()[0].startsWith(bundle.replace(/\.js$/, '.'))).toBe(true);
    const v8 = path.join(cacheDirOf(a), v8Files()[0]);
    const valid = (buf: Buffer) => buf.length > 64 && createHash('sha256').update(buf.subarray(64)).digest().equals(buf.subarray(32, 64));
    expect(valid(fs.readFileSync(v8))).toBe(true);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(v8, old, old);
    const second = synth(a);
    expect(second.stderr).toBe('');
    expect(Math.abs(fs.statSync(v8).mtimeMs - old.getTime())).toBeLessThan(1);
    // One flipped bit in V8's part: V8 itself would take it (it checks only the source's length).
    const damaged = fs.readFileSync(v8);
    damaged[Math.floor(damaged.length / 2)] ^= 0x08;
    fs.writeFileSync(v8, damaged);
    const third = synth(a);
    expect(third.stderr).toBe('');
    expect(valid(fs.readFileSync(v8))).toBe(true);
    // The cdktf CLI runs the app with NODE_OPTIONS=--max-old-space-size=4096: a cache of its own.
    const fourth = synth(a, { env: { NODE_OPTIONS: '--max-old-space-size=4096' } });
    expect(fourth.stderr).toBe('');
    expect(v8Files()).toHaveLength(2);
    const stack = (out: string) => fs.readFileSync(path.join(out, 'stacks', 'poc-tenants', 'cdk.tf.json'), 'utf8').replace(/"path": "[^"]*tfstate"/g, '');
    for (const r of [second, third, fourth]) expect(stack(r.out)).toBe(stack(first.out));
  });

  test('another installed version of a provider package bundles again (its export names are read when bundling)', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    const a = makeProject(parent);
    // node_modules: links to this project's packages, except a real copy of @cdktf/provider-time that can change.
    fs.unlinkSync(path.join(a, 'node_modules'));
    fs.mkdirSync(path.join(a, 'node_modules', '@cdktf'), { recursive: true });
    for (const p of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (p === '@cdktf' || p === '.cache') continue;
      fs.symlinkSync(path.join(ROOT, 'node_modules', p), path.join(a, 'node_modules', p));
    }
    for (const p of fs.readdirSync(path.join(ROOT, 'node_modules', '@cdktf'))) {
      if (p === 'provider-time') fs.cpSync(path.join(ROOT, 'node_modules', '@cdktf', p), path.join(a, 'node_modules', '@cdktf', p), { recursive: true });
      else fs.symlinkSync(path.join(ROOT, 'node_modules', '@cdktf', p), path.join(a, 'node_modules', '@cdktf', p));
    }
    // This project's own node_modules holds its cache.
    const cache = path.join(a, 'node_modules', '.cache', 'capsule-aks', createHash('sha256').update(fs.realpathSync(a)).digest('hex').slice(0, 16));
    const own = () => fs.readdirSync(cache).filter((f) => /^[0-9a-f]{32}\.js$/.test(f));
    expect(synth(a).status).toBe(0);
    const before = own();
    expect(before).toHaveLength(1);
    expect(synth(a).status).toBe(0);
    expect(own()).toEqual(before);
    const manifest = path.join(a, 'node_modules', '@cdktf', 'provider-time', 'package.json');
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace(/"version": "[^"]+"/, '"version": "99.0.0"'));
    expect(synth(a).status).toBe(0);
    expect(own()).toHaveLength(1);
    expect(own()).not.toEqual(before);
  });

  test('provider resource modules load when first used: a POC without monitoring, node pools or a network loads none of those, and synthesizes as before', () => {
    const a = makeProject();
    fs.rmSync(path.join(a, 'environments', 'production.yaml'));
    fs.rmSync(path.join(a, 'environments', 'production.protected.json'));
    const probe = path.join(path.dirname(a), 'probe.cjs');
    const list = path.join(path.dirname(a), 'loaded.json');
    fs.writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('@cdktf')).map((f) => f.replace(/.*@cdktf[\\/]provider-/, '').replace(/[\\/]index\.js$/, '')))));`);
    // The first synth bundles (and reads every provider module's export names); the next one runs the bundle.
    expect(synth(a).status).toBe(0);
    const r = synth(a, { env: { NODE_OPTIONS: `--require ${probe}` } });
    expect(r.stderr).toBe('');
    const loaded: string[] = JSON.parse(fs.readFileSync(list, 'utf8'));
    expect(loaded).toEqual(expect.arrayContaining(['azurerm/lib/kubernetes-cluster', 'azuread/lib/group', 'kubernetes/lib/manifest', 'helm/lib/release']));
    for (const unused of ['azurerm/lib/monitor-data-collection-rule', 'azurerm/lib/log-analytics-workspace', 'azurerm/lib/kubernetes-cluster-node-pool', 'azurerm/lib/virtual-network']) expect(loaded).not.toContain(unused);
    expect(location(r.out)).toBe('francecentral');
  });

  test('a changed source bundles again (the old bundle and its parsed environment files are removed); so does a changed package-lock.json', () => {
    const a = makeProject();
    expect(synth(a).status).toBe(0);
    const first = bundles(a);
    const cached = () => fs.readdirSync(cacheDirOf(a)).filter((f) => f.includes('.env-'));
    expect(cached().map((f) => f.split('.')[0])).toEqual([first[0].split('.')[0], first[0].split('.')[0]]);
    const main = path.join(a, 'main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace("const root = __dirname;", "const root = __dirname; // changed"));
    expect(synth(a).status).toBe(0);
    const second = bundles(a);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(cached().map((f) => f.split('.')[0])).toEqual([second[0].split('.')[0], second[0].split('.')[0]]);
    fs.appendFileSync(path.join(a, 'package-lock.json'), '\n');
    expect(synth(a).status).toBe(0);
    expect(bundles(a)).not.toEqual(second);
  });

  test('a bundled dependency with other content (npm install of another version) bundles again', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    const a = makeProject(parent);
    // node_modules: links to this project's packages, except a real copy of yaml that can change.
    fs.unlinkSync(path.join(a, 'node_modules'));
    fs.mkdirSync(path.join(a, 'node_modules'));
    for (const p of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (p === 'yaml' || p === '.cache') continue;
      fs.symlinkSync(path.join(ROOT, 'node_modules', p), path.join(a, 'node_modules', p));
    }
    fs.cpSync(path.join(ROOT, 'node_modules', 'yaml'), path.join(a, 'node_modules', 'yaml'), { recursive: true });
    // Observed by behaviour, not by the cache's layout: the new version's code runs in the next synth.
    expect(synth(a).status).toBe(0);
    fs.appendFileSync(path.join(a, 'node_modules', 'yaml', 'dist', 'index.js'), '\nconsole.error("yaml: another version");\n');
    const r = synth(a);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('yaml: another version');
  });

  test('run from another directory: the project\'s environments, and cdktf.out in the project root', () => {
    const a = makeProject();
    setLocation(a, 'swedencentral');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CAPSULE_AKS_ENVIRONMENTS;
    delete env.CDKTF_OUTDIR;
    const r = spawnSync(process.execPath, [path.join(a, 'scripts', 'run-app.cjs')], { cwd: os.tmpdir(), env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(location(path.join(a, 'cdktf.out'))).toBe('swedencentral');
  });

  test('a cache directory that cannot be written: one line naming it, exit 1', () => {
    const a = makeProject();
    fs.mkdirSync(path.dirname(cacheDirOf(a)), { recursive: true });
    fs.writeFileSync(cacheDirOf(a), 'not a directory');
    const r = synth(a);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cannot write the app bundle cache .*node_modules\/\.cache\/capsule-aks\/[0-9a-f]{16} \((EEXIST|ENOTDIR)\b.*make it a writable directory, or remove it$/)]);
    fs.rmSync(cacheDirOf(a), { force: true });
  });

  test('NODE_OPTIONS=--enable-source-maps maps an unexpected error to the TypeScript file', () => {
    const a = makeProject();
    const main = path.join(a, 'main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('const root = __dirname;', "const root = __dirname;\nif (root) throw new Error('unexpected');"));
    const r = synth(a, { env: { NODE_OPTIONS: '--enable-source-maps' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.join(a, 'main.ts')}:`);
  });
});

describe('archiver and semver load on first use (scripts/defer-cdktf-dependencies.cjs)', () => {
  /** Runs `code` in a node process with the deferral installed and cdktf loaded; its JSON output. */
  function probe(code: string): Json {
    const script = `require(${JSON.stringify(path.join(ROOT, 'scripts', 'defer-cdktf-dependencies.cjs'))})(); require('cdktf'); ${code}`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  }
  const loaded = "const loaded = (name) => Object.keys(require.cache).some((f) => f.includes(`${require('path').sep}node_modules${require('path').sep}${name}${require('path').sep}`));";

  test('loading cdktf loads neither', () => {
    expect(probe(`${loaded} console.log(JSON.stringify({ archiver: loaded('archiver'), semver: loaded('semver') }))`)).toEqual({ archiver: false, semver: false });
  });

  test("cdktf's terraform version check still compares versions (semver loaded when used)", () => {
    const r = probe(`${loaded} const { ValidateBinaryVersion } = require('cdktf/lib/validations/validate-binary-version');
      const check = (c) => new ValidateBinaryVersion('node', c, 'node --version').validate();
      console.log(JSON.stringify({ ok: check('>=1.0.0'), low: check('>=999.0.0'), semver: loaded('semver') }))`);
    expect(r).toMatchObject({ ok: [], semver: true });
    expect(r.low[0]).toMatch(/^node version \d+\.\d+\.\d+ is lower than the required version >=999\.0\.0/);
  });

  test("cdktf's archiver is the real one when called (a zip archive stream)", () => {
    const r = probe(`${loaded} const fsModule = require.cache[require.resolve('cdktf/lib/private/fs')];
      const archive = require('module')._load('archiver', fsModule, false)('zip');
      console.log(JSON.stringify({ pipe: typeof archive.pipe, directory: typeof archive.directory, archiver: loaded('archiver') }))`);
    expect(r).toEqual({ pipe: 'function', directory: 'function', archiver: true });
  });

  test('a TerraformAsset directory is still archived (cdktf zips it in a node process of its own)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asset-'));
    made.push(dir);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'a');
    const r = probe(`require('cdktf/lib/private/fs').archiveSync(${JSON.stringify(path.join(dir, 'src'))}, ${JSON.stringify(path.join(dir, 'a.zip'))}); console.log('{}')`);
    expect(r).toEqual({});
    expect(fs.readFileSync(path.join(dir, 'a.zip')).subarray(0, 2).toString()).toBe('PK');
  });
});
