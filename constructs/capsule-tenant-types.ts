import type { NetworkPolicySpec } from 'kubernetes-types/networking/v1';
import type { LimitRangeSpec, ResourceQuotaSpec } from 'kubernetes-types/core/v1';
import type { Subject } from 'kubernetes-types/rbac/v1';
import { isPlainObject } from './validation';

/**
 * Typed spec of a Capsule `Tenant` (`capsule.clastix.io/v1beta2`, Capsule 0.14.0). Field names and shapes follow
 * the upstream CRD; embedded Kubernetes specs use the `kubernetes-types` package.
 */

export type { NetworkPolicySpec, LimitRangeSpec, ResourceQuotaSpec, Subject };

/** Who owns a tenant. On AKS, `User` owners are matched by UPN and `Group` owners by object ID. */
export type TenantOwnerKind = 'Group' | 'User' | 'ServiceAccount';
export const TENANT_OWNER_KINDS: readonly TenantOwnerKind[] = ['Group', 'User', 'ServiceAccount'];

/** Cluster roles Capsule gives owners in each tenant namespace when none are given (the CRD's default). */
export const DEFAULT_OWNER_CLUSTER_ROLES: readonly string[] = ['admin', 'capsule-namespace-deleter'];

export interface TenantOwner {
  /** `Group` (Entra object ID on AKS), `User` (UPN on AKS) or `ServiceAccount` (`system:serviceaccount:<ns>:<name>`). */
  readonly kind: TenantOwnerKind;
  /** Group object ID, user principal name, or service account user name. */
  readonly name: string;
  /**
   * Cluster roles bound to the owner in every namespace of the tenant.
   * @default ['admin', 'capsule-namespace-deleter']
   */
  readonly clusterRoles?: string[];
}

/** Labels and annotations. */
export interface TenantMetadata {
  /** @default none */
  readonly labels?: Record<string, string>;
  /** @default none */
  readonly annotations?: Record<string, string>;
}

/** A deny list of label or annotation keys. */
export interface TenantForbiddenList {
  /** Exact keys. @default none */
  readonly denied?: string[];
  /** A regular expression of keys. @default none */
  readonly deniedRegex?: string;
}

export interface TenantNamespaceOptions {
  /** Maximum number of namespaces of the tenant (>= 0). @default unlimited */
  readonly quota?: number;
  /** Metadata added to every namespace of the tenant (deprecated in Capsule 0.14: Rules Metadata). @default none */
  readonly additionalMetadata?: TenantMetadata;
  /** Label keys tenant owners may not set on namespaces (deprecated in Capsule 0.14). @default none */
  readonly forbiddenLabels?: TenantForbiddenList;
  /** Annotation keys tenant owners may not set on namespaces (deprecated in Capsule 0.14). @default none */
  readonly forbiddenAnnotations?: TenantForbiddenList;
}

/** Network policies created in every tenant namespace (deprecated in Capsule 0.14: Tenant Replications). */
export interface TenantNetworkPolicies {
  readonly items: NetworkPolicySpec[];
}

/** `Tenant`: the quota is shared by all namespaces of the tenant; `Namespace`: each namespace gets it. */
export type ResourceQuotaScope = 'Tenant' | 'Namespace';
export const RESOURCE_QUOTA_SCOPES: readonly ResourceQuotaScope[] = ['Tenant', 'Namespace'];

/** Resource quotas of the tenant (deprecated in Capsule 0.14: Rules Quota). */
export interface TenantResourceQuotas {
  /** @default 'Tenant' */
  readonly scope?: ResourceQuotaScope;
  readonly items: ResourceQuotaSpec[];
}

/** Limit ranges created in every tenant namespace (deprecated in Capsule 0.14: Tenant Replications). */
export interface TenantLimitRanges {
  readonly items: LimitRangeSpec[];
}

/** An allow list of names, optionally with a default (storage, priority, ingress classes). */
export interface TenantAllowedList {
  /** Allowed names. @default none */
  readonly allowed?: string[];
  /** Applied when a resource names none. @default none */
  readonly default?: string;
  /** Allow the classes carrying these labels. @default none */
  readonly matchLabels?: Record<string, string>;
}

/** Where two Ingresses may not use the same hostname. */
export type HostnameCollisionScope = 'Cluster' | 'Tenant' | 'Namespace' | 'Disabled';
export const HOSTNAME_COLLISION_SCOPES: readonly HostnameCollisionScope[] = ['Cluster', 'Tenant', 'Namespace', 'Disabled'];

