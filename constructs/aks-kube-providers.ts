import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { KubeloginMode, kubeloginExec } from './kubelogin';
import { checkGuid, invalid, isUnresolved } from './validation';

/** Login modes kubelogin supports for a Terraform run (see {@link KubeloginMode}). */
const KUBELOGIN_MODES: readonly KubeloginMode[] = ['azurecli', 'spn', 'workloadidentity', 'msi', 'devicecode'];

/** How the providers sign in to the API server (shared by {@link AksKubeProvidersProps} and `AksCluster.kubeProviders`). */
export interface AksKubeProvidersLogin {
  /**
   * kubelogin login mode of the Terraform run (`azurecli` locally, `workloadidentity` in GitHub Actions with OIDC, …).
   * @default 'azurecli'
   */
  readonly login?: KubeloginMode;
  /**
   * Entra ID tenant passed to kubelogin (`--tenant-id`; used by the `spn` and `devicecode` modes only).
   * @default none (kubelogin takes it from its environment, e.g. `AZURE_TENANT_ID`)
   */
  readonly tenantId?: string;
}

export interface AksKubeProvidersProps extends AksKubeProvidersLogin {
  /** API server URL of the cluster (`AksCluster.host`, or a value you read elsewhere). */
  readonly host: string;
  /** Base64-encoded cluster CA certificate, as AKS returns it (`AksCluster.clusterCaCertificate`). */
  readonly clusterCaCertificate: string;
}

/**
 * The `kubernetes` and `helm` providers (construct IDs `kubernetes` and `helm`, default configurations) of a stack
 * that talks to an AKS cluster with Entra ID: host and CA of the cluster, authentication by kubelogin `exec` with
 * the chosen login mode. No admin credentials and no token are written anywhere: kubelogin gets a token when
 * Terraform runs.
 *
 * For a cluster made by an {@link AksCluster} of this program, `cluster.kubeProviders(stack)` makes this construct.
 */
export class AksKubeProviders extends Construct {
  public readonly kubernetes: KubernetesProvider;
  public readonly helm: HelmProvider;
  /** The login mode in use. */
  public readonly login: KubeloginMode;

  constructor(scope: Construct, id: string, props: AksKubeProvidersProps) {
    super(scope, id);
    this.login = props.login ?? 'azurecli';
    if (!KUBELOGIN_MODES.includes(this.login)) invalid(this, 'login', this.login, `must be one of ${KUBELOGIN_MODES.join(', ')}`);
    checkGuid(this, 'tenantId', props.tenantId);
    if (!isUnresolved(props.host) && !/^https:\/\/[^/\s]+(:\d+)?\/?$/.test(props.host)) {
      invalid(this, 'host', props.host, 'must be the https URL of the API server, such as https://aks-1a2b3c4d.hcp.francecentral.azmk8s.io:443');
    }
    const exec = kubeloginExec(this.login, { tenantId: props.tenantId });
    const host = props.host;
    const clusterCaCertificate = Fn.base64decode(props.clusterCaCertificate);
    this.kubernetes = new KubernetesProvider(this, 'kubernetes', { host, clusterCaCertificate, exec: [exec] });
    this.helm = new HelmProvider(this, 'helm', { kubernetes: { host, clusterCaCertificate, exec } });
  }
}
