/**
 * Names of a tenant's kubeconfig outputs, the one home of the rule: TenantsStack writes them, `npm run kubeconfig`
 * (scripts/kubeconfig.ts) reads them. No imports, so the command loads nothing else.
 */

/** Prefix of the Terraform outputs holding the tenants' kubeconfigs. */
export const KUBECONFIG_OUTPUT_PREFIX = 'kubeconfig_';

/** Terraform output name of a tenant's kubeconfig. */
export function kubeconfigOutputName(tenant: string): string {
  return `${KUBECONFIG_OUTPUT_PREFIX}${tenant.replace(/-/g, '_')}`;
}

/** The tenant of a kubeconfig output name. */
export function tenantOfKubeconfigOutput(output: string): string {
  return output.slice(KUBECONFIG_OUTPUT_PREFIX.length).replace(/_/g, '-');
}
