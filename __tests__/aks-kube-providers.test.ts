import * as fs from 'fs';
import * as path from 'path';
import { App, Testing, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AksCluster } from '../constructs/aks-cluster';
import { AksKubeProviders, AksKubeProvidersProps } from '../constructs/aks-kube-providers';
import { AKS_AAD_SERVER_ID } from '../constructs/kubelogin';
import { ValidationError } from '../constructs/validation';
import { Json, synthJson } from './helpers';

const HOST = 'https://aks-1a2b3c4d.hcp.francecentral.azmk8s.io:443';
const CA = 'LS0tLS1CRUdJTi0tLS0t';
const TENANT = '22222222-2222-2222-2222-222222222222';

function synthProviders(props: Partial<AksKubeProvidersProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AksKubeProviders(stack, 'kube', { host: HOST, clusterCaCertificate: CA, ...props });
  return synthJson(stack);
}

/** A cluster stack and a second stack with `cluster.kubeProviders(...)`, synthesized as a whole app (cross-stack references). */
function twoStacks(options: Parameters<AksCluster['kubeProviders']>[1] = {}): { cluster: Json; consumer: Json } {
  const app: App = Testing.app();
  const clusterStack = new TerraformStack(app, 'cluster');
  new AzurermProvider(clusterStack, 'azurerm', { features: [{}] });
  const aks = new AksCluster(clusterStack, 'aks', { name: 'c', location: 'francecentral', resourceGroupName: 'rg', adminGroupObjectIds: ['11111111-1111-1111-1111-111111111111'] });
  const consumer = new TerraformStack(app, 'consumer');
  aks.kubeProviders(consumer, options);
  app.synth();
  const read = (s: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'));
  return { cluster: read('cluster'), consumer: read('consumer') };
}

describe('AksKubeProviders', () => {
  test('kubernetes and helm providers with the host, the decoded CA and kubelogin exec (no admin credentials)', () => {
    const json = synthProviders();
    const exec = { api_version: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token', '--login', 'azurecli', '--server-id', AKS_AAD_SERVER_ID] };
    expect(json.provider.kubernetes).toEqual([{ host: HOST, cluster_ca_certificate: `\${base64decode("${CA}")}`, exec: [exec] }]);
    expect(json.provider.helm).toEqual([{ kubernetes: { host: HOST, cluster_ca_certificate: `\${base64decode("${CA}")}`, exec } }]);
  });

  test('login defaults to azurecli, without --tenant-id', () => {
    expect(synthProviders().provider.kubernetes[0].exec[0].args).toEqual(['get-token', '--login', 'azurecli', '--server-id', AKS_AAD_SERVER_ID]);
  });

  test('login and tenantId: spn passes --tenant-id', () => {
    expect(synthProviders({ login: 'spn', tenantId: TENANT }).provider.kubernetes[0].exec[0].args).toEqual(['get-token', '--login', 'spn', '--server-id', AKS_AAD_SERVER_ID, '--tenant-id', TENANT]);
  });

  test('rejects an unknown login mode, naming the construct path and the allowed modes', () => {
    expect(() => synthProviders({ login: 'password' as never })).toThrow(ValidationError);
    expect(() => synthProviders({ login: 'password' as never })).toThrow('test/kube: login "password" is invalid: must be one of azurecli, spn, workloadidentity, msi, devicecode');
  });

  test('rejects a tenantId that is not a GUID', () => {
    expect(() => synthProviders({ tenantId: 'contoso' })).toThrow(/test\/kube: tenantId "contoso" is invalid: must be a GUID/);
  });

  test('rejects a literal host that is not an https URL', () => {
    expect(() => synthProviders({ host: 'http://aks.example.com' })).toThrow(/test\/kube: host "http:\/\/aks.example.com" is invalid: must be the https URL of the API server/);
  });
});

describe('AksCluster.kubeProviders', () => {
  test('from another stack: host and CA come through remote state, and nothing else of the cluster is read', () => {
    const { cluster, consumer } = twoStacks();
    const remote = /^\$\{(base64decode\()?data\.terraform_remote_state\.cross-stack-reference-input-cluster\.outputs\.[^}]+\}$/;
    expect(consumer.provider.kubernetes[0].host).toMatch(remote);
    expect(consumer.provider.kubernetes[0].cluster_ca_certificate).toMatch(remote);
    expect(consumer.provider.helm[0].kubernetes.host).toBe(consumer.provider.kubernetes[0].host);
    // The cluster stack exports exactly the two values, from kube_config[0] (never kube_admin_config).
    const outputs = Object.values(cluster.output) as Json[];
    expect(outputs.map((o) => o.value).sort()).toEqual([
      expect.stringMatching(/kube_config\[0\]\.cluster_ca_certificate\}$/),
      expect.stringMatching(/kube_config\[0\]\.host\}$/),
    ]);
    expect(JSON.stringify(consumer)).not.toMatch(/kube_admin_config|client_key|password/);
  });

  test('spn without tenantId: kubelogin gets the cluster\'s tenant', () => {
    const { consumer } = twoStacks({ login: 'spn' });
    const args = consumer.provider.kubernetes[0].exec[0].args as string[];
    expect(args.slice(0, 5)).toEqual(['get-token', '--login', 'spn', '--server-id', AKS_AAD_SERVER_ID]);
    expect(args[5]).toBe('--tenant-id');
    expect(args[6]).toMatch(/terraform_remote_state\.cross-stack-reference-input-cluster\.outputs\..*tenant_id\}$/);
  });

  test('azurecli (default): no --tenant-id', () => {
    expect(twoStacks().consumer.provider.kubernetes[0].exec[0].args).not.toContain('--tenant-id');
  });
});
