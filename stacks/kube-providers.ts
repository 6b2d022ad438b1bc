import { Fn, TerraformStack } from 'cdktf';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { kubeloginExec } from '../constructs/kubelogin';
import { ClusterStack } from './cluster-stack';

/**
 * helm and kubernetes providers for a stack that talks to the cluster of `cluster`: host and CA come from the
 * cluster stack (cross-stack references), authentication from kubelogin `exec` with the environment's login
 * mode (`access.kubeloginMode`, default `azurecli`). No admin credentials are used.
 */
export function kubeProviders(stack: TerraformStack, cluster: ClusterStack): { kubernetes: KubernetesProvider; helm: HelmProvider } {
  const env = cluster.environment;
  const exec = kubeloginExec(env.access?.kubeloginMode ?? 'azurecli', { tenantId: env.azure?.tenantId });
  const host = cluster.aks.host;
  const clusterCaCertificate = Fn.base64decode(cluster.aks.clusterCaCertificate);
  const kubernetes = new KubernetesProvider(stack, 'kubernetes', { host, clusterCaCertificate, exec: [exec] });
  const helm = new HelmProvider(stack, 'helm', { kubernetes: { host, clusterCaCertificate, exec } });
  return { kubernetes, helm };
}
