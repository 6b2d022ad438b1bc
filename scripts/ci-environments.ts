/**
 * Helper of the GitHub workflows (.github/workflows/): which environments and stacks CI handles, and the guard
 * that refuses an environment whose Terraform state is local.
 *
 *   node --import tsx scripts/ci-environments.ts plan [--only env1,env2] [--stages N] [--skip-protected]   # key=JSON lines for $GITHUB_OUTPUT
 *   node --import tsx scripts/ci-environments.ts check <env>              # exit 1: local state, placeholder IDs, protected record missing or out of date
 *   node --import tsx scripts/ci-environments.ts stacks <env>             # that environment's stacks, in deployment order
 *   node --import tsx scripts/ci-environments.ts runners                  # exit 1: a self-hosted runner label serves pull requests and deploys
 *
 * `stacks` prints exactly one environment's stack names, space-separated, for `npx cdktf deploy $(...)`: the
 * stacks the app creates for it (addEnvironmentStacks), never a pattern such as `'<env>-*'`, which also matches
 * the stacks of an environment named `<env>-<something>`.
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
import { GUID_RE, ValidationError } from '../constructs/validation';
import { environmentStacks, readSynthesizedStacks } from '../app/report';

/** One `cdktf diff` job: a stack, the stacks it reads outputs from, and where their state lives. */
export interface StackJob {
  readonly env: string;
  readonly stack: string;
  /** Stacks this one depends on, space-separated ('' for none). */
  readonly dependencies: string;
  /** State blobs of those dependencies, space-separated `<storageAccount>/<container>/<key>`. */
  readonly dependencyState: string;
}

/** One deploy job: an environment and its stacks, space-separated in deployment order (`cdktf deploy <stacks>`). */
export interface EnvironmentJob {
  readonly env: string;
  readonly stacks: string;
}

export interface CiPlan {
  /** Environments with remote state and no placeholder IDs: one deploy job each. */
  readonly environments: EnvironmentJob[];
  /** Every stack of those environments: one diff job each. */
  readonly stacks: StackJob[];
  /** Environments refused (local state, placeholder IDs), with the reason. */
  readonly refused: { env: string; reason: string }[];
}

/** Why CI refuses this environment (local state, placeholder IDs), or undefined when it may be deployed. */
export function refusal(env: EnvironmentConfig): string | undefined {
  const reasons: string[] = [];
  if ((env.state?.backend ?? 'local') === 'local') {
    reasons.push(
      `environment "${env.name}" uses the local Terraform backend (state.backend: local${env.state ? '' : ', the default'}). ` +
        'CI refuses it: a runner\'s disk is discarded after each run, so Terraform would forget what it created and try to create it again. ' +
        `Set state.backend: azurerm in environments/${env.name}.yaml (see README "CI/CD"), or leave "${env.name}" out of the repository variable CI_ENVIRONMENTS.`,
    );
  }
  if (env.access?.clusterAdminPrincipalId === undefined && (env.access?.deployerClusterAdmin ?? true)) {
    reasons.push(
      `environment "${env.name}" gives "AKS RBAC Cluster Admin" to the identity that runs Terraform (access.deployerClusterAdmin, the default). ` +
        'CI plans with the read-only plan identity and applies that saved plan with the deploy identity, so the plan would name the plan identity. ' +
        `Set access.clusterAdminPrincipalId in environments/${env.name}.yaml to the object ID of the deploy identity (see README "CI/CD").`,
    );
  }
  const record = protectedRecordProblem(env);
  if (record) reasons.push(`environment "${env.name}": ${record.replace(/\s*\n\s*/g, ' ')}`);
  const placeholders = placeholderIds(env);
  if (placeholders.length) {
    reasons.push(
      `environment "${env.name}" still has placeholder IDs (${placeholders.map((p) => `${p.path}: ${p.value}`).join(', ')}). ` +
        `CI refuses it: replace them in environments/${env.name}.yaml with the real subscription, tenant and object IDs.`,
    );
  }
  return reasons.length ? reasons.join(' ') : undefined;
}

