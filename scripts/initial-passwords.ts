import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { environmentsDir, loadEnvironment, runScript, ScriptError, terraformFailure } from './script-target';

// npm run initial-passwords -- <env>
// Prints the user principal name and initial password of every user the `<env>-cluster` stack created. They are
// never Terraform outputs (other stacks read that stack's outputs with terraform_remote_state, which would copy
// them into their state); they live only in the state of `<env>-cluster`, as attributes of the azuread_user
// resources. Read from the local state file terraform.<env>-cluster.tfstate, else `terraform state pull` in
// cdktf.out/stacks/<env>-cluster (remote backends: run `npm run synth` and `terraform init` there first).
// Whoever can read that state can read the passwords: users must change them at first sign-in.

export class PasswordsError extends ScriptError {}

/** Returns the raw state JSON of a stack directory (`terraform state pull`); replaceable in tests. */
export type StatePuller = (stackDir: string) => string;

const defaultPuller: StatePuller = (dir) => execFileSync('terraform', ['state', 'pull'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

interface State {
  resources?: { mode?: string; type?: string; instances?: { attributes?: Record<string, unknown> }[] }[];
}

/** The created users (UPN -> initial password) in a cluster stack's state. */
export function initialPasswords(state: State): { upn: string; password: string }[] {
  return (state.resources ?? [])
    .filter((r) => r.mode === 'managed' && r.type === 'azuread_user')
    .flatMap((r) => r.instances ?? [])
    .map((i) => ({ upn: String(i.attributes?.user_principal_name ?? '?'), password: String(i.attributes?.password ?? '') }))
    .sort((a, b) => a.upn.localeCompare(b.upn));
}

/**
 * `backend`: the environment's state backend; `local` without its state file means not deployed (terraform is not
 * run); a remote one is always read with terraform (a local state file is then ignored).
 */
export function readClusterState(env: string, root: string, pull: StatePuller = defaultPuller, backend?: string): State {
  const stack = `${env}-cluster`;
  const file = path.join(root, `terraform.${stack}.tfstate`);
  // A local state file counts only for a local backend (with a remote one it is a leftover, maybe stale).
  const remote = backend !== undefined && backend !== 'local';
  if (!remote && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as State;
  if (backend === 'local') {
    throw new PasswordsError(`stack ${stack} is not deployed: no state file ${path.relative(process.cwd(), file) || file} (its local backend's state). Deploy it first: npx cdktf deploy $(npm run -s stacks -- ${env})`);
  }
  const dir = path.join(root, 'cdktf.out', 'stacks', stack);
  if (!fs.existsSync(dir)) throw new PasswordsError(`no state file terraform.${stack}.tfstate and no cdktf.out/stacks/${stack}; deploy the stack, or run npm run synth and terraform init there for a remote backend`);
  try {
    return JSON.parse(pull(dir) || '{}') as State;
  } catch (err) {
    throw new PasswordsError(terraformFailure('terraform state pull', err, dir, root));
  }
}

/** CLI entry: returns the exit code. */
export function main(argv: string[], root = path.resolve(__dirname, '..'), pull?: StatePuller, envDir = environmentsDir(root)): number {
  const usage = 'usage: npm run initial-passwords -- <env>';
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const [env, ...rest] = argv;
  if (!env || rest.length || env.startsWith('-')) {
    console.error(usage);
    return 1;
  }
  return runScript(() => {
    const config = loadEnvironment(envDir, env);
    const users = initialPasswords(readClusterState(env, root, pull, config.state?.backend ?? 'local'));
    if (users.length === 0) {
      console.error(`error: ${env}-cluster has no created users in its state (none configured, or not deployed yet)`);
      return 1;
    }
    for (const u of users) console.log(`${u.upn}\t${u.password}`);
    console.error('Users must change these at first sign-in. Do not paste them into tickets or CI logs.');
    return 0;
  });
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
