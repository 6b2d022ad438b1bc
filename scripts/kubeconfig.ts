import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkTenant, environmentsDir, loadEnvironment, runScript, ScriptError, terraformFailure } from './script-target';
import { KUBECONFIG_OUTPUT_PREFIX, kubeconfigOutputName, tenantOfKubeconfigOutput } from '../stacks/tenant-outputs';

// npm run kubeconfig -- <env> <tenant> [--out <file>]
// Writes the kubeconfig of a Capsule tenant from the outputs of the deployed `<env>-tenants` stack: the local
// state file `terraform.<env>-tenants.tfstate` when there is one, else (remote backend, e.g. azurerm) `terraform
// output -json` in cdktf.out/stacks/<env>-tenants. The environment and tenant are checked against environments/
// first; a failing terraform is reported with its own first error line. The kubeconfig holds no credentials.

export class KubeconfigError extends ScriptError {}

/** Runs `terraform output -json` in a stack directory and returns its stdout; throws as execFileSync does. */
export type TerraformOutputRunner = (stackDir: string) => string;

export interface ReadOptions {
  /** Project root. */
  readonly root: string;
  /** Runs `terraform output -json` in a directory; replaceable in tests. */
  readonly terraformOutput?: TerraformOutputRunner;
  /** The environment's state backend: `local`, or a remote one (terraform output; a local state file is ignored). Unknown: the state file, else terraform. */
  readonly backend?: string;
}

const defaultRunner: TerraformOutputRunner = (dir) =>
  execFileSync('terraform', ['output', '-json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Output name of a tenant's kubeconfig (the rule of stacks/tenant-outputs.ts). */
export const outputName = kubeconfigOutputName;

/** The outputs of `<env>-tenants` as name -> value. */
export function readTenantsOutputs(env: string, options: ReadOptions): Record<string, unknown> {
  const stack = `${env}-tenants`;
  const notDeployed = (why: string) =>
    new KubeconfigError(`stack ${stack} is not deployed (${why}). Deploy it first: npx cdktf deploy $(npm run -s stacks -- ${env})`);
  const stateFile = path.join(options.root, `terraform.${stack}.tfstate`);
  // A local state file counts only for a local backend: with a remote one it is a leftover (an environment moved to
  // azurerm, a stray copy) whose outputs may be stale (another proxy URL or CA).
  const remote = options.backend !== undefined && options.backend !== 'local';
  if (!remote && fs.existsSync(stateFile)) {
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { outputs?: Record<string, { value: unknown }> };
    const outputs = Object.fromEntries(Object.entries(state.outputs ?? {}).map(([k, v]) => [k, v.value]));
    if (Object.keys(outputs).length === 0) throw notDeployed(`${path.relative(options.root, stateFile)} has no outputs`);
    return outputs;
  }
  if (options.backend === 'local') throw notDeployed(`no state file ${path.relative(process.cwd(), stateFile) || stateFile} (its local backend's state)`);
  const dir = path.join(options.root, 'cdktf.out', 'stacks', stack);
  if (!fs.existsSync(dir)) throw notDeployed(`no state file terraform.${stack}.tfstate and no cdktf.out/stacks/${stack}; run npm run synth for a remote backend`);
  let text: string;
  try {
    text = (options.terraformOutput ?? defaultRunner)(dir);
  } catch (err) {
    throw new KubeconfigError(terraformFailure('terraform output', err, dir, options.root));
  }
  const parsed = JSON.parse(text || '{}') as Record<string, { value: unknown }>;
  const outputs = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
  if (Object.keys(outputs).length === 0) throw notDeployed('its state has no outputs');
  return outputs;
}

/** The kubeconfig YAML of a tenant from the stack's outputs. */
export function tenantKubeconfig(env: string, tenant: string, outputs: Record<string, unknown>): string {
  const value = outputs[outputName(tenant)];
  if (typeof value !== 'string' || value === '') {
    const known = Object.keys(outputs)
      .filter((k) => k.startsWith(KUBECONFIG_OUTPUT_PREFIX))
      .map(tenantOfKubeconfigOutput);
    throw new KubeconfigError(`tenant "${tenant}" has no kubeconfig output in ${env}-tenants; deployed tenants: ${known.join(', ') || '(none)'}`);
  }
  return value;
}

/**
 * Writes a file only its owner can read: refuses a symbolic link at the path (O_NOFOLLOW, so a link planted there
 * cannot redirect the write), and sets mode 0600 on an existing file too (`mode` of open applies to new files only).
 */
export function writePrivateFile(file: string, text: string, label = file): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ELOOP' || e.code === 'EMLINK') throw new KubeconfigError(`${file} is a symbolic link; refusing to write through it (remove it or choose another --out)`);
    const why = e.code === 'ENOENT' ? `the directory ${path.dirname(file)} does not exist` : e.code === 'EISDIR' ? 'it is a directory' : `${e.code ?? e.message}`;
    throw new KubeconfigError(`cannot write ${label}: ${why}`);
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

/** CLI entry: returns the exit code. */
export function main(argv: string[], root = path.resolve(__dirname, '..'), runner?: TerraformOutputRunner, envDir = environmentsDir(root)): number {
  const usage = 'usage: npm run kubeconfig -- <env> <tenant> [--out <file>]   (default file: kubeconfig-<env>-<tenant>.yaml)';
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const args = [...argv];
  let out: string | undefined;
  const o = args.indexOf('--out');
  if (o >= 0) {
    out = args[o + 1];
    args.splice(o, 2);
  }
  const [env, tenant] = args;
  if (!env || !tenant || args.length > 2 || (o >= 0 && !out)) {
    console.error(usage);
    return 1;
  }
  return runScript(() => {
    const config = loadEnvironment(envDir, env);
    checkTenant(envDir, config, tenant);
    const yaml = tenantKubeconfig(env, tenant, readTenantsOutputs(env, { root, terraformOutput: runner, backend: config.state?.backend ?? 'local' }));
    const file = path.resolve(out ?? `kubeconfig-${env}-${tenant}.yaml`);
    writePrivateFile(file, yaml.endsWith('\n') ? yaml : `${yaml}\n`, out === undefined ? file : `--out ${out}`);
    console.log(`wrote ${file}\n  export KUBECONFIG=${file}\n  kubectl create namespace ${tenant}-demo   # kubelogin asks you to sign in`);
    return 0;
  });
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
