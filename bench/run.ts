/**
 * `npm run bench`: speed and memory of synth against a floor measured in the same run, with budgets.
 * Prints a table (median, spread, ratio to the floor per round), exits 1 when a budget is missed. Not part of
 * `npm test`. Writes nothing in the project unless asked (`--write`: bench/results.json).
 *
 *   npm run bench                 # everything (about 3 minutes on 2 idle cores)
 *   npm run bench -- --runs 11    # 11 interleaved rounds instead of 7
 *   npm run bench -- --no-test    # skip the `npm test` timing
 *   npm run bench -- --write      # also write bench/results.json
 *
 * Every round runs each measured command once, one after the other (interleaved), so a change of load hits all of
 * them alike; time ratios are taken per round (command / floor of the same round) and their median is compared
 * with the budget, with their spread (min-max) printed. A time budget passes when that median ratio is within it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeGeneratedEnvironment } from './generate';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 7;
const WRITE = args.includes('--write');
const WITH_TEST = !args.includes('--no-test');
const TENANTS = [10, 100, 500];
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-bench-'));

interface Sample {
  seconds: number;
  /** CPU time (user + system) of the process and its children: much less sensitive to load than wall time. */
  cpu?: number;
  /** Peak resident memory of the largest process, MiB. */
  mib: number;
}
interface Measure {
  id: string;
  what: string;
  /** Median wall time, and the fastest and slowest run. */
  seconds: number;
  min?: number;
  max?: number;
  mib: number;
  runs: number;
  /** Per round: this command's time / the floor's time in the same round (median, min, max). */
  ratio?: { median: number; min: number; max: number };
  /** Median CPU seconds, and its ratio to the floor's median CPU seconds (GNU time only). */
  cpu?: number;
  cpuRatio?: number;
}

/** Runs a command once; wall time and peak RSS (GNU time, else the process's own maxRSS through a preload). */
function run(cmd: string[], cwd: string, env: Record<string, string> = {}, allowFail = false): Sample & { status: number | null } {
  const stats = path.join(tmp, 'time.txt');
  const full = TIME ? [TIME, '-f', '%e %M %U %S', '-o', stats, ...cmd] : cmd;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, FORCE_COLOR: '0' };
  if (!TIME) childEnv.NODE_OPTIONS = `${childEnv.NODE_OPTIONS ?? ''} --require ${path.join(tmp, 'maxrss.js')}`.trim();
  const start = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { cwd, env: childEnv, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd.join(' ')} (in ${cwd}) exited ${r.status}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  if (TIME) {
    const [secs, kb, user, sys] = fs.readFileSync(stats, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds: secs, mib: kb / 1024, cpu: user + sys, status: r.status };
  }
  const rss = fs.existsSync(path.join(tmp, 'maxrss.txt')) ? fs.readFileSync(path.join(tmp, 'maxrss.txt'), 'utf8').trim().split('\n').map(Number) : [0];
  fs.rmSync(path.join(tmp, 'maxrss.txt'), { force: true });
  return { seconds: wall, mib: Math.max(...rss) / 1024, status: r.status };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Measures several commands `RUNS` times each, interleaved (so load changes hit all of them alike); medians. */
function measureAll(items: { id: string; what: string; cmd: string[]; cwd: string; env?: Record<string, string>; runs?: number; warmUp?: boolean }[]): Measure[] {
  const samples = new Map<string, Sample[]>(items.map((i) => [i.id, []]));
  for (const i of items) if (i.warmUp !== false) run(i.cmd, i.cwd, i.env); // warm-up: file cache, tsx cache
  const rounds = Math.max(...items.map((i) => i.runs ?? RUNS));
  for (let r = 0; r < rounds; r++) {
    for (const i of items) {
      if (r >= (i.runs ?? RUNS)) continue;
      samples.get(i.id)!.push(run(i.cmd, i.cwd, i.env));
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const base = samples.get(items[0].id)!;
  return items.map((i) => {
    const s = samples.get(i.id)!;
    const secs = s.map((x) => x.seconds);
    // Ratios against the first item (the floor) of the same round.
    const ratios = s.map((x, r) => x.seconds / base[r].seconds);
    return {
      id: i.id,
      what: i.what,
      seconds: median(secs),
      min: Math.min(...secs),
      max: Math.max(...secs),
      mib: median(s.map((x) => x.mib)),
      runs: s.length,
      ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
      ...(s[0].cpu === undefined ? {} : { cpu: median(s.map((x) => x.cpu!)), cpuRatio: median(s.map((x) => x.cpu!)) / median(base.map((x) => x.cpu!)) }),
    };
  });
}

function appCommand(): string[] {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app: string }).app;
  return app.split(/\s+/);
}

