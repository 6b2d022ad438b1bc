import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { loadEnvironments } from '../config/load';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { initialPasswords, main, readClusterState } from '../scripts/initial-passwords';
import { cliSandbox, ENV_DIR, Json } from './helpers';

/** Output values that are secrets (the generated passwords, keys, admin credentials). */
const SECRET_VALUE_RE = /random_password|\.password\b|private_key|client_key|client_secret|kube_admin_config|kube_config_raw|tls\.key|initial_password/;

describe('no stack that another stack reads outputs a secret (terraform_remote_state copies every output)', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-state-'));
  const app = new App({ outdir });
  for (const env of loadEnvironments(ENV_DIR)) createEnvironmentStacks(app, env);
  app.synth();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const stacks: Record<string, Json> = Object.fromEntries(
    fs.readdirSync(path.join(outdir, 'stacks')).map((s) => [s, JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'))]),
  );

  /** Stacks whose state another stack reads: from the remote state data sources (local path or azurerm key). */
  const readStacks = new Set<string>();
  for (const json of Object.values(stacks)) {
    for (const rs of Object.values<Json>(json.data?.terraform_remote_state ?? {})) {
      const where = String(rs.config.path ?? rs.config.key);
      const name = Object.keys(stacks).find((s) => where.endsWith(`${s}.tfstate`));
      if (name) readStacks.add(name);
    }
  }

  test('the read stacks are found (the cluster stacks of both bundled environments, at least)', () => {
    expect([...readStacks]).toEqual(expect.arrayContaining(['poc-cluster', 'production-cluster']));
  });

  test('no output of a read stack carries a secret, and the POC\'s created users have none', () => {
    const leaks = [...readStacks].flatMap((s) =>
      Object.entries<Json>(stacks[s].output ?? {})
        .filter(([name, o]) => SECRET_VALUE_RE.test(name) || SECRET_VALUE_RE.test(JSON.stringify(o.value)))
        .map(([name]) => `${s}.${name}`),
    );
    expect(leaks).toEqual([]);
    expect(Object.keys(stacks['poc-cluster'].resource.azuread_user).length).toBeGreaterThan(0);
  });

  test('the only sensitive outputs of read stacks are cdktf\'s cross-stack outputs (always marked sensitive) and the API server address and CA', () => {
    const sensitive = [...readStacks].flatMap((s) =>
      Object.entries<Json>(stacks[s].output ?? {})
        .filter(([name, o]) => o.sensitive === true && !name.startsWith('cross-stack-output-'))
        .map(([name]) => name),
    );
    expect([...new Set(sensitive)].sort()).toEqual(['cluster_ca_certificate', 'host']);
  });
});

describe('npm run initial-passwords', () => {
  const state = {
    resources: [
      { mode: 'managed', type: 'azuread_user', instances: [{ attributes: { user_principal_name: 'b@contoso.com', password: 'pw-b' } }] },
      { mode: 'managed', type: 'azuread_user', instances: [{ attributes: { user_principal_name: 'a@contoso.com', password: 'pw-a' } }] },
      { mode: 'data', type: 'azuread_user', instances: [{ attributes: { user_principal_name: 'ext@contoso.com' } }] },
    ],
  };
  test('lists the created users and their initial passwords from the cluster stack state (referenced users are not listed)', () => {
    expect(initialPasswords(state)).toEqual([
      { upn: 'a@contoso.com', password: 'pw-a' },
      { upn: 'b@contoso.com', password: 'pw-b' },
    ]);
  });
  test('reads the local state file of <env>-cluster; exit 1 with a message when nothing is deployed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(main(['poc'], root, undefined, ENV_DIR)).toBe(1);
      expect(String(err.mock.calls[0][0])).toMatch(/no state file .*terraform\.poc-cluster\.tfstate/);
      fs.writeFileSync(path.join(root, 'terraform.poc-cluster.tfstate'), JSON.stringify(state));
      expect(main(['poc'], root, undefined, ENV_DIR)).toBe(0);
      expect(log.mock.calls.map((c) => c[0])).toEqual(['a@contoso.com\tpw-a', 'b@contoso.com\tpw-b']);
    } finally {
      log.mockRestore();
      err.mockRestore();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
  describe('reasons, not "Command failed"', () => {
    const sb = cliSandbox('pw-');
    test('local backend without its state file (cdktf.out synthesized): not deployed, naming the expected state file; terraform is not run', () => {
      fs.mkdirSync(path.join(sb.root, 'cdktf.out', 'stacks', 'poc-cluster'), { recursive: true });
      const pulls: string[] = [];
      expect(main(['poc'], sb.root, (d) => (pulls.push(d), ''), ENV_DIR)).toBe(1);
      expect(pulls).toEqual([]);
      const shown = path.relative(process.cwd(), path.join(sb.root, 'terraform.poc-cluster.tfstate'));
      expect(sb.err.mock.calls).toEqual([[`error: stack poc-cluster is not deployed: no state file ${shown} (its local backend's state). Deploy it first: npx cdktf deploy $(npm run -s stacks -- poc)`]]);
    });
    test('remote backend: the state comes from terraform state pull even when a local state file is left over (it may be stale)', () => {
      fs.writeFileSync(path.join(sb.root, 'terraform.production-cluster.tfstate'), JSON.stringify({ resources: [] }));
      fs.mkdirSync(path.join(sb.root, 'cdktf.out', 'stacks', 'production-cluster'), { recursive: true });
      const pulled = { resources: [{ mode: 'managed', type: 'azuread_user', instances: [{ attributes: { user_principal_name: 'a@contoso.com', password: 'p' } }] }] };
      expect(readClusterState('production', sb.root, () => JSON.stringify(pulled), 'azurerm')).toEqual(pulled);
      expect(readClusterState('production', sb.root, () => JSON.stringify(pulled), 'local')).toEqual({ resources: [] });
    });
    test('remote backend: terraform state pull failing gives Terraform\'s own first error line, one line', () => {
      const dir = path.join(sb.root, 'cdktf.out', 'stacks', 'production-cluster');
      fs.mkdirSync(dir, { recursive: true });
      const tfError = '\n╷\n│ Error: Backend initialization required, please run "terraform init"\n│ \n│ Reason: Initial configuration of the requested backend "azurerm"\n╵\n';
      const failing = () => {
        throw Object.assign(new Error(`Command failed: terraform state pull${tfError}`), { status: 1, stderr: tfError });
      };
      expect(main(['production'], sb.root, failing, ENV_DIR)).toBe(1);
      const shownDir = path.join('cdktf.out', 'stacks', 'production-cluster');
      expect(sb.err.mock.calls).toEqual([[`error: terraform state pull failed in ${shownDir}: Backend initialization required, please run "terraform init". Run terraform init in ${shownDir} first.`]]);
    });
    test('an unknown environment names the environments there are', () => {
      expect(main(['nosuch'], sb.root, undefined, ENV_DIR)).toBe(1);
      expect(sb.err.mock.calls).toEqual([['error: unknown environment nosuch (environments: poc, production)']]);
    });
    test('--help prints the usage, exit 0 (not an environment named --help)', () => {
      expect(main(['--help'], sb.root, undefined, ENV_DIR)).toBe(0);
      expect(sb.log.mock.calls).toEqual([['usage: npm run initial-passwords -- <env>']]);
      expect(sb.err).not.toHaveBeenCalled();
    });
  });
});