export interface TenantIngressOptions {
  /** Ingress classes tenants may use. @default any */
  readonly allowedClasses?: TenantAllowedList;
  /** Hostnames tenants may use in Ingresses. @default any */
  readonly allowedHostnames?: { readonly allowed: string[] };
  /** @default 'Disabled' (Capsule's default) */
  readonly hostnameCollisionScope?: HostnameCollisionScope;
  /** Allow `*.example.com` hostnames. @default Capsule's default (allowed) */
  readonly allowWildcardHostnames?: boolean;
}

/** An extra RoleBinding created in every tenant namespace. */
export interface TenantAdditionalRoleBinding {
  readonly clusterRoleName: string;
  readonly subjects: Subject[];
  /** @default none */
  readonly labels?: Record<string, string>;
  /** @default none */
  readonly annotations?: Record<string, string>;
}

/** Trusted image registries (deprecated in Capsule 0.14: rules enforcement registries). */
export interface TenantContainerRegistries {
  readonly allowed: string[];
}

/** The `spec` of a Capsule `Tenant`, as far as this library models it. Unset fields are not emitted. */
export interface CapsuleTenantSpec {
  /** Owners of the tenant (at least one). */
  readonly owners: TenantOwner[];
  /** Namespace quota and metadata rules. @default none (unlimited namespaces) */
  readonly namespaceOptions?: TenantNamespaceOptions;
  /** Network policies of every tenant namespace (deprecated in Capsule 0.14, still working). @default none */
  readonly networkPolicies?: TenantNetworkPolicies;
  /** Resource quotas (deprecated in Capsule 0.14, still working). @default none */
  readonly resourceQuotas?: TenantResourceQuotas;
  /** Limit ranges of every tenant namespace (deprecated in Capsule 0.14, still working). @default none */
  readonly limitRanges?: TenantLimitRanges;
  /** Ingress classes, hostnames and hostname collision rules. @default Capsule's defaults */
  readonly ingressOptions?: TenantIngressOptions;
  /** Node selector forced on the tenant's pods. @default none */
  readonly nodeSelector?: Record<string, string>;
  /** Storage classes the tenant may use. @default any */
  readonly storageClasses?: TenantAllowedList;
  /** Priority classes the tenant may use. @default any */
  readonly priorityClasses?: TenantAllowedList;
  /** Trusted image registries (deprecated in Capsule 0.14, still working). @default any */
  readonly containerRegistries?: TenantContainerRegistries;
  /** Capsule refuses to delete the Tenant while true. @default false (Capsule's default; not emitted) */
  readonly preventDeletion?: boolean;
  /** A cordoned tenant's owners cannot change anything. @default false (Capsule's default; not emitted) */
  readonly cordoned?: boolean;
  /** Namespaces must be named `<tenant>-…`; overrides the Capsule-wide setting. @default the Capsule-wide setting */
  readonly forceTenantPrefix?: boolean;
  /** RoleBindings added in every tenant namespace. @default none */
  readonly additionalRoleBindings?: TenantAdditionalRoleBinding[];
  /** Rules (Capsule 0.14 `spec.rules`): enforcement, quota and permissions per namespace selection. @default none */
  readonly rules?: TenantRule[];
}

/** A label selector (`matchLabels` and `matchExpressions`). */
export interface TenantLabelSelector {
  /** @default none */
  readonly matchLabels?: Record<string, string>;
  /** @default none */
  readonly matchExpressions?: { readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: string[] }[];
}

/** Matches a value exactly (one of `exact`) or by regular expression (`exp`); at least one of the two. */
export interface TenantExpressionMatch {
  /** @default none */
  readonly exact?: string[];
  /** @default none */
  readonly exp?: string;
  /** Invert the regular expression. @default false */
  readonly negate?: boolean;
}

/** A registry rule: image references it matches and the pull policies allowed for them. */
export interface TenantRegistryRule extends TenantExpressionMatch {
  /** Allowed pull policies. @default any */
  readonly policy?: ('Always' | 'IfNotPresent' | 'Never')[];
}

/** What Capsule does with a label or annotation key (`MetadataValueRule`). */
export interface TenantMetadataValueRule {
  /** The key must be present (with action allow). @default false */
  readonly required?: boolean;
  /** Allowed / denied / audited values. @default none */
  readonly values?: TenantExpressionMatch[];
  /** Set on create when absent. @default none */
  readonly default?: string;
  /** Always set to this value (reverted when changed). @default none */
  readonly managed?: string;
}

