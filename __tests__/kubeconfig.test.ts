import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { kubeconfigOutputName, TenantsStack } from '../stacks/tenants-stack';
import { loadEnvironment } from '../scripts/script-target';
import { KubeconfigError, main, outputName, readTenantsOutputs, tenantKubeconfig } from '../scripts/kubeconfig';
import { baseEnv, cliSandbox, ENV_DIR, envFrom, Json } from './helpers';

function synthTenants(data: Json): Json {
  const app = Testing.app();
  const cluster = new ClusterStack(app, 'poc-cluster', { env: envFrom(data, 'poc') });
  const capsule = new CapsuleStack(app, 'poc-capsule', { cluster });
  new TenantsStack(app, 'poc-tenants', { cluster, capsule });
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'poc-tenants', 'cdk.tf.json'), 'utf8'));
}

describe('kubeconfig outputs of poc-tenants', () => {
  const data: Json = baseEnv();
  data.tenants.staging.kubeconfigLogin = 'azurecli';
  const json = synthTenants(data);

  test('one output per tenant, not sensitive (it holds no secret)', () => {
    expect(Object.keys(json.output).filter((k) => k.startsWith('kubeconfig_')).sort()).toEqual(['kubeconfig_dev', 'kubeconfig_staging']);
    expect(json.output.kubeconfig_dev.sensitive).toBeUndefined();
  });
  test('the proxy CA is the capsule stack\'s CA certificate (remote state), never a Secret read from the cluster', () => {
    expect(json.data.kubernetes_secret_v1).toBeUndefined();
    expect(json.output.kubeconfig_dev.value).toMatch(/certificate-authority-data: "\$\{base64encode\(nonsensitive\(data\.terraform_remote_state\.cross-stack-reference-input-poc-capsule\.outputs\.[^)]*cert_pem\)\)\}"/);
  });
  test('server https://<proxy FQDN>:443 (the default DNS label from the capsule stack)', () => {
    // Remote-state outputs are sensitive (cdktf cross-stack outputs): nonsensitive keeps the kubeconfig output plain.
    expect(json.output.kubeconfig_dev.value).toMatch(
      /server: "\$\{nonsensitive\("https:\/\/capsule-proxy-\$\{data\.terraform_remote_state\.cross-stack-reference-input-poc-capsule\.outputs\.cross-stack-output-random_string[^}]*result\}\.francecentral\.cloudapp\.azure\.com:443"\)\}"/,
    );
    const d: Json = baseEnv();
    d.capsule.proxy.dnsLabel = 'my-proxy';
    expect(synthTenants(d).output.kubeconfig_dev.value).toContain(`server: "https://my-proxy.francecentral.cloudapp.azure.com:443"`);
  });
  test('the --tenant-id comes from the cluster stack\'s azurerm_client_config, never the AKS read-back (issue 12 item 7)', () => {
    const m = /"--tenant-id"\n *- "\$\{nonsensitive\(data\.terraform_remote_state\.cross-stack-reference-input-poc-cluster\.outputs\.([^)]*)\)\}"/.exec(json.output.kubeconfig_dev.value);
    expect(m?.[1]).toMatch(/client-config/);
    expect(m?.[1]).not.toMatch(/azure_active_directory/);
  });
  test('devicecode takes the Entra tenant from the cluster; kubeconfigLogin azurecli is honoured', () => {
    // A remote-state output is sensitive: nonsensitive keeps the kubeconfig output plain (else Terraform refuses the plan).
    expect(json.output.kubeconfig_dev.value).toMatch(/- "--tenant-id"\n *- "\$\{nonsensitive\(data\.terraform_remote_state\.cross-stack-reference-input-poc-cluster\.outputs\.[^)]*tenant_id\)\}"\n *- "--client-id"/);
    expect(json.output.kubeconfig_staging.value).toMatch(/- "--login"\n *- "azurecli"/);
    expect(json.output.kubeconfig_staging.value).not.toContain('--tenant-id');
  });
  test('a custom hostname is the server; a public certificate means no CA data source', () => {
    const d: Json = baseEnv();
    d.capsule.proxy.hostnames = ['capsule.example.com'];
    d.capsule.proxy.customCertificate = { certFile: 'certs/fullchain.pem', keyFile: 'certs/privkey.pem' };
    const j = synthTenants(d);
    expect(j.output.kubeconfig_dev.value).toContain('server: "https://capsule.example.com:443"');
    expect(j.output.kubeconfig_dev.value).not.toContain('certificate-authority-data');
    expect(j.data?.kubernetes_secret_v1).toBeUndefined();
  });
  test('literal values (azure.tenantId, an explicit dnsLabel) are written as they are, without nonsensitive', () => {
    const d: Json = baseEnv();
    d.azure = { tenantId: '00000000-0000-0000-0000-0000000000aa' };
    d.capsule.proxy.dnsLabel = 'my-proxy';
    const v = synthTenants(d).output.kubeconfig_dev.value;
    expect(v).toContain('server: "https://my-proxy.francecentral.cloudapp.azure.com:443"');
    expect(v).toMatch(/- "--tenant-id"\n *- "00000000-0000-0000-0000-0000000000aa"/);
  });
  test('a custom certificate with caFile: the kubeconfig embeds that file, read at apply time (no Secret read)', () => {
    const d: Json = baseEnv();
    d.capsule.proxy.customCertificate = { certFile: 'certs/fullchain.pem', keyFile: 'certs/privkey.pem', caFile: 'certs/ca.pem' };
    const j = synthTenants(d);
    expect(j.output.kubeconfig_dev.value).toContain('certificate-authority-data: "${base64encode(file("../../../certs/ca.pem"))}"');
    expect(j.data?.kubernetes_secret_v1).toBeUndefined();
  });
});

