'use strict';
// The cdktf app command (cdktf.json "app": "node scripts/run-app.cjs"; `npm run synth` runs it directly).
//
// Bundles main.ts and the TypeScript it imports with esbuild (transpile only: no type check on every synth;
// `npm test` type-checks), keeps the bundle in a cache and runs it in this process with plain node. Compared with a
// TypeScript loader (`node --import tsx main.ts`) this saves the loader thread, the per-file transforms and the
// source maps: about half a second and 40 MiB per synth (see README, "Performance").
// cdktf, constructs and the provider packages stay external (one shared copy, deep imports load only what is
// used); zod and yaml are bundled. The bundle is minified (less code to hold in memory) with a source map:
// `NODE_OPTIONS=--enable-source-maps npx cdktf synth` shows TypeScript files and lines in stack traces.
//
// The cache cannot make a project synthesize another project's files:
// - one cache directory per project root: node_modules/.cache/capsule-aks/<hash of the project root's real path>/
//   (two checkouts sharing one node_modules, a copy or a moved project each get their own);
// - the bundle holds no absolute path: the project root is given to it when it is loaded (`__dirname` of main.ts
//   is replaced by `module.capsuleAksRoot`), so a copied cache entry still reads the copy's files;
// - a bundle is stored under a key that hashes the CONTENT of every file esbuild read to make it (project sources
//   and the bundled yaml/zod files, as esbuild loaded them), package-lock.json, this script, the esbuild and Node
//   versions and the project root; every run recomputes the key from the current files and uses the bundle only
//   when one with that key exists. Modification times play no part (`cp -a` keeps them);
// - files are written to a temporary name and renamed, and read whole before running, so concurrent synths never
//   see half a file, and a bundle removed by another synth meanwhile is simply built again;
// - V8's code cache of a bundle (`<key>.<flags>.v8`, see runWithCodeCache) only saves compiling: it is used only
//   when its hashes match the bundle and its own content, and it holds no absolute path.
const { Buffer } = require('buffer');
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

const FORMAT = 'capsule-aks-bundle-2';
const root = path.join(__dirname, '..');
const EXTERNAL = ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'];
const cacheBase = path.join(root, 'node_modules', '.cache', 'capsule-aks');
const shown = (p) => path.relative(process.cwd(), p) || '.';

const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');
const posix = (p) => p.split(path.sep).join('/');

function fail(message) {
  console.error(message);
  process.exit(1);
}

let realRoot;
try {
  realRoot = fs.realpathSync(root);
} catch (err) {
  fail(`scripts/run-app.cjs: cannot resolve the project directory ${root} (${err.code || err.message})`);
}
const cacheDir = path.join(cacheBase, sha(realRoot).slice(0, 16));
const stampFile = path.join(cacheDir, 'inputs.json');

/** What goes into every key besides the bundled files. */
function fixedParts() {
  const read = (file) => {
    try {
      return sha(fs.readFileSync(file));
    } catch {
      return 'none';
    }
  };
  let esbuildVersion = 'none';
  try {
    esbuildVersion = JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json', { paths: [root] }), 'utf8')).version;
  } catch {
    // esbuild missing: the build reports it
  }
  return [FORMAT, process.version, process.arch, realRoot, read(__filename), read(path.join(root, 'package-lock.json')), esbuildVersion];
}

/** The key of a bundle made from these input files (relative path -> content hash). */
function keyOf(fixed, hashes) {
  const inputs = Object.keys(hashes)
    .sort()
    .map((f) => `${f}\0${hashes[f]}`);
  return sha([...fixed, ...inputs].join('\n')).slice(0, 32);
}

/** The key for the current files, from the list of inputs of the last build; undefined when there is none. */
function currentKey(fixed) {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(stampFile, 'utf8')).inputs;
    if (!Array.isArray(inputs)) return undefined;
    const hashes = {};
    for (const f of inputs) hashes[f] = sha(fs.readFileSync(path.join(root, f)));
    return keyOf(fixed, hashes);
  } catch {
    return undefined; // no stamp, or an input is gone: build
  }
}

