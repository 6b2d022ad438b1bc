/**
 * Helper of the GitHub workflows (.github/workflows/): which environments and stacks CI handles, and the guard
 * that refuses an environment whose Terraform state is local.
 *
 *   node --import tsx scripts/ci-environments.ts plan [--only env1,env2]   # key=JSON lines for $GITHUB_OUTPUT
 *   node --import tsx scripts/ci-environments.ts check <env>              # exit 1 when the state is local
 *
 * Environments come from environments/ (or $CAPSULE_AKS_ENVIRONMENTS) and are validated as by `cdktf synth`.
 * The stacks and their dependencies come from an in-memory synth of the real app (cdktf's manifest), so the
 * matrix cannot drift from what `cdktf diff` / `cdktf deploy` will see.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentError, loadEnvironments } from '../config/load';
import { EnvironmentConfig } from '../config/schema';
import { ValidationError } from '../constructs/validation';

/** One `cdktf diff` job: a stack, the stacks it reads outputs from, and where their state lives. */
export interface StackJob {
  readonly env: string;
  readonly stack: string;
  /** Stacks this one depends on, space-separated ('' for none). */
  readonly dependencies: string;
  /** State blobs of those dependencies, space-separated `<storageAccount>/<container>/<key>`. */
  readonly dependencyState: string;
}

export interface CiPlan {
  /** Environments with remote state: one deploy job each. */
  readonly environments: { env: string }[];
  /** Every stack of those environments: one diff job each. */
  readonly stacks: StackJob[];
  /** Environments refused because their state is local, with the reason. */
  readonly refused: { env: string; reason: string }[];
}

/** Why CI refuses this environment, or undefined when its state is remote. */
export function refusal(env: EnvironmentConfig): string | undefined {
  if ((env.state?.backend ?? 'local') !== 'local') return undefined;
  return (
    `environment "${env.name}" uses the local Terraform backend (state.backend: local${env.state ? '' : ', the default'}). ` +
    'CI refuses it: a runner\'s disk is discarded after each run, so Terraform would forget what it created and try to create it again. ' +
    `Set state.backend: azurerm in environments/${env.name}.yaml (see README "CI/CD"), or leave "${env.name}" out of the repository variable CI_ENVIRONMENTS.`
  );
}

/** The jobs CI runs for these environments (`only`: names to keep; empty keeps all). */
export function ciPlan(envs: readonly EnvironmentConfig[], only: readonly string[] = []): CiPlan {
  const unknown = only.filter((n) => !envs.some((e) => e.name === n));
  if (unknown.length) {
    throw new EnvironmentError(unknown.map((n) => `CI_ENVIRONMENTS / input "${n}" is not an environment; known: ${envs.map((e) => e.name).join(', ')}`));
  }
  const selected = envs.filter((e) => only.length === 0 || only.includes(e.name));
  const refused = selected.flatMap((e) => {
    const reason = refusal(e);
    return reason ? [{ env: e.name, reason }] : [];
  });
  const remote = selected.filter((e) => !refusal(e));
  const manifest = synthManifest(remote);
  const stacks = remote.flatMap((env) =>
    Object.values(manifest)
      .filter((s) => s.name.startsWith(`${env.name}-`))
      .map((s) => {
        const deps = s.dependencies.map((d) => d.split('/').pop() as string);
        return { env: env.name, stack: s.name, dependencies: deps.join(' '), dependencyState: deps.map((d) => stateBlob(env, d)).join(' ') };
      }),
  );
  return { environments: remote.map((e) => ({ env: e.name })), stacks, refused };
}

function stateBlob(env: EnvironmentConfig, stack: string): string {
  const s = env.state;
  if (s?.backend !== 'azurerm') throw new Error(`${env.name}: no remote state`);
  return `${s.storageAccountName}/${s.containerName}/${s.keyPrefix ?? ''}${stack}.tfstate`;
}

interface ManifestStack {
  readonly name: string;
  readonly dependencies: string[];
}

function synthManifest(envs: readonly EnvironmentConfig[]): Record<string, ManifestStack> {
  if (envs.length === 0) return {};
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-ci-'));
  try {
    // Loaded here so that `check` stays fast (no providers).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { App } = require('cdktf') as typeof import('cdktf');
    const { createEnvironmentStacks } = require('../stacks/environment-stacks') as typeof import('../stacks/environment-stacks');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const app = new App({ outdir });
    for (const env of envs) createEnvironmentStacks(app, env);
    app.synth();
    return (JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, ManifestStack> }).stacks;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const dir = process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, '..', 'environments');
  const [cmd, ...rest] = argv;
  const envs = loadEnvironments(dir);
  if (cmd === 'check') {
    const problems = rest.flatMap((name) => {
      const env = envs.find((e) => e.name === name);
      if (!env) return [`"${name}" is not an environment; known: ${envs.map((e) => e.name).join(', ')}`];
      const reason = refusal(env);
      return reason ? [reason] : [];
    });
    if (rest.length === 0) problems.push('usage: ci-environments.ts check <env>...');
    for (const p of problems) console.error(`::error title=Environment refused::${p}`);
    if (problems.length === 0) console.log(`OK: ${rest.join(', ')} use${rest.length === 1 ? 's' : ''} remote state`);
    return problems.length ? 1 : 0;
  }
  if (cmd === 'plan') {
    const i = rest.indexOf('--only');
    const only = i >= 0 ? (rest[i + 1] ?? '').split(/[\s,]+/).filter(Boolean) : [];
    const plan = ciPlan(envs, only);
    console.log(`environments=${JSON.stringify(plan.environments)}`);
    console.log(`stacks=${JSON.stringify(plan.stacks)}`);
    console.log(`refused=${JSON.stringify(plan.refused)}`);
    return 0;
  }
  console.error('usage: ci-environments.ts plan [--only env1,env2] | check <env>...');
  return 2;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof ValidationError) {
      console.error(err.message);
      process.exitCode = 1;
    } else throw err;
  }
}
