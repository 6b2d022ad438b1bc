'use strict';
// The cdktf app command (cdktf.json "app": "node scripts/run-app.cjs").
//
// Bundles main.ts and the TypeScript it imports with esbuild (transpile only: no type check on every synth;
// `npm test` type-checks) into node_modules/.cache/capsule-aks/app.js, rebuilt only when one of its input files
// changed (a list of inputs with their modification times sits next to it), then runs it in this process with plain
// node. Compared with a TypeScript loader (`node --import tsx main.ts`) this saves the loader thread, the per-file
// transforms and the source maps: about half a second and 40 MiB per synth (see README, "Performance").
// cdktf, constructs and the provider packages stay external (one shared copy, deep imports load only what is
// used); zod and yaml are bundled. The bundle is minified (less code to hold in memory) with a linked source map:
// `NODE_OPTIONS=--enable-source-maps npx cdktf synth` shows TypeScript files and lines in stack traces.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const outfile = path.join(root, 'node_modules', '.cache', 'capsule-aks', 'app.js');
const EXTERNAL = ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'];

const stampfile = `${outfile}.inputs.json`;

/** The bundle is current when every input file it was built from (and this script) is unchanged. */
function upToDate() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampfile, 'utf8'));
    if (!fs.existsSync(outfile)) return false;
    return Object.entries(stamp).every(([file, mtime]) => fs.statSync(path.join(root, file)).mtimeMs === mtime);
  } catch {
    return false;
  }
}

function build() {
  const esbuild = require('esbuild');
  let result;
  try {
    result = esbuild.buildSync({
      entryPoints: [path.join(root, 'main.ts')],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: EXTERNAL,
      // main.ts finds the bundled environments next to itself: keep its directory the project root.
      define: { __dirname: JSON.stringify(root) },
      outfile,
      sourcemap: 'linked',
      metafile: true,
      minifyWhitespace: true,
      minifySyntax: true,
      write: false,
      logLevel: 'silent',
    });
  } catch (err) {
    // A syntax error in the TypeScript: esbuild's messages name the file, line and column.
    const errors = (err && err.errors) || [];
    const text = errors.length ? esbuild.formatMessagesSync(errors, { kind: 'error', color: false }).join('\n') : String(err);
    console.error(`The app does not compile (scripts/run-app.cjs, esbuild):\n${text}`);
    process.exit(1);
  }
  const inputs = [...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')), path.relative(root, __filename)];
  const stamp = Object.fromEntries(inputs.map((f) => [f, fs.statSync(path.join(root, f)).mtimeMs]));
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  // Write-then-rename: another synth running at the same time never loads a half-written bundle.
  const atomicWrite = (file, text) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  };
  for (const file of result.outputFiles) atomicWrite(file.path, file.text); // app.js and app.js.map
  atomicWrite(stampfile, JSON.stringify(stamp));
}

if (!upToDate()) build();
// Resolve the external packages from the project, whatever the cache location.
module.paths.unshift(path.join(root, 'node_modules'));
require(outfile);
