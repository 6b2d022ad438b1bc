import type { PolicyCheckId } from '../policy/policy-checks';

/**
 * How to fix a policy finding in the terms of an environment file (environments/<env>.yaml), for the app's messages:
 * main.ts gives them to the policy checks of every environment (`CapsulePolicyChecksProps.fixes`), so the
 * printed lines, cdktf.out/manifest.json and `cdktf synth` name the file's keys. The policy checks themselves (and
 * library users) speak in construct props (policy/policy-checks.ts, POLICY_CHECKS). The one mapping of the two.
 */
export const ENVIRONMENT_FILE_FIXES: Readonly<Partial<Record<PolicyCheckId, string>>> = {
  CAKS001: 'keep local_account_disabled = true, or opt in with policy.allowLocalAccounts: <reason>',
  CAKS002: 'scope it to the cluster or its resource group (access.tenantRoleScope: cluster), or acknowledge with policy.acknowledge.CAKS002: <reason>',
  CAKS003: 'set cluster.authorizedIpRanges (or make the cluster private)',
  CAKS004: 'give the tenant at least one owner',
  CAKS006: 'move to the replacement named in the message, or acknowledge with policy.acknowledge.CAKS006: <reason>',
  CAKS007: 'set lifecycle.prevent_destroy (and spec.preventDeletion on Tenants); the stacks do this when protected: true',
  CAKS010: 'set cluster.authorizedIpRanges and capsule.proxy.allowedIpRanges, or acknowledge with policy.acknowledge.CAKS010: <reason>',
  CAKS011: 'set access.clusterAdminPrincipalId to the deploying identity (required when protected: true), or acknowledge with policy.acknowledge.CAKS011: <reason>',
};