function readBundle(key) {
  try {
    return fs.readFileSync(path.join(cacheDir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
}

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.json': 'json', '.js': 'js', '.cjs': 'js', '.mjs': 'js' };

/** Bundles main.ts; returns the key and code. The key hashes exactly the bytes esbuild was given. */
async function build(fixed) {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    fail('scripts/run-app.cjs: esbuild is not installed; run npm ci');
  }
  const hashes = {};
  const hashInputs = {
    name: 'hash-inputs',
    setup(b) {
      b.onLoad({ filter: /.*/, namespace: 'file' }, async (args) => {
        const contents = await fs.promises.readFile(args.path);
        hashes[posix(path.relative(root, args.path))] = sha(contents);
        return { contents, loader: LOADERS[path.extname(args.path)] || 'js' };
      });
    },
  };
  // Provider classes load when first used (`import_x.Class` in the bundle reads them through a stand-in module), not
  // when the app starts: an environment without monitoring, node pools or custom certificates does not load those
  // resource modules (each is a large file to compile). cdktf and constructs load as they are.
  const lazyProviders = {
    name: 'lazy-providers',
    setup(b) {
      b.onResolve({ filter: /^@cdktf\/provider-[a-z]+\/lib\/[a-z0-9-]+$/ }, (args) =>
        args.namespace === 'lazy-provider' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-provider' },
      );
      // The stand-in has the module's export names (read here, when bundling), each a getter that loads it. The
      // provider's package.json goes into the key: another installed version bundles again, even when
      // package-lock.json did not change (a shared node_modules reinstalled from another checkout).
      b.onLoad({ filter: /.*/, namespace: 'lazy-provider' }, (args) => {
        const names = Object.keys(require(require.resolve(args.path, { paths: [root] })));
        const pkg = `${args.path.split('/').slice(0, 2).join('/')}/package.json`;
        const inRoot = path.join(root, 'node_modules', pkg);
        const manifest = fs.existsSync(inRoot) ? inRoot : require.resolve(pkg, { paths: [root] });
        hashes[posix(path.relative(root, manifest))] = sha(fs.readFileSync(manifest));
        return {
          loader: 'js',
          resolveDir: root,
          contents: [
            'let real;',
            `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
            `for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
          ].join('\n'),
        };
      });
    },
  };
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [path.join(root, 'main.ts')],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: EXTERNAL,
      // main.ts finds the project's files next to itself: the root is given to the bundle when it is loaded.
      // and the cache directory and this bundle's key, for the parse cache of environment files (app/parse-cache.ts).
      define: { __dirname: 'module.capsuleAksRoot', CAPSULE_AKS_BUNDLE_CACHE: 'module.capsuleAksCache' },
      // Paths as the project sees them (a symlinked node_modules stays node_modules/...).
      preserveSymlinks: true,
      plugins: [lazyProviders, hashInputs],
      // The source map's paths are relative to the cache directory.
      outfile: path.join(cacheDir, 'bundle.js'),
      sourcemap: 'external',
      minifyWhitespace: true,
      minifySyntax: true,
      write: false,
      logLevel: 'silent',
    });
  } catch (err) {
    // A syntax error in the TypeScript: esbuild's messages name the file, line and column.
    const errors = (err && err.errors) || [];
    const text = errors.length ? esbuild.formatMessagesSync(errors, { kind: 'error', color: false }).join('\n') : String(err);
    fail(`The app does not compile (scripts/run-app.cjs, esbuild):\n${text}`);
  }
  const key = keyOf(fixed, hashes);
  const code = result.outputFiles.find((f) => f.path.endsWith('.js')).text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map')).text;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    atomicWrite(path.join(cacheDir, `${key}.js.map`), map);
    atomicWrite(path.join(cacheDir, `${key}.js`), code);
    atomicWrite(stampFile, JSON.stringify({ inputs: Object.keys(hashes).sort() }));
    removeOldBundles(key);
  } catch (err) {
    fail(`cannot write the app bundle cache ${shown(cacheDir)} (${err.code || err.message}${err.path ? ` on ${shown(err.path)}` : ''}): make it a writable directory, or remove it`);
  }
  return { key, code };
}

/**
 * Write-then-rename: another synth running at the same time never reads a half-written file. On failure the
 * temporary file is removed and the error thrown.
 */
