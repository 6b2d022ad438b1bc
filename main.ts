import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentError, loadEnvironments } from './config/load';
import { PolicyConfigError, policyErrors } from './constructs/policy-checks';
import { ValidationError } from './constructs/validation';
import { addEnvironmentStacks } from './stacks/environment-stacks';
import { writeReports } from './scripts/report';

// Loads every environments/*.yaml (or $CAPSULE_AKS_ENVIRONMENTS/*.yaml) and creates its stacks.
// Bad input, invalid construct props or policy errors: every message at once, exit 1, nothing written.
class SynthRefused extends Error {}

// cdktf records a full stack trace for every token it creates, only to print it if that token later fails to
// resolve; with hundreds of tenants that is a third of the synth time and much of its memory. Errors keep their
// stack traces; set CAPSULE_AKS_TOKEN_TRACES=1 to get the token creation traces back while debugging.
if (process.env.CAPSULE_AKS_TOKEN_TRACES !== '1') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] }).captureStackTrace = () => [];
}

const outdir = process.env.CDKTF_OUTDIR ?? 'cdktf.out';
// `new App()` creates these when missing; removed again (if still empty) when nothing is synthesized.
const createdByApp = [outdir, path.join(outdir, 'stacks')].filter((d) => !fs.existsSync(d));

try {
  const envs = loadEnvironments(process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, 'environments'));
  const app = new App();
  const problems: string[] = [];
  const stacksOf = new Map<string, string[]>();
  for (const env of envs) {
    try {
      stacksOf.set(env.name, addEnvironmentStacks(app, env).names);
    } catch (err) {
      // One message per environment (a constructor stops at its first problem); the other environments go on.
      if (err instanceof ValidationError || err instanceof PolicyConfigError) problems.push(`environment "${env.name}": ${err.message}`);
      else throw err;
    }
  }
  if (problems.length) throw new SynthRefused(`Invalid construct configuration (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const errors = policyErrors(app);
  if (errors.length) {
    throw new SynthRefused(`Policy checks failed (${errors.length} error${errors.length === 1 ? '' : 's'}; see the README, "Guardrails"):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
  app.synth();
  writeReports(app.outdir, envs, stacksOf); // cdktf.out/<env>.md and one summary line per environment
} catch (err) {
  if (err instanceof EnvironmentError || err instanceof ValidationError || err instanceof SynthRefused) {
    for (const dir of [...createdByApp].reverse()) if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
