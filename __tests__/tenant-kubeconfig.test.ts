import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { AKS_AAD_CLIENT_ID, TenantKubeconfig, TenantKubeconfigProps } from '../constructs/tenant-kubeconfig';
import { Json } from './helpers';

const SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const TENANT_ID = '99999999-9999-9999-9999-999999999999';
const SERVER = 'https://capsule-proxy.francecentral.cloudapp.azure.com:443';

function kubeconfig(props: Partial<TenantKubeconfigProps>): { kc: TenantKubeconfig; output: string } {
  const stack = new TerraformStack(Testing.app(), 'test');
  const kc = new TenantKubeconfig(stack, 'kc', { tenant: 'dev', server: SERVER, tenantId: TENANT_ID, ...props });
  new TerraformOutput(stack, 'kubeconfig_dev', { value: kc.yaml });
  return { kc, output: JSON.parse(Testing.synth(stack)).output.kubeconfig_dev.value };
}

describe('TenantKubeconfig', () => {
  const { kc, output } = kubeconfig({ caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
  const doc = kc.document as Json;

  test('a kubeconfig rendered by Terraform (a YAML template), one cluster, user and context named after the tenant', () => {
    // With each Terraform interpolation replaced by a value, the template is the YAML of the document.
    const filled = parse(output.replace(/\$\{base64encode\([^\n]*\)\}/g, 'BASE64')) as Json;
    expect(filled).toEqual({ ...doc, clusters: [{ name: 'dev', cluster: { server: SERVER, 'certificate-authority-data': 'BASE64' } }] });
    expect(doc.apiVersion).toBe('v1');
    expect(doc.kind).toBe('Config');
    expect(doc.clusters[0].name).toBe('dev');
    expect(doc.contexts).toEqual([{ name: 'dev', context: { cluster: 'dev', user: 'dev' } }]);
    expect(doc['current-context']).toBe('dev');
  });
  test('server: the capsule-proxy URL; CA as certificate-authority-data (base64 at apply time), no insecure flag', () => {
    expect(doc.clusters[0].cluster.server).toBe(SERVER);
    expect(output).toContain('certificate-authority-data: "${base64encode(');
    expect(output).not.toMatch(/insecure-skip-tls-verify/);
  });
  test('devicecode by default: kubelogin exec with server ID, tenant ID and the AKS client ID', () => {
    expect(doc.users[0].user.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'kubelogin',
      args: ['get-token', '--login', 'devicecode', '--server-id', SERVER_ID, '--tenant-id', TENANT_ID, '--client-id', AKS_AAD_CLIENT_ID],
      interactiveMode: 'IfAvailable',
    });
  });
  test('no credentials inside', () => {
    const user = stringify(doc.users[0].user);
    for (const k of ['token', 'client-key', 'client-certificate', 'password', 'username']) expect(user).not.toContain(`${k}:`);
  });
  test('azurecli: the az session, no tenant or client ID', () => {
    const { kc: az } = kubeconfig({ login: 'azurecli', tenantId: undefined });
    expect((az.document as Json).users[0].user.exec.args).toEqual(['get-token', '--login', 'azurecli', '--server-id', SERVER_ID]);
  });
  test('a public CA: no certificate-authority-data', () => {
    const { kc: pub, output: out } = kubeconfig({});
    expect((pub.document as Json).clusters[0].cluster).toEqual({ server: SERVER });
    expect(out).not.toContain('certificate-authority-data');
  });
  test('devicecode needs the tenant ID', () => {
    expect(() => kubeconfig({ tenantId: undefined })).toThrow(/test\/kc: tenantId \(missing\) is invalid: is required for the devicecode login/);
  });
  test('the server must be an https URL', () => {
    expect(() => kubeconfig({ server: 'http://proxy:80' })).toThrow(/server "http:\/\/proxy:80" is invalid: must be an https URL/);
  });
  test('login must be devicecode or azurecli', () => {
    expect(() => kubeconfig({ login: 'spn' as 'azurecli' })).toThrow(/login "spn" is invalid/);
  });
});