describe('npm run kubeconfig', () => {
  const sb = cliSandbox('kubeconfig-');
  const yaml = 'apiVersion: v1\nkind: Config\n';
  beforeEach(() => fs.cpSync(ENV_DIR, path.join(sb.root, 'environments'), { recursive: true }));
  const state = (outputs: Record<string, unknown>) =>
    fs.writeFileSync(path.join(sb.root, 'terraform.poc-tenants.tfstate'), JSON.stringify({ version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: 'string' }])) }));

  test('output names follow the stack: kubeconfig_<tenant with _ for ->', () => {
    expect(outputName('team-a')).toBe('kubeconfig_team_a');
    expect(kubeconfigOutputName('team-a')).toBe(outputName('team-a'));
  });
  test('writes the kubeconfig from the local state file, mode 0600', () => {
    state({ kubeconfig_dev: yaml });
    const out = path.join(sb.root, 'dev.yaml');
    expect(main(['poc', 'dev', '--out', out], sb.root)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(yaml);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });
  test('an existing file at --out is made mode 0600 (a file readable by others stays no longer readable)', () => {
    state({ kubeconfig_dev: yaml });
    const out = path.join(sb.root, 'dev.yaml');
    fs.writeFileSync(out, 'old', { mode: 0o644 });
    fs.chmodSync(out, 0o644);
    expect(main(['poc', 'dev', '--out', out], sb.root)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(yaml);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });
  test('a symbolic link at --out is refused, its target untouched', () => {
    state({ kubeconfig_dev: yaml });
    const target = path.join(sb.root, 'target.txt');
    fs.writeFileSync(target, 'keep');
    const out = path.join(sb.root, 'link.yaml');
    fs.symlinkSync(target, out);
    expect(main(['poc', 'dev', '--out', out], sb.root)).toBe(1);
    expect(String(sb.err.mock.calls[0][0])).toMatch(/link\.yaml is a symbolic link; refusing to write through it/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep');
  });
  test('not deployed: a clear error and exit code 1', () => {
    expect(main(['poc', 'dev', '--out', path.join(sb.root, 'x.yaml')], sb.root)).toBe(1);
    expect(String(sb.err.mock.calls[0][0])).toMatch(/stack poc-tenants is not deployed .* npx cdktf deploy \$\(npm run -s stacks -- poc\)/);
    expect(fs.existsSync(path.join(sb.root, 'x.yaml'))).toBe(false);
  });
  test('a state without outputs counts as not deployed', () => {
    state({});
    expect(() => readTenantsOutputs('poc', { root: sb.root })).toThrow(/not deployed/);
  });
  test('an unknown tenant: error listing the deployed tenants', () => {
    expect(() => tenantKubeconfig('poc', 'qa', { kubeconfig_dev: yaml, kubeconfig_team_a: yaml })).toThrow(/tenant "qa" has no kubeconfig output in poc-tenants; deployed tenants: dev, team-a/);
  });
  test('remote backends: terraform output -json in cdktf.out/stacks/<env>-tenants', () => {
    const dir = path.join(sb.root, 'cdktf.out', 'stacks', 'production-tenants');
    fs.mkdirSync(dir, { recursive: true });
    const seen: string[] = [];
    const outputs = readTenantsOutputs('production', { root: sb.root, terraformOutput: (d) => (seen.push(d), JSON.stringify({ kubeconfig_payments: { value: yaml } })) });
    expect(seen).toEqual([dir]);
    expect(tenantKubeconfig('production', 'payments', outputs)).toBe(yaml);
  });
  test('a remote backend reads its state with terraform even when a local state file is left over (it may be stale: another proxy URL or CA)', () => {
    fs.writeFileSync(path.join(sb.root, 'terraform.production-tenants.tfstate'), JSON.stringify({ outputs: { kubeconfig_payments: { value: 'STALE' } } }));
    fs.mkdirSync(path.join(sb.root, 'cdktf.out', 'stacks', 'production-tenants'), { recursive: true });
    const outputs = readTenantsOutputs('production', { root: sb.root, backend: 'azurerm', terraformOutput: () => JSON.stringify({ kubeconfig_payments: { value: yaml } }) });
    expect(tenantKubeconfig('production', 'payments', outputs)).toBe(yaml);
  });
  test('another environment\'s invalid file does not stop it; the named environment\'s own problems do', () => {
    state({ kubeconfig_dev: yaml });
    fs.writeFileSync(path.join(sb.root, 'environments', 'unfinished.yaml'), 'location: nowhere\n');
    const out = path.join(sb.root, 'dev.yaml');
    expect(main(['poc', 'dev', '--out', out], sb.root)).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(yaml);
    expect(main(['unfinished', 'dev'], sb.root)).toBe(1);
    expect(String(sb.err.mock.calls[0][0])).toMatch(/^error: Invalid environment configuration .*\n.*unfinished\.yaml/s);
  });
  test('terraform output failing is a KubeconfigError; empty outputs count as not deployed', () => {
    fs.mkdirSync(path.join(sb.root, 'cdktf.out', 'stacks', 'production-tenants'), { recursive: true });
    const failing = () => {
      throw new Error('Error: No outputs found');
    };
    expect(() => readTenantsOutputs('production', { root: sb.root, terraformOutput: failing })).toThrow(KubeconfigError);
    expect(() => readTenantsOutputs('production', { root: sb.root, terraformOutput: () => '{}' })).toThrow(/not deployed/);
  });
  test('--out into a missing directory: one clear line, exit 1', () => {
    state({ kubeconfig_dev: yaml });
    const out = path.join(sb.root, 'missing', 'dev.yaml');
    expect(main(['poc', 'dev', '--out', out], sb.root)).toBe(1);
    expect(sb.err.mock.calls).toEqual([[`error: cannot write --out ${out}: the directory ${path.join(sb.root, 'missing')} does not exist`]]);
    expect(main(['poc', 'dev', '--out', sb.root], sb.root)).toBe(1);
    expect(String(sb.err.mock.calls[1][0])).toBe(`error: cannot write --out ${sb.root}: it is a directory`);
  });
  test('an unknown environment is named with the environments there are (not "not deployed")', () => {
    expect(main(['nosuch', 'x'], sb.root)).toBe(1);
    expect(sb.err.mock.calls).toEqual([['error: unknown environment nosuch (environments: poc, production)']]);
  });
  test('an unknown tenant is named with the environment file and its tenants (not "not deployed")', () => {
    expect(main(['poc', 'nosuchtenant'], sb.root)).toBe(1);
    expect(sb.err.mock.calls).toEqual([[`error: unknown tenant nosuchtenant in ${path.relative(process.cwd(), path.join(sb.root, 'environments', 'poc.yaml'))} (tenants: dev, staging)`]]);
  });
  test('a remote backend not initialised: Terraform\'s own first error line and terraform init in the stack directory, one line', () => {
    const dir = path.join(sb.root, 'cdktf.out', 'stacks', 'production-tenants');
    fs.mkdirSync(dir, { recursive: true });
    const tfError = '\n╷\n│ Error: Backend initialization required, please run "terraform init"\n│ \n│ Reason: Initial configuration of the requested backend "azurerm"\n╵\n';
    // The error execFileSync throws: message "Command failed: …" plus stderr, and the stderr property.
    const failing = () => {
      throw Object.assign(new Error(`Command failed: terraform output -json${tfError}`), { status: 1, stderr: tfError });
    };
    const tenant = Object.keys(loadEnvironment(path.join(sb.root, 'environments'), 'production').tenants ?? {})[0];
    expect(main(['production', tenant], sb.root, failing)).toBe(1);
    expect(sb.err.mock.calls).toEqual([
      [`error: terraform output failed in ${path.join('cdktf.out', 'stacks', 'production-tenants')}: Backend initialization required, please run "terraform init". Run terraform init in ${path.join('cdktf.out', 'stacks', 'production-tenants')} first.`],
    ]);
  });
  test('--help prints the usage, exit 0', () => {
    expect(main(['--help'], sb.root)).toBe(0);
    expect(String(sb.log.mock.calls[0][0])).toMatch(/^usage: npm run kubeconfig -- <env> <tenant>/);
    expect(sb.err).not.toHaveBeenCalled();
  });
  test('usage error without env and tenant', () => {
    expect(main(['poc'], sb.root)).toBe(1);
    expect(String(sb.err.mock.calls[0][0])).toMatch(/usage: npm run kubeconfig -- <env> <tenant>/);
  });
});