function main(): void {
  const started = Date.now();
  const loadAtStart = os.loadavg();
  // maxRSS fallback when GNU time is missing: every node process appends its peak RSS (KiB) at exit.
  fs.writeFileSync(
    path.join(tmp, 'maxrss.js'),
    `process.on('exit', () => require('fs').appendFileSync(${JSON.stringify(path.join(tmp, 'maxrss.txt'))}, process.resourceUsage().maxRSS + '\\n'));\n`,
  );

  // The floor: a project of its own (the floor app, node_modules linked, this cdktf.json with the app command
  // `node dist/main.js`), compiled with tsc into dist/ and run with plain node, directly and by the CLI.
  const floorProject = path.join(tmp, 'floor-project');
  fs.mkdirSync(floorProject);
  fs.copyFileSync(path.join(ROOT, 'bench', 'floor', 'main.ts'), path.join(floorProject, 'main.ts'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(floorProject, 'node_modules'), 'dir');
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(floorProject, 'cdktf.json'), JSON.stringify({ ...cdktfJson, app: 'node dist/main.js', projectId: 'capsule-bench-floor' }, null, 2));
  fs.writeFileSync(path.join(floorProject, 'package.json'), JSON.stringify({ name: 'capsule-bench-floor', private: true }));
  const floorJs = path.join(floorProject, 'dist');
  const tscArgs = ['--outDir', floorJs, '--module', 'commonjs', '--target', 'ES2022', '--moduleResolution', 'node', '--esModuleInterop', '--skipLibCheck', '--strict'];
  run([path.join(BIN, 'tsc'), ...tscArgs, path.join(floorProject, 'main.ts')], floorProject);

  const app = appCommand();
  const out = (name: string) => ({ CDKTF_OUTDIR: path.join(tmp, `out-${name}`) });
  const items: Parameters<typeof measureAll>[0] = [
    { id: 'floor', what: 'floor app, compiled (tsc, node)', cmd: ['node', path.join(floorJs, 'main.js')], cwd: floorProject, env: out('floor') },
    { id: 'bundled', what: `bundled environments, app command (${app.join(' ')})`, cmd: app, cwd: ROOT, env: out('bundled') },
    // What a user runs: npm's own start-up included.
    { id: 'npmSynth', what: 'bundled environments, npm run synth', cmd: ['npm', 'run', 'synth'], cwd: ROOT, env: out('npm-synth') },
    // For information: the first synth after a source change, when the app command bundles main.ts again
    // (without its list of inputs, the cache is not used; the bundle written is the same).
    {
      id: 'bundledRebuild',
      what: 'bundled environments, first synth after a change (bundle rebuilt)',
      cmd: ['sh', '-c', `rm -f node_modules/.cache/capsule-aks/*/inputs.json && exec ${app.join(' ')}`],
      cwd: ROOT,
      env: out('bundled-rebuild'),
    },
  ];
  for (const n of TENANTS) {
    const dir = path.join(tmp, `envs-${n}`);
    writeGeneratedEnvironment(dir, n);
    items.push({ id: `tenants${n}`, what: `generated environment, ${n} tenants`, cmd: app, cwd: ROOT, env: { ...out(`t${n}`), CAPSULE_AKS_ENVIRONMENTS: dir }, warmUp: n < 500 });
  }
  // For information: 500 tenants when the file was just edited (a comment line more each run: its parse cache entry
  // misses, app/parse-cache.ts), the first synth after an edit.
  const edited = path.join(tmp, 'envs-500-edited');
  const editedFile = writeGeneratedEnvironment(edited, 500);
  items.push({
    id: 'tenants500Edited',
    what: 'generated environment, 500 tenants, file just edited (parsed again)',
    cmd: ['sh', '-c', `echo "# edit $$" >> "${editedFile}" && exec ${app.join(' ')}`],
    cwd: ROOT,
    env: { ...out('t500-edited'), CAPSULE_AKS_ENVIRONMENTS: edited },
    warmUp: false,
  });
  console.error(`bench: app synth, ${RUNS} runs each (median), in ${tmp}`);
  const measures = measureAll(items);

  console.error('bench: cdktf synth through the CLI');
  const cli = [path.join(BIN, 'cdktf'), 'synth'];
  const cliEnv = { CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1', CI: '1' };
  measures.push(
    ...measureAll([
      { id: 'cliFloor', what: 'cdktf synth (CLI), floor project', cmd: [...cli, '--output', path.join(tmp, 'cli-floor')], cwd: floorProject, env: cliEnv, runs: Math.min(RUNS, 3), warmUp: false },
      { id: 'cli', what: 'cdktf synth (CLI), this project', cmd: [...cli, '--output', path.join(tmp, 'cli-app')], cwd: ROOT, env: cliEnv, runs: Math.min(RUNS, 3), warmUp: false },
    ]),
  );
  // `npm run synth` must write what `cdktf synth` writes (both output directories are at the same depth, so even
  // the relative paths to the project's state files are the same).
  const different = compareTrees(path.join(tmp, 'cli-app'), path.join(tmp, 'out-npm-synth'));

  let testSeconds: number | undefined;
  if (WITH_TEST) {
    // The steps of the `test` script one by one (same total as `npm test`, plus the jest suite on its own).
    console.error('bench: npm test (lint, type check, jest), once, step by step');
    const steps = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.test.split('&&').map((x) => x.trim());
    const binPath = { PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}` };
    let seconds = 0;
    let peak = 0;
    let ok = true;
    for (const step of steps) {
      const t = run(['sh', '-c', step], ROOT, binPath, true);
      seconds += t.seconds;
      peak = Math.max(peak, t.mib);
      ok &&= t.status === 0;
      if (/^(npx )?jest\b/.test(step)) measures.push({ id: 'jest', what: `jest suite (${step})${t.status === 0 ? '' : ', FAILED'}`, seconds: t.seconds, mib: t.mib, runs: 1 });
    }
    testSeconds = seconds;
    measures.push({ id: 'npmTest', what: `npm test (${steps.length} steps)${ok ? '' : ', FAILED'}`, seconds, mib: peak, runs: 1 });
  }

  const m = (id: string) => measures.find((x) => x.id === id)!;
  const spread = (x: Measure) => (x.ratio ? `${f(x.ratio.min)}-${f(x.ratio.max)}` : '');
  const budgets = [
    { budget: 'npm run synth time <= 3x floor (median ratio; spread)', value: m('npmSynth').ratio!.median, spread: spread(m('npmSynth')), max: 3 },
    { budget: 'npm run synth writes what cdktf synth writes', value: different.length, spread: different.slice(0, 3).join(', '), max: 0 },
    { budget: 'bundled environments time <= 2x floor', value: m('bundled').ratio!.median, spread: spread(m('bundled')), max: 2 },
    { budget: 'bundled environments memory <= 1.5x floor', value: m('bundled').mib / m('floor').mib, spread: '', max: 1.5 },
    { budget: '500 tenants time <= 5x floor', value: m('tenants500').ratio!.median, spread: spread(m('tenants500')), max: 5 },
    { budget: 'cdktf synth (CLI) <= 1.3x CLI floor', value: m('cli').seconds / m('cliFloor').seconds, spread: '', max: 1.3 },
    ...(testSeconds === undefined ? [] : [{ budget: `npm test <= 60 s (${os.cpus().length} cores here)`, value: testSeconds, spread: '', max: 60 }]),
  ].map((b) => ({ ...b, ok: b.value <= b.max }));
  console.log('');
  const noFloor = ['jest', 'npmTest', 'cli', 'cliFloor'];
  console.log(
    table(
      ['measure', 'median s', 'min-max s', 'peak MiB', 'x floor time (median, min-max)', 'x floor mem', 'x floor CPU', 'runs'],
      measures.map((x) => [
        x.what,
        f(x.seconds),
        x.min === undefined ? '' : `${f(x.min)}-${f(x.max!)}`,
        f(x.mib, 0),
        noFloor.includes(x.id) || !x.ratio ? '' : `${f(x.ratio.median)} (${spread(x)})`,
        noFloor.includes(x.id) ? '' : f(x.mib / m('floor').mib),
        noFloor.includes(x.id) || x.cpuRatio === undefined ? '' : f(x.cpuRatio),
        String(x.runs),
      ]),
    ),
  );
  console.log('');
  console.log(table(['budget', 'measured', 'spread', 'limit', 'result'], budgets.map((b) => [b.budget, f(b.value), b.spread, String(b.max), b.ok ? 'pass' : 'FAIL'])));
  console.log('');
  const growth = TENANTS.map((n) => `${n}: ${f(m(`tenants${n}`).seconds)} s, ${f(m(`tenants${n}`).mib, 0)} MiB`).join('; ');
  console.log(`growth with tenants: ${growth}`);

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: loadAtStart },
    method: { runs: RUNS, statistic: 'median of interleaved rounds; time budgets on the median per-round ratio to the floor (CLI: 3 runs)', memory: TIME ? 'GNU time max RSS' : 'process.resourceUsage().maxRSS', appCommand: app.join(' ') },
    loadAverageAtEnd: os.loadavg(),
    measures,
    budgets,
    benchSeconds: Math.round((Date.now() - started) / 1000),
  };
  console.log(`bench: ${results.benchSeconds} s; load average at the start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}, at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (WRITE) {
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('bench: results written to bench/results.json');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const failed = budgets.filter((b) => !b.ok);
  if (failed.length) {
    console.log(`bench: ${failed.length} budget${failed.length === 1 ? '' : 's'} missed: ${failed.map((b) => b.budget).join('; ')}`);
    process.exitCode = 1;
  }
}

const f = (x: number, d = 2) => x.toFixed(d);

/** Files that differ between two directory trees (missing on one side, or other content), as relative paths. */
function compareTrees(a: string, b: string): string[] {
  const list = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? list(path.join(dir, d.name)).map((x) => path.join(d.name, x)) : [d.name]));
  const [fa, fb] = [list(a), list(b)];
  const all = [...new Set([...fa, ...fb])].sort();
  return all.filter((x) => !fa.includes(x) || !fb.includes(x) || !fs.readFileSync(path.join(a, x)).equals(fs.readFileSync(path.join(b, x))));
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

main();