function atomicWrite(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Other bundles of this project root (older versions), and the cache layout of earlier versions of this script. */
function removeOldBundles(key) {
  const now = Date.now();
  for (const f of fs.readdirSync(cacheDir)) {
    if (f === 'inputs.json' || f.startsWith(`${key}.`)) continue;
    const file = path.join(cacheDir, f);
    // Temporary files of a synth still writing are left alone (removed once they are old).
    if (f.endsWith('.tmp') && now - fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs < 10 * 60 * 1000) continue;
    fs.rmSync(file, { force: true });
  }
  for (const f of ['app.js', 'app.js.map', 'app.js.inputs.json']) fs.rmSync(path.join(cacheBase, f), { force: true });
}

/** Runs the bundle as a module of the project root (its externals resolve from the project's node_modules). */
function run(key, code) {
  const file = path.join(cacheDir, `${key}.js`);
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(cacheDir);
  m.capsuleAksRoot = root;
  m.capsuleAksCache = { dir: cacheDir, key };
  if (sourceMapsWanted()) {
    // The map sits next to the bundle (node resolves this relative to `file`, lexically).
    m._compile(`${code}\n//# sourceMappingURL=${key}.js.map\n`, file);
    return;
  }
  runWithCodeCache(key, code, m);
}

/** `--enable-source-maps` (in the arguments or NODE_OPTIONS): stack traces name the TypeScript files. */
function sourceMapsWanted() {
  return process.sourceMapsEnabled === true || [...process.execArgv, ...(process.env.NODE_OPTIONS || '').split(/\s+/)].includes('--enable-source-maps');
}

/**
 * Runs the bundle with V8's code cache of it (next to the bundle, removed with it): V8 then skips parsing the bundle
 * and compiling the functions a synth runs (about 0.05 s per synth). The cache is made at the end of a synth that
 * had none, or whose cache was not used.
 *
 * V8 (Node 20) checks a code cache only against the source's LENGTH and its own version and flags, with no checksum:
 * a damaged file, or another bundle of the same length, would be trusted (a review flipped single bits: crashes,
 * and once different output). So the file is `sha256(source) sha256(payload) payload`, and the payload reaches V8
 * only when both hashes match; anything else is a miss, and the file is made again. V8's flags are in the file name
 * (the cdktf CLI runs the app with NODE_OPTIONS=--max-old-space-size=4096, `npm run synth` without: each keeps its
 * own cache instead of replacing the other's).
 *
 * The script is compiled under its path relative to the project root (V8 keeps the name in the cache, and stack
 * traces show it), so the cache holds no absolute path. NODE_OPTIONS=--enable-source-maps runs the bundle as before,
 * with its map. The bundle must not use `import()` (a vm.Script has no loader for it; it has none).
 */
function runWithCodeCache(key, code, m) {
  const vm = require('vm');
  const flags = sha(JSON.stringify([process.execArgv, process.env.NODE_OPTIONS || ''])).slice(0, 8);
  const cacheFile = path.join(cacheDir, `${key}.${flags}.v8`);
  const wrapped = Module.wrap(code);
  const sourceHash = crypto.createHash('sha256').update(wrapped).digest();
  const payloadHash = (payload) => crypto.createHash('sha256').update(payload).digest();
  let cachedData;
  try {
    const raw = fs.readFileSync(cacheFile);
    if (raw.length > 64 && raw.subarray(0, 32).equals(sourceHash) && payloadHash(raw.subarray(64)).equals(raw.subarray(32, 64))) cachedData = raw.subarray(64);
  } catch {
    // none yet
  }
  const script = new vm.Script(wrapped, { filename: posix(path.relative(root, m.filename)), cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const payload = script.createCachedData();
        atomicWrite(cacheFile, Buffer.concat([sourceHash, payloadHash(payload), payload]));
      } catch {
        // no cache this time
      }
    });
  }
  const fn = script.runInThisContext();
  fn.call(m.exports, m.exports, Module.createRequire(m.filename), m, m.filename, cacheDir);
}

// archiver and semver load when cdktf first uses them, not when it is loaded (see the file).
require('./defer-cdktf-dependencies.cjs')();
// cdktf writes its JSON with a faster equivalent of json-stable-stringify (see the file), unless
// CAPSULE_AKS_CDKTF_RESOLVE=1 asks for cdktf alone.
if (process.env.CAPSULE_AKS_CDKTF_RESOLVE !== '1') require('./stable-json.cjs').installStableJson();
const fixed = fixedParts();
const key = currentKey(fixed);
const cached = key === undefined ? undefined : readBundle(key);
if (cached) {
  run(key, cached);
} else {
  // The app runs outside the promise, so that an unexpected error is reported as usual (stack trace, exit 1).
  build(fixed).then(
    (b) => process.nextTick(() => run(b.key, b.code)),
    (err) => process.nextTick(() => {
      throw err;
    }),
  );
}
