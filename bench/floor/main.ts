// The benchmark's floor: the smallest cdktf app with the providers of capsule-aks and one resource of each, the
// kind the project uses (AKS cluster, Entra group, Helm release, Kubernetes manifest, random password, time sleep,
// TLS private key), imported by deep path. `npm run bench` runs it compiled (tsc, plain node), directly and through `cdktf synth`.
import { App, TerraformStack } from 'cdktf';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { Group } from '@cdktf/provider-azuread/lib/group';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { Password } from '@cdktf/provider-random/lib/password';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';

const app = new App();
const stack = new TerraformStack(app, 'floor');
new AzurermProvider(stack, 'azurerm', { features: [{}] });
new AzureadProvider(stack, 'azuread');
new HelmProvider(stack, 'helm', { kubernetes: { configPath: '~/.kube/config' } });
new KubernetesProvider(stack, 'kubernetes', { configPath: '~/.kube/config' });
new RandomProvider(stack, 'random');
new TimeProvider(stack, 'time');
new TlsProvider(stack, 'tls');
new KubernetesCluster(stack, 'aks', {
  name: 'floor',
  location: 'westeurope',
  resourceGroupName: 'floor',
  dnsPrefix: 'floor',
  defaultNodePool: { name: 'system', vmSize: 'Standard_D2s_v5', nodeCount: 1 },
  identity: { type: 'SystemAssigned' },
});
new Group(stack, 'group', { displayName: 'floor', securityEnabled: true });
new Release(stack, 'release', { name: 'floor', chart: 'floor', repository: 'oci://example.invalid/charts', version: '0.1.0' });
new Manifest(stack, 'manifest', { manifest: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'floor' } } });
new Password(stack, 'password', { length: 16 });
new Sleep(stack, 'sleep', { createDuration: '30s' });
new PrivateKey(stack, 'key', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
app.synth();
