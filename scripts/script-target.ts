import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentError, loadEnvironments } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';

// Shared by the operator scripts (kubeconfig, initial-passwords): the environment named on the command line, loaded
// the way the app loads it, and one-line reasons for a failed `terraform` command.

/** A problem the script reports as one line (`error: …`) and exit code 1. */
export class ScriptError extends Error {}

/** Runs a script's body: its exit code, or `error: <message>` and 1 for a {@link ScriptError}; anything else is a bug. */
export function runScript(body: () => number): number {
  try {
    return body();
  } catch (err) {
    if (err instanceof ScriptError) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** The environments directory of the app (main.ts): $CAPSULE_AKS_ENVIRONMENTS, else `<root>/environments`. */
export function environmentsDir(root: string): string {
  return process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(root, 'environments');
}

/** The file of an environment as shown in messages (relative to the working directory). */
export function environmentFile(dir: string, name: string): string {
  const file = ['yaml', 'yml'].map((ext) => path.join(dir, `${name}.${ext}`)).find((f) => fs.existsSync(f)) ?? path.join(dir, `${name}.yaml`);
  return path.relative(process.cwd(), file) || file;
}

/**
 * Loads and validates the environment named `name` of `dir` (its file alone: an unfinished file of another
 * environment does not stop a script for this one) and returns it; throws {@link ScriptError} otherwise.
 */
export function loadEnvironment(dir: string, name: string): EnvironmentConfig {
  let envs: EnvironmentConfig[];
  try {
    envs = loadEnvironments(dir, { only: name });
  } catch (err) {
    if (err instanceof EnvironmentError) throw new ScriptError(err.message);
    throw err;
  }
  const env = envs.find((e) => e.name === name);
  if (!env) {
    const names = fs.readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).map((f) => f.replace(/\.ya?ml$/i, '')).sort();
    throw new ScriptError(`unknown environment ${name} (environments: ${names.join(', ')})`);
  }
  return env;
}

/** Checks that `tenant` is a tenant of the environment; throws {@link ScriptError} listing its tenants otherwise. */
export function checkTenant(dir: string, env: EnvironmentConfig, tenant: string): void {
  const tenants = Object.keys(env.tenants ?? {});
  if (!tenants.includes(tenant)) throw new ScriptError(`unknown tenant ${tenant} in ${environmentFile(dir, env.name)} (tenants: ${tenants.join(', ') || '(none)'})`);
}

/**
 * Terraform's own reason for a failed command (the error of execFileSync): the first `Error: …` line of its output
 * (without the box drawing Terraform puts around diagnostics), else its first line; when Terraform asks for
 * `terraform init`, says in which directory to run it.
 */
export function terraformFailure(command: string, err: unknown, stackDir: string, root: string): string {
  const e = err as { code?: string; stderr?: unknown; stdout?: unknown; message?: string };
  const shownDir = path.relative(root, stackDir) || stackDir;
  if (e.code === 'ENOENT') return `${command} failed in ${shownDir}: terraform is not installed (not on PATH)`;
  const lines = [e.stderr, e.stdout, e.message]
    .map((t) => (typeof t === 'string' ? t : Buffer.isBuffer(t) ? t.toString('utf8') : ''))
    .join('\n')
    .split('\n')
    .map((l) => l.replace(/^[\s│╷╵|]+/, '').trim())
    .filter((l) => l !== '' && !/^Command failed:/.test(l));
  const first = lines.find((l) => /^Error:/.test(l)) ?? lines[0] ?? String(e.message ?? err);
  const reason = first.replace(/^Error:\s*/, '').replace(/[.:]$/, '');
  const hint = /terraform init/.test(first) ? ` Run terraform init in ${shownDir} first.` : '';
  return `${command} failed in ${shownDir}: ${reason}.${hint}`;
}