/**
 * Why the protected record of `env` stops a deploy, as synth would say it (missing, out of date, a drop not allowed
 * by policy.allowRemoval, a record without `protected: true`), or undefined. The stacks are built in memory, not
 * synthesized.
 */
export function protectedRecordProblem(env: EnvironmentConfig): string | undefined {
  if (!env.protected && !env.protectedRecord) return undefined;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-record-'));
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { App } = require('cdktf') as typeof import('cdktf');
    const { addEnvironmentStacks } = require('../stacks/environment-stacks') as typeof import('../stacks/environment-stacks');
    /* eslint-enable @typescript-eslint/no-require-imports */
    addEnvironmentStacks(new App({ outdir }), env);
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err.message;
    throw err;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * GUIDs of the environment that are placeholders, not real IDs: one hex digit repeated (the all-zero GUID,
 * `1111…`, `aaaa…`), as the bundled production.yaml ships them. Every setting is searched, with its path.
 */
export function placeholderIds(env: EnvironmentConfig): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const walk = (v: unknown, p: string[]) => {
    if (typeof v === 'string') {
      if (GUID_RE.test(v) && new Set(v.replace(/-/g, '').toLowerCase()).size === 1) found.push({ path: p.join('.'), value: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, String(i)]));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(env, []);
  return found;
}

/**
 * The jobs CI runs for these environments (`only`: names to keep; empty keeps all). `skipProtected` (pull requests)
 * leaves out protected environments: the pull-request identity has no access to them (README, CI/CD).
 */
export function ciPlan(envs: readonly EnvironmentConfig[], only: readonly string[] = [], skipProtected = false): CiPlan {
  const unknown = only.filter((n) => !envs.some((e) => e.name === n));
  if (unknown.length) {
    throw new EnvironmentError(unknown.map((n) => `CI_ENVIRONMENTS / input "${n}" is not an environment; known: ${envs.map((e) => e.name).join(', ')}`));
  }
  const selected = envs.filter((e) => (only.length === 0 || only.includes(e.name)) && !(skipProtected && e.protected === true));
  const refused = selected.flatMap((e) => {
    const reason = refusal(e);
    return reason ? [{ env: e.name, reason }] : [];
  });
  const remote = selected.filter((e) => !refusal(e));
  const stacksOf = synthStacks(remote);
  const stacks = remote.flatMap((env) =>
    (stacksOf.get(env.name) ?? []).map((s) => {
      const deps = s.dependencies.map((d) => d.split('/').pop() as string);
      return { env: env.name, stack: s.name, dependencies: deps.join(' '), dependencyState: deps.map((d) => stateBlob(env, d)).join(' ') };
    }),
  );
  return { environments: remote.map((e) => ({ env: e.name, stacks: (stacksOf.get(e.name) ?? []).map((s) => s.name).join(' ') })), stacks, refused };
}

/**
 * The deploy workflow's stages: stage n holds the n-th stack (in deployment order) of every environment, so a
 * stack is planned only after the stack before it was applied. The workflow has `count` stages; an environment
 * with more stacks is an error (add stages to .github/workflows/deploy.yml), never a silently skipped stack.
 */
export function stages(stacks: readonly StackJob[], count: number): StackJob[][] {
  if (!Number.isInteger(count) || count < 1) throw new EnvironmentError([`--stages must be a whole number >= 1, got ${count}`]);
  const byEnv = new Map<string, StackJob[]>();
  for (const s of stacks) byEnv.set(s.env, [...(byEnv.get(s.env) ?? []), s]);
  const tooMany = [...byEnv].filter(([, list]) => list.length > count);
  if (tooMany.length) {
    throw new EnvironmentError(tooMany.map(([env, list]) => `environment "${env}" has ${list.length} stacks (${list.map((s) => s.stack).join(' ')}) but the deploy workflow has ${count} stages; add stages to .github/workflows/deploy.yml`));
  }
  return Array.from({ length: count }, (_, n) => [...byEnv.values()].flatMap((list) => (list[n] ? [list[n]] : [])));
}

/** The stack names of one environment, in deployment order (the `stacks` command). */
export function stacksOfEnvironment(envs: readonly EnvironmentConfig[], name: string): string[] {
  const env = envs.find((e) => e.name === name);
  if (!env) throw new EnvironmentError([`"${name}" is not an environment; known: ${envs.map((e) => e.name).join(', ')}`]);
  return (synthStacks([env]).get(name) ?? []).map((s) => s.name);
}

function stateBlob(env: EnvironmentConfig, stack: string): string {
  const s = env.state;
  if (s?.backend !== 'azurerm') throw new Error(`${env.name}: no remote state`);
  return `${s.storageAccountName}/${s.containerName}/${s.keyPrefix ?? ''}${stack}.tfstate`;
}

interface ManifestStack {
  readonly name: string;
  readonly dependencies: readonly string[];
}

/** An in-memory synth of the app for these environments: per environment, its stacks in deployment order. */
function synthStacks(envs: readonly EnvironmentConfig[]): Map<string, ManifestStack[]> {
  if (envs.length === 0) return new Map();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-ci-'));
  try {
    // Loaded here so that `check` stays fast (no providers).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { App } = require('cdktf') as typeof import('cdktf');
    const { addEnvironmentStacks } = require('../stacks/environment-stacks') as typeof import('../stacks/environment-stacks');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const app = new App({ outdir });
    const names = new Map(envs.map((env) => [env.name, addEnvironmentStacks(app, env).names]));
    app.synth();
    const all = readSynthesizedStacks(outdir);
    return new Map(envs.map((env) => [env.name, environmentStacks(env.name, all, names.get(env.name))]));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** GitHub-hosted runner labels: a fresh virtual machine for every job, so two jobs with one label share no machine. */
const GITHUB_HOSTED_RUNNER = /^(ubuntu|windows|macos)-[\w.-]+$/;

/**
 * Labels GitHub gives every self-hosted runner (self-hosted, its operating system, its architecture): a job asking
 * for one of them may run on any self-hosted runner of the repository, whichever pool it was meant for.
 */
const GENERIC_RUNNER_LABELS: ReadonlySet<string> = new Set(['self-hosted', 'linux', 'windows', 'macos', 'x64', 'x86', 'arm', 'arm64']);

/**
 * Problems of the runner variables (the `runners` command; `vars` holds the repository variables PR_RUNNER,
 * PR_RUNNERS, DEPLOY_RUNNER, DEPLOY_RUNNERS and the retired CI_RUNNER, CI_RUNNERS): pull-request jobs run code from
 * any branch, so no self-hosted runner label may serve both them and the deploy jobs, where the deploy identity runs.
 */
export function runnerProblems(vars: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const retired of ['CI_RUNNER', 'CI_RUNNERS']) {
    if (vars[retired]) {
      problems.push(`repository variable ${retired} is no longer read: pull-request and deploy jobs have separate runner pools; set PR_RUNNER / PR_RUNNERS and DEPLOY_RUNNER / DEPLOY_RUNNERS (README, "CI/CD"), then delete ${retired}`);
    }
  }
  const labels = (prefix: 'PR' | 'DEPLOY'): Map<string, string> => {
    const out = new Map<string, string>([[vars[`${prefix}_RUNNER`] || 'ubuntu-latest', vars[`${prefix}_RUNNER`] ? `${prefix}_RUNNER` : `the default of ${prefix}_RUNNER`]]);
    const many = vars[`${prefix}_RUNNERS`];
    if (!many) return out;
    let parsed: unknown;
    try {
      parsed = JSON.parse(many);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string' || v === '')) {
      problems.push(`repository variable ${prefix}_RUNNERS must be a JSON object of environment name to runner label, e.g. {"production": "aks-prod-deploy"}; got ${JSON.stringify(many)}`);
      return out;
    }
    for (const [env, label] of Object.entries(parsed as Record<string, string>)) if (!out.has(label)) out.set(label, `${prefix}_RUNNERS.${env}`);
    return out;
  };
  const pr = labels('PR');
  const deploy = labels('DEPLOY');
  // `runs-on: <label>` picks any runner that has the label: a generic one (every self-hosted runner carries
  // self-hosted, its OS and its architecture) also matches the other pool's self-hosted runners.
  for (const [mine, theirs, side, other] of [
    [pr, deploy, 'pull-request', 'deploy'],
    [deploy, pr, 'deploy', 'pull-request'],
  ] as const) {
    const selfHosted = [...theirs].filter(([label]) => !GITHUB_HOSTED_RUNNER.test(label));
    if (selfHosted.length === 0) continue;
    for (const [label, where] of mine) {
      if (GENERIC_RUNNER_LABELS.has(label.toLowerCase()) && !theirs.has(label)) {
        problems.push(
          `runner label "${label}" (${where}) is a generic label every self-hosted runner carries: ${side} jobs would also run on the ${other} runners (${selfHosted.map(([l, w]) => `"${l}", ${w}`).join('; ')}). Use a label only the ${side} pool has (README, "CI/CD")`,
        );
      }
    }
  }
  for (const [label, where] of pr) {
    if (deploy.has(label) && !GITHUB_HOSTED_RUNNER.test(label)) {
      problems.push(
        `runner label "${label}" serves pull-request jobs (${where}) and deploy jobs (${deploy.get(label)}): code from a pull request would run on the machines where the deploy identity runs. Give the deploy jobs their own self-hosted pool (README, "CI/CD")`,
      );
    }
  }
  return problems;
}

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  const dir = env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, '..', 'environments');
  const [cmd, ...rest] = argv;
  if (cmd === 'runners') {
    const problems = runnerProblems(env);
    for (const p of problems) console.error(`::error title=Runners::${p}`);
    if (problems.length === 0) console.log('OK: pull-request and deploy jobs use separate runners');
    return problems.length ? 1 : 0;
  }
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
    if (problems.length === 0) console.log(`OK: ${rest.join(', ')} use${rest.length === 1 ? 's' : ''} remote state and no placeholder IDs`);
    return problems.length ? 1 : 0;
  }
  if (cmd === 'stacks') {
    if (rest.length !== 1) {
      console.error('usage: ci-environments.ts stacks <env>');
      return 2;
    }
    console.log(stacksOfEnvironment(envs, rest[0]).join(' '));
    return 0;
  }
  if (cmd === 'plan') {
    const i = rest.indexOf('--only');
    const only = i >= 0 ? (rest[i + 1] ?? '').split(/[\s,]+/).filter(Boolean) : [];
    const plan = ciPlan(envs, only, rest.includes('--skip-protected'));
    console.log(`environments=${JSON.stringify(plan.environments)}`);
    console.log(`stacks=${JSON.stringify(plan.stacks)}`);
    console.log(`refused=${JSON.stringify(plan.refused)}`);
    const s = rest.indexOf('--stages');
    if (s >= 0) stages(plan.stacks, Number(rest[s + 1])).forEach((jobs, n) => console.log(`stage${n + 1}=${JSON.stringify(jobs)}`));
    return 0;
  }
  console.error('usage: ci-environments.ts plan [--only env1,env2] [--stages N] [--skip-protected] | check <env>... | stacks <env> | runners');
  return 2;
}

/**
 * The command line: runs `argv` (without node and the script) with the environment variables `env` and returns the
 * exit code; messages go to the console. Invalid environment files are one message and exit 1.
 */
export function cli(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  try {
    return main(argv, env);
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof ValidationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));