/** Metadata enforcement for kinds of objects (`Namespace` only when named). */
export interface TenantMetadataRule {
  /** Kinds the rule applies to (at least one; `Namespace` for the tenant's namespaces). */
  readonly kinds: string[];
  /** API groups or group/versions. @default core v1 */
  readonly apiGroups?: string[];
  /** @default none */
  readonly labels?: Record<string, TenantMetadataValueRule>;
  /** @default none */
  readonly annotations?: Record<string, TenantMetadataValueRule>;
}

/** Enforcement of a rule: what matches is allowed (anything else of that kind refused), denied or audited. */
export interface TenantRuleEnforce {
  /** `allow`: matching values are allowed, others refused; `deny`: matching values refused; `audit`: events only. */
  readonly action: 'allow' | 'deny' | 'audit';
  /** Pods: registries (with pull policies) and QoS classes. @default none */
  readonly workloads?: {
    readonly registries?: TenantRegistryRule[];
    readonly qosClasses?: ('Guaranteed' | 'Burstable' | 'BestEffort')[];
  };
  /** Metadata of namespaced objects and namespaces. @default none */
  readonly metadata?: TenantMetadataRule[];
  /** Services: types, LoadBalancer CIDRs, node ports, ExternalName hostnames. @default none */
  readonly services?: {
    readonly types?: ('ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName')[];
    readonly loadBalancers?: { readonly cidrs: string[] };
    readonly nodePorts?: { readonly ports: { readonly from: number; readonly to: number }[] };
    readonly externalNames?: { readonly hostnames: TenantExpressionMatch[] };
  };
}

/** A quota shared by all namespaces the rule selects (a ResourceQuotaSpec with a stable name). */
export interface TenantRuleQuota {
  /** Stable identity within the Tenant (renaming replaces the quota): lowercase RFC 1123 label. */
  readonly name: string;
  /** Hard limits by resource name. */
  readonly hard: Record<string, string>;
  /** @default none */
  readonly scopes?: string[];
}

/** A rule of the Tenant (`spec.rules[]`, Capsule 0.14). */
export interface TenantRule {
  /** Namespaces of the tenant the rule applies to. @default every namespace of the tenant */
  readonly namespaceSelector?: TenantLabelSelector;
  /** @default none */
  readonly enforce?: TenantRuleEnforce;
  /** Quotas shared by the selected namespaces (replaces `resourceQuotas`). @default none */
  readonly quota?: TenantRuleQuota[];
  /** RoleBindings in the selected namespaces, and ServiceAccount promotions. @default none */
  readonly permissions?: {
    readonly bindings?: TenantAdditionalRoleBinding[];
    readonly promotions?: { readonly clusterRoles: string[]; readonly selector?: TenantLabelSelector }[];
  };
}

/**
 * Tenant fields deprecated in Capsule 0.14 (v1beta2 CRD descriptions) and their replacements: the one list, used by
 * CapsuleTenant (its warning) and the policy checks (CAKS006).
 */
export const DEPRECATED_TENANT_FIELDS: Readonly<Record<string, string>> = {
  networkPolicies: 'Tenant Replications',
  limitRanges: 'Tenant Replications',
  resourceQuotas: 'rules quota',
  containerRegistries: 'rules enforcement registries',
  imagePullPolicies: 'rules enforcement registries',
  podOptions: 'rules metadata',
  serviceOptions: 'rules metadata',
  'namespaceOptions.additionalMetadata': 'rules metadata',
  'namespaceOptions.additionalMetadataList': 'rules metadata',
  'namespaceOptions.forbiddenAnnotations': 'rules metadata',
  'namespaceOptions.forbiddenLabels': 'rules metadata',
  'namespaceOptions.requiredMetadata': 'rules metadata',
};

/** The deprecated fields (dotted paths of {@link DEPRECATED_TENANT_FIELDS}) a Tenant spec sets, in the list's order. */
export function deprecatedTenantFields(spec: Readonly<Record<string, unknown>>): string[] {
  const at = (dotted: string): unknown =>
    dotted.split('.').reduce<unknown>((cur, part) => (isPlainObject(cur) ? cur[part] : undefined), spec);
  return Object.keys(DEPRECATED_TENANT_FIELDS).filter((f) => at(f) !== undefined);
}
