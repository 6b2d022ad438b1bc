import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentError, loadEnvironments } from './config/load';
import { PolicyConfigError, policyErrors } from './policy/policy-checks';
import { annotatesOnly } from './constructs/policy-finding';
import { ValidationError } from './constructs/validation';
import { addEnvironmentStacks } from './stacks/environment-stacks';
import { PROJECT_ROOT_CONTEXT } from './stacks/project-paths';
import { installFastResolve, preparedConfiguration, prepareStacks, skipTerraformVersionCheck, skipTokenCreationTraces, withSynthCaches, withTokenValuesPerStack } from './app/synth-speed';
import { annotationLines, removeStaleOutput, writeReports } from './app/report';
import { ENVIRONMENT_FILE_FIXES } from './app/policy-fixes';
import { environmentParseCache } from './app/parse-cache';

/** Set by scripts/run-app.cjs when this runs as its bundle: its cache directory and key (see app/parse-cache.ts). */
declare const CAPSULE_AKS_BUNDLE_CACHE: { dir: string; key: string } | undefined;

// The cdktf app (scripts/run-app.cjs bundles and runs it): loads every environments/*.yaml (or
// $CAPSULE_AKS_ENVIRONMENTS/*.yaml), creates each environment's stacks, synthesizes them into cdktf.out (removing the
// output of environments and stacks that are gone), writes the reports (cdktf.out/<env>.md) and prints one summary
// line per environment and the findings of the policy checks.
// Refused with exit 1 and nothing written: invalid environment files (every problem at once), invalid construct props
// (the first problem of each environment), policy errors (all of them).
class SynthRefused extends Error {}

// No stack trace per token, no `terraform version` at synth, a faster walk of plain values and the synth caches
// (app/synth-speed.ts). CAPSULE_AKS_CDKTF_RESOLVE=1 synthesizes with cdktf's resolve alone (no walk, no caches, no
// parse cache), to compare the output when a speed-up is in doubt.
skipTokenCreationTraces();
skipTerraformVersionCheck();
const speedUps = process.env.CAPSULE_AKS_CDKTF_RESOLVE !== '1';
if (speedUps) installFastResolve();

// The project root is this file's directory (scripts/run-app.cjs runs the bundle as if it were here), whatever the
// working directory. The output goes to CDKTF_OUTDIR (set by `cdktf synth --output`, relative to the working
// directory, which the CLI makes the project root), else <project root>/cdktf.out.
const root = __dirname;
const outdir = process.env.CDKTF_OUTDIR ? path.resolve(process.env.CDKTF_OUTDIR) : path.join(root, 'cdktf.out');
// `new App()` creates these when missing; removed again (if still empty) when nothing is synthesized.
const createdByApp = [outdir, path.join(outdir, 'stacks')].filter((d) => !fs.existsSync(d));
const shown = (p: string) => (path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p) || '.');

try {
  // `cdktf synth --hcl` (SYNTH_HCL_OUTPUT): cdk.tf instead of cdk.tf.json, which the reports and the CI checks read.
  if (process.env.SYNTH_HCL_OUTPUT === 'true' || process.env.SYNTH_HCL_OUTPUT === '1') {
    throw new SynthRefused('HCL output (cdktf synth --hcl, SYNTH_HCL_OUTPUT) is not supported: the environment reports and the CI checks read cdk.tf.json; synthesize without --hcl');
  }
  checkOutdir(outdir);
  // Valid environment files parsed by an earlier synth of this bundle are not parsed again (app/parse-cache.ts).
  const bundleCache = typeof CAPSULE_AKS_BUNDLE_CACHE === 'undefined' ? undefined : CAPSULE_AKS_BUNDLE_CACHE;
  const parsed = speedUps && bundleCache ? environmentParseCache(bundleCache.dir, bundleCache.key) : undefined;
  const envs = loadEnvironments(process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(root, 'environments'), { parsed });
  // No stack traces in the manifest's annotations: they would put this machine's paths (and which code path ran)
  // into cdktf.out, which is then the same for `npm run synth` and `cdktf synth` and on every machine.
  const app = new App({ outdir, stackTraces: false, context: { [PROJECT_ROOT_CONTEXT]: root } });
  const problems: string[] = [];
  const stacksOf = new Map<string, string[]>();
  for (const env of envs) {
    try {
      stacksOf.set(env.name, addEnvironmentStacks(app, env, { policyFixes: ENVIRONMENT_FILE_FIXES }).names);
    } catch (err) {
      // One message per environment (a constructor stops at its first problem); the other environments go on.
      if (err instanceof ValidationError || err instanceof PolicyConfigError) problems.push(`environment "${env.name}": ${err.message}`);
      else throw err;
    }
  }
  if (problems.length) throw new SynthRefused(`Invalid construct configuration (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  // cdktf's preparing pass, the policy checks, then synth (which skips the preparing pass it has had): the checks
  // run after that pass as cdktf runs aspects, and see the cross-stack outputs it adds. With the speed-ups, resources
  // are complete here: their configuration is built once, and the checks read the preparing pass's results
  // (app/synth-speed.ts; the only aspects are the policy checks and the construct findings, which only annotate).
  const checkAndSynth = () => {
    prepareStacks(app);
    const errors = withTokenValuesPerStack(() => policyErrors(app, { resolvedConfiguration: preparedConfiguration }));
    if (errors.length) {
      throw new SynthRefused(`Policy checks failed (${errors.length} error${errors.length === 1 ? '' : 's'}; see the README, "Guardrails"):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    app.synth();
  };
  if (speedUps) withSynthCaches(app, checkAndSynth, annotatesOnly);
  else checkAndSynth();
  // Stack directories and reports of stacks and environments that no longer exist (as `cdktf synth` removes
  // orphaned stack directories, so that both leave the same output).
  removeStaleOutput(outdir, envs);
  writeReports(app.outdir, envs, stacksOf); // cdktf.out/<env>.md and one summary line per environment
  // The cdktf CLI prints the warnings and acknowledged findings itself (it runs the app with
  // CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true, @cdktf/cli-core/src/lib/synth-stack.js:113); `npm run synth` runs the
  // app alone, so the app prints them, in the CLI's form.
  if (process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== 'true') for (const line of annotationLines(app.outdir)) console.log(line);
} catch (err) {
  const fsError = err as NodeJS.ErrnoException;
  if (err instanceof EnvironmentError || err instanceof ValidationError || err instanceof SynthRefused || (fsError.syscall && fsError.code)) {
    for (const dir of [...createdByApp].reverse()) {
      try {
        if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
      } catch {
        // best effort
      }
    }
    // A file system error while writing (permissions, disk full): one line with the path, no stack trace.
    console.error(err instanceof Error && !fsError.syscall ? err.message : `cannot write the synthesized output in ${shown(outdir)}: ${fsError.code} (${fsError.syscall} ${shown(fsError.path ?? outdir)})`);
    process.exit(1);
  }
  throw err;
}

/** The output directory must be a directory, or creatable (its parent exists). */
function checkOutdir(dir: string): void {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new SynthRefused(`${shown(dir)}: the output directory (CDKTF_OUTDIR / cdktf synth --output) is not a directory`);
  if (!stat && !fs.statSync(path.dirname(dir), { throwIfNoEntry: false })?.isDirectory()) {
    throw new SynthRefused(`${shown(dir)}: the output directory (CDKTF_OUTDIR / cdktf synth --output) cannot be created: ${shown(path.dirname(dir))} does not exist`);
  }
}
