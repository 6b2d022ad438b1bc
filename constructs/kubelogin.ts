/**
 * kubelogin `exec` settings for Entra ID (AAD) clusters with local accounts disabled.
 * No credentials are written anywhere: kubelogin gets a token at run time from the chosen login mode.
 */

/** The Entra ID application (server) ID of the AKS AAD server, the same for every AKS cluster. */
export const AKS_AAD_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/**
 * How kubelogin gets a token: `azurecli` (the `az login` session; default), `spn` (service principal from
 * `AAD_SERVICE_PRINCIPAL_CLIENT_ID` / `AAD_SERVICE_PRINCIPAL_CLIENT_SECRET` or `AZURE_CLIENT_ID`…),
 * `workloadidentity` (federated token, e.g. GitHub OIDC), `msi` (managed identity), `devicecode` (interactive;
 * for people, not for Terraform runs).
 */
export type KubeloginMode = 'azurecli' | 'spn' | 'workloadidentity' | 'msi' | 'devicecode';

/** The exec block shared by the helm and kubernetes providers and by generated kubeconfigs. */
export interface KubeloginExec {
  readonly apiVersion: 'client.authentication.k8s.io/v1beta1';
  readonly command: 'kubelogin';
  readonly args: string[];
}

/** kubelogin `get-token` exec settings for a login mode. */
export function kubeloginExec(mode: KubeloginMode = 'azurecli', options: { tenantId?: string } = {}): KubeloginExec {
  const args = ['get-token', '--login', mode, '--server-id', AKS_AAD_SERVER_ID];
  if (options.tenantId && (mode === 'devicecode' || mode === 'spn')) args.push('--tenant-id', options.tenantId);
  return { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args };
}
