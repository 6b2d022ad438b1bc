/**
 * The package root of `@aw/capsule-aks`: the only public entry (package.json `exports`). Every name is listed
 * explicitly, so a new public name is a deliberate change (`__tests__/library.test.ts` asserts the exact list of
 * runtime names). Validation helpers for authors of their own constructs: `@aw/capsule-aks/validation`.
 */

// Whole environments: the three stacks of one environment from a typed config object.
export { CapsulePlatform } from './stacks/capsule-platform';
export type { CapsulePlatformConfig, CapsulePlatformProps } from './stacks/capsule-platform';
export type { EnvironmentStacks } from './stacks/environment-stacks';
export type { ClusterStack, ClusterStackProps } from './stacks/cluster-stack';
export type { CapsuleStack, CapsuleStackProps } from './stacks/capsule-stack';
export type { TenantsStack, TenantsStackProps } from './stacks/tenants-stack';
export type { EnvironmentConfig, EnvironmentSourceFiles } from './config/environment-config';
export type { EnvironmentFile, EnvironmentInput, ProtectedEntry, ProtectedRecord, TenantConfig, TenantOwnerConfig, TenantRuleConfig } from './config/environment-types';

// Errors.
export { ValidationError } from './constructs/validation';
export { EnvironmentError } from './config/environment-config';
export { PolicyConfigError } from './policy/policy-checks';

// Azure and Entra ID.
export { EntraDirectory } from './constructs/entra-directory';
export type { EntraDirectoryProps, EntraGroupSpec, EntraMembership, EntraObjectRef, EntraUserSpec } from './constructs/entra-directory';
export { AksCluster } from './constructs/aks-cluster';
export type {
  AksClusterProps,
  AksGrantAccessOptions,
  AksGrantee,
  AksMaintenanceWindow,
  AksMaintenanceWindows,
  AksNetworkPolicy,
  AksNodeOsUpgradeChannel,
  AksNodePoolProps,
  AksSkuTier,
  AksUpgradeChannel,
  AksWeekDay,
} from './constructs/aks-cluster';
export { AksUserNodePool } from './constructs/aks-node-pool';
export type { AksAutoscaling, AksOsSku, AksPoolShape, AksTaint, AksTaintEffect, AksUpgradeSettings, AksUserNodePoolOptions, AksUserNodePoolProps } from './constructs/aks-node-pool';
export { AksVirtualNetwork } from './constructs/aks-network';
export type { AksNetworkMode, AksNetworkOptions, AksVirtualNetworkProps, AksVirtualNetworkSpec } from './constructs/aks-network';
export { AksMonitoring } from './constructs/aks-monitoring';
export type { AksAuditLogCategory, AksLogAnalyticsWorkspace, AksManagedPrometheus, AksMonitoringProps } from './constructs/aks-monitoring';
export { AksAccess } from './constructs/aks-access';
export type { AksAccessPrincipal, AksAccessProps, AksAccessScope, AksPrincipalType } from './constructs/aks-access';
export { KubeconfigVault } from './constructs/kubeconfig-vault';
export type { KubeconfigVaultProps } from './constructs/kubeconfig-vault';
export { PublishedKubeconfig } from './constructs/published-kubeconfig';
export type { PublishedKubeconfigProps } from './constructs/published-kubeconfig';
export { AksKubeProviders } from './constructs/aks-kube-providers';
export type { AksKubeProvidersLogin, AksKubeProvidersProps } from './constructs/aks-kube-providers';
export type { KubeloginExec, KubeloginMode } from './constructs/kubelogin';

// Capsule.
export { CertManager } from './constructs/cert-manager';
export type { CertManagerProps } from './constructs/cert-manager';
export { CapsuleOperator } from './constructs/capsule-operator';
export type { CapsuleCertificates, CapsuleOperatorProps, CapsuleOperatorTenantProps, CapsuleUser } from './constructs/capsule-operator';
export { CapsuleProxy } from './constructs/capsule-proxy';
export type { CapsuleProxyCa, CapsuleProxyCaOptions, CapsuleProxyCertificates, CapsuleProxyCustomCertificate, CapsuleProxyKubeconfigOptions, CapsuleProxyProps } from './constructs/capsule-proxy';
export { CapsuleMetricsScrape } from './constructs/capsule-metrics-scrape';
export type { CapsuleMetricsScrapeProps } from './constructs/capsule-metrics-scrape';
export { CapsuleTenant } from './constructs/capsule-tenant';
export type { CapsuleTenantProps, TenantReplication } from './constructs/capsule-tenant';
export type {
  CapsuleTenantSpec,
  HostnameCollisionScope,
  LimitRangeSpec,
  NetworkPolicySpec,
  ResourceQuotaScope,
  ResourceQuotaSpec,
  Subject,
  TenantAdditionalRoleBinding,
  TenantAllowedList,
  TenantContainerRegistries,
  TenantExpressionMatch,
  TenantForbiddenList,
  TenantIngressOptions,
  TenantLabelSelector,
  TenantLimitRanges,
  TenantMetadata,
  TenantMetadataRule,
  TenantMetadataValueRule,
  TenantNamespaceOptions,
  TenantNetworkPolicies,
  TenantOwner,
  TenantOwnerKind,
  TenantRegistryRule,
  TenantResourceQuotas,
  TenantRule,
  TenantRuleEnforce,
  TenantRuleQuota,
} from './constructs/capsule-tenant-types';
export { GlobalTenantResource } from './constructs/global-tenant-resource';
export type { GlobalTenantResourceProps, GlobalTenantResourceScope, ReplicatedItem } from './constructs/global-tenant-resource';
export { GlobalProxySetting } from './constructs/global-proxy-setting';
export type { GlobalProxySettingProps, ProxyClusterResource, ProxySubject } from './constructs/global-proxy-setting';
export { AllowedClassLabels } from './constructs/allowed-class-labels';
export type { AllowedClassLabelsProps } from './constructs/allowed-class-labels';
export type { NamedAllowedClasses } from './constructs/global-proxy-setting';
export { ReplicationServiceAccount } from './constructs/replication-service-account';
export type { ReplicatedKind, ReplicationServiceAccountProps } from './constructs/replication-service-account';
export { TenantKubeconfig } from './constructs/tenant-kubeconfig';
export type { TenantKubeconfigLogin, TenantKubeconfigProps } from './constructs/tenant-kubeconfig';

// Presets and rule builders for tenants.
export { LIMIT_RANGE_PRESETS, NETWORK_POLICY_PRESETS } from './constructs/tenant-presets';
export type { LimitRangePreset, NetworkPolicyPreset } from './constructs/tenant-presets';
export { podSecurityRule, registryRule } from './constructs/tenant-rules';
export type { PodSecurityLevel, PullPolicy } from './constructs/tenant-rules';

// Synth-time policy checks.
export { applyPolicyChecks, POLICY_CHECKS, policyErrors } from './policy/policy-checks';
// The Aspect class as a type: applyPolicyChecks(scope, props) creates and returns it (one way to add the checks).
export type { CapsulePolicyChecks, CapsulePolicyChecksProps, PolicyCheck, PolicyCheckId, PolicyErrorsOptions, PolicyLevel } from './policy/policy-checks';
