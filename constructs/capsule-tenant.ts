import { Annotations, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-finding';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import {
  CapsuleTenantSpec,
  DEFAULT_OWNER_CLUSTER_ROLES,
  HOSTNAME_COLLISION_SCOPES,
  LimitRangeSpec,
  NetworkPolicySpec,
  RESOURCE_QUOTA_SCOPES,
  TENANT_OWNER_KINDS,
  TenantAllowedList,
  TenantForbiddenList,
  TenantMetadata,
  TenantExpressionMatch,
  TenantOwner,
  TenantRule,
  deprecatedTenantFields,
} from './capsule-tenant-types';
import { GlobalTenantResource, ReplicatedItem } from './global-tenant-resource';
import { CAPSULE_NAMESPACE } from './capsule-operator';
import { allowedClassResources, GlobalProxySetting, namedAllowedClasses, ProxyClusterResource } from './global-proxy-setting';
import { AllowedClassLabels } from './allowed-class-labels';
import { POLICY_REPLICATED_KINDS, ReplicationServiceAccount } from './replication-service-account';
import { allowFromNamespacesNetworkPolicy, APP_ROUTING_NAMESPACE } from './tenant-presets';
import {
  isQuotaResourceName,
  missingContainerDefaults,
  POD_SECURITY_LEVELS,
  PodSecurityLevel,
  podSecurityRule,
  QUANTITY_RE,
  QUOTA_RESOURCE_ALLOWED,
} from './tenant-rules';
import { GUID_RE, invalid, isCidr, isUnresolved, RFC1123_LABEL_RE, SERVICE_ACCOUNT_USER_RE, UPN_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

export * from './capsule-tenant-types';

/** Label put on every Tenant made here; GlobalTenantResources select their tenant by it. */
export const TENANT_SELECTOR_LABEL = 'capsule-aks.io/tenant';

/**
 * How network policies and limit ranges reach the tenant's namespaces: the Tenant's own (deprecated in Capsule
 * 0.14, what the POC used) `networkPolicies` / `limitRanges`, or a {@link GlobalTenantResource} replicating them.
 */
export type TenantReplication = 'tenant-spec' | 'global-tenant-resource';


export interface CapsuleTenantProps extends CapsuleTenantSpec {
  /** Tenant name: lowercase RFC 1123 label (with forceTenantPrefix it prefixes every namespace name). */
  readonly name: string;
  /**
   * Where `networkPolicies` and `limitRanges` go: the Tenant spec, or a GlobalTenantResource named
   * `<name>-policies` that replicates them into each tenant namespace.
   * @default 'tenant-spec'
   */
  readonly replication?: TenantReplication;
  /**
   * Terraform `prevent_destroy` on the Tenant (and its replication): `terraform destroy` refuses to remove it.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Extra labels on the Tenant object.
   * @default only `capsule-aks.io/tenant: <name>`
   */
  readonly labels?: Record<string, string>;
  /**
   * Resources the Tenant needs first, typically the Capsule Helm release (its controller handles the Tenant's
   * finalizer, so it must outlive the Tenant on destroy).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Pod Security Standards level enforced on every namespace of the tenant (`pod-security.kubernetes.io/enforce`),
   * through a rule with `managed` namespace metadata that tenant owners cannot change.
   * @default none (the cluster's default, privileged on AKS)
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Namespaces of the ingress controllers. When the tenant has network policies and allowed ingress classes, one more
   * network policy (the last of its list) admits traffic from these namespaces, so Ingresses reach the pods.
   * Set `[]` to leave it out.
   * @default ['app-routing-system'] (the AKS application routing add-on)
   */
  readonly ingressControllerNamespaces?: string[];
  /**
   * The ServiceAccount the GlobalTenantResource replicates as (with `replication: 'global-tenant-resource'`), e.g.
   * one {@link ReplicationServiceAccount} shared by the tenants of a cluster. Give the construct itself where you
   * have it: the GlobalTenantResource then depends on its role binding, so that Terraform creates the rights before
   * the replication and, on destroy, removes the replication (whose items Capsule deletes as that ServiceAccount)
   * before the rights.
   * @default a ReplicationServiceAccount `<name>-replicator` in `capsule-system` made for this tenant, with rights on
   * network policies and limit ranges only
   */
  readonly replicationServiceAccount?: ReplicationServiceAccount | { readonly name: string; readonly namespace: string };
  /**
   * The namespace Capsule runs in: where the tenant's own replication ServiceAccount is made (when
   * `replicationServiceAccount` is not given). `CapsuleOperator.addTenant` sets it to the operator's namespace.
   * @default 'capsule-system'
   */
  readonly capsuleNamespace?: string;
  /**
   * Let the owners list and get, through capsule-proxy, the storage, ingress and priority classes the tenant is
   * allowed (a GlobalProxySetting `<name>-proxy`; capsule-proxy refuses such lists otherwise). Classes allowed by
   * name get the label `kubernetes.io/metadata.name: <name>` ({@link AllowedClassLabels}; capsule-proxy selects by
   * labels only), so they must exist when the tenant is applied.
   * @default true
   */
  readonly proxyClassAccess?: boolean;
  /**
   * Further cluster-scoped resources the owners may list and get through capsule-proxy (same GlobalProxySetting).
   * @default none
   */
  readonly proxyClusterResources?: ProxyClusterResource[];
}

/** Namespaces of the platform, never a tenant's. */
const SYSTEM_NAMESPACE_RE = /^(kube-.*|default|capsule-system|cert-manager|gatekeeper-system|app-routing-system)$/;

/**
 * Why a ServiceAccount in `namespace` cannot own tenant `tenant`, or undefined when it can. A system namespace never
 * belongs to a tenant. With `forceTenantPrefix`, the tenant's namespaces are `<tenant>-<name>`; a namespace that
 * starts with the longer prefix of another tenant (tenant `team` vs `team-a`'s `team-a-ci`) belongs to that tenant.
 * Without `forceTenantPrefix` nothing ties a namespace name to a tenant (any tenant's owners may create `ci`, then
 * mint tokens for `ci/<name>` and own this tenant), so a ServiceAccount owner is refused: it needs the prefix.
 */
export function serviceAccountOwnerProblem(tenant: string, namespace: string, forceTenantPrefix: boolean, otherTenants: readonly string[] = []): string | undefined {
  if (SYSTEM_NAMESPACE_RE.test(namespace)) return `must be in a namespace of tenant ${tenant}, not the system namespace ${namespace}`;
  if (!forceTenantPrefix) {
    return `needs forceTenantPrefix true for tenant ${tenant}: without it, nothing proves that namespace ${namespace} belongs to ${tenant} (another tenant's owners could create it and use the ServiceAccount's tokens)`;
  }
  if (!namespace.startsWith(`${tenant}-`)) return `must be in a namespace of tenant ${tenant}: with forceTenantPrefix, its namespaces are named ${tenant}-<name>`;
  const other = otherTenants.find((o) => o !== tenant && o.startsWith(`${tenant}-`) && namespace.startsWith(`${o}-`));
  if (other) return `must be in a namespace of tenant ${tenant}: ${namespace} is named like a namespace of tenant ${other} (${other}-<name>)`;
  return undefined;
}

/**
 * A Capsule `Tenant` (`capsule.clastix.io/v1beta2`) as a `kubernetes_manifest`, from a fully typed spec.
 * Unset fields are left out of the manifest (no perpetual diffs); owners get `admin` and
 * `capsule-namespace-deleter` unless other cluster roles are given.
 */
export class CapsuleTenant extends Construct {
  /** The tenant name. */
  public readonly name: string;
  /** The `kubernetes_manifest` of the Tenant. */
  public readonly manifest: Manifest;
  /** The spec as emitted (unset fields omitted, defaults applied). */
  public readonly spec: Record<string, unknown>;
  /** Network policies of every namespace (given ones, plus the ingress controller policy when it applies). */
  public readonly networkPolicies: readonly NetworkPolicySpec[];
  /** What the owners may read through capsule-proxy (allowed classes, extra cluster resources), when any. */
  public readonly proxySetting?: GlobalProxySetting;
  /** The labels that let capsule-proxy select the classes allowed by name, when any. */
  public readonly classLabels?: AllowedClassLabels;
  /** The replication of network policies and limit ranges, when `replication` is `global-tenant-resource`. */
  public readonly replication?: GlobalTenantResource;

  constructor(scope: Construct, id: string, props: CapsuleTenantProps) {
    super(scope, id);
    this.validate(props);
    this.name = props.name;
    const replicate = (props.replication ?? 'tenant-spec') === 'global-tenant-resource';

    const spec: Record<string, unknown> = {
      owners: props.owners.map((o) => ({ kind: o.kind, name: o.name, clusterRoles: [...(o.clusterRoles ?? DEFAULT_OWNER_CLUSTER_ROLES)] })),
    };
    const ns = props.namespaceOptions;
    if (ns) {
      const options = compact({
        quota: ns.quota,
        additionalMetadata: metadata(ns.additionalMetadata),
        forbiddenLabels: forbidden(ns.forbiddenLabels),
        forbiddenAnnotations: forbidden(ns.forbiddenAnnotations),
      });
      if (options) spec.namespaceOptions = options;
    }
    const networkPolicies = [...(props.networkPolicies?.items ?? [])];
    const controllers = props.ingressControllerNamespaces ?? [APP_ROUTING_NAMESPACE];
    if (networkPolicies.length && controllers.length && allowsIngressClasses(props.ingressOptions?.allowedClasses)) {
      networkPolicies.push(allowFromNamespacesNetworkPolicy(controllers));
    }
    this.networkPolicies = networkPolicies;
    if (!replicate && networkPolicies.length) spec.networkPolicies = { items: networkPolicies };
    if (props.resourceQuotas?.items.length) spec.resourceQuotas = { scope: props.resourceQuotas.scope ?? 'Tenant', items: props.resourceQuotas.items };
    if (!replicate && props.limitRanges?.items.length) spec.limitRanges = { items: props.limitRanges.items };
    const ing = props.ingressOptions;
    if (ing) {
      const options = compact({
        allowedClasses: allowedList(ing.allowedClasses),
        allowedHostnames: ing.allowedHostnames?.allowed.length ? { allowed: [...ing.allowedHostnames.allowed] } : undefined,
        hostnameCollisionScope: ing.hostnameCollisionScope,
        allowWildcardHostnames: ing.allowWildcardHostnames,
      });
      if (options) spec.ingressOptions = options;
    }
    if (props.nodeSelector && Object.keys(props.nodeSelector).length) spec.nodeSelector = { ...props.nodeSelector };
    const storage = allowedList(props.storageClasses);
    if (storage) spec.storageClasses = storage;
    const priority = allowedList(props.priorityClasses);
    if (priority) spec.priorityClasses = priority;
    if (props.containerRegistries?.allowed.length) spec.containerRegistries = { allowed: [...props.containerRegistries.allowed] };
    if (props.preventDeletion !== undefined) spec.preventDeletion = props.preventDeletion;
    if (props.cordoned !== undefined) spec.cordoned = props.cordoned;
    if (props.forceTenantPrefix !== undefined) spec.forceTenantPrefix = props.forceTenantPrefix;
    if (props.additionalRoleBindings?.length) {
      spec.additionalRoleBindings = props.additionalRoleBindings.map((b) =>
        compact({ clusterRoleName: b.clusterRoleName, subjects: b.subjects.map((s) => compact({ ...s })), labels: nonEmpty(b.labels), annotations: nonEmpty(b.annotations) }),
      );
    }
    // The replication's identity, bound in every tenant namespace only (issue 14.5): a rule without namespaceSelector
    // whose binding Capsule creates as a RoleBinding in each namespace of the tenant (capsule v0.14.0
    // internal/controllers/tenant/rolebindings.go:52-68). A plain reference is bound by whoever made it.
    const replicationItems = replicate ? replicatedItems(props.name, networkPolicies, props.limitRanges?.items ?? []) : [];
    const given = props.replicationServiceAccount;
    const own =
      replicationItems.length && !given
        ? new ReplicationServiceAccount(this, 'replicator', {
            name: `${props.name}-replicator`.slice(0, 63).replace(/-+$/, ''),
            namespace: props.capsuleNamespace ?? CAPSULE_NAMESPACE,
            kinds: POLICY_REPLICATED_KINDS,
            dependsOn: props.dependsOn,
          })
        : undefined;
    const replicator = own ?? (given instanceof ReplicationServiceAccount ? given : undefined);
    const replicatorRule: TenantRule[] = replicationItems.length && replicator ? [{ permissions: { bindings: [replicator.tenantBinding] } }] : [];
    const rules = [...(props.rules ?? []), ...replicatorRule, ...(props.podSecurity ? [podSecurityRule(props.podSecurity)] : [])];
    if (rules.length) spec.rules = rules.map(ruleSpec);
    this.spec = spec;

    const deprecated = deprecatedTenantFields(spec);
    if (deprecated.length) {
      // The policy checks find the same in the manifest (CAKS006, acknowledgeable): warn here only without them.
      reportPolicyFinding(
        this,
        'CAKS006',
        `Tenant "${props.name}" uses fields deprecated in Capsule 0.14: ${deprecated.map((f) => `spec.${f}`).join(', ')}. They still work; ` +
          'network policies and limit ranges can be replicated with a GlobalTenantResource instead (replication: global-tenant-resource)',
        { detectedByChecks: true, fix: 'replicate network policies and limit ranges with a GlobalTenantResource, and set quotas with rules' },
      );
    }

    this.manifest = new Manifest(this, 'tenant', terraformLiterals(this, 'manifest', {
      manifest: {
        apiVersion: 'capsule.clastix.io/v1beta2',
        kind: 'Tenant',
        metadata: { name: props.name, labels: { ...(props.labels ?? {}), [TENANT_SELECTOR_LABEL]: props.name } },
        spec,
      },
      dependsOn: props.dependsOn,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    }));

    const classes = { storageClasses: props.storageClasses, ingressClasses: props.ingressOptions?.allowedClasses, priorityClasses: props.priorityClasses };
    const proxyResources = [
      ...(props.proxyClassAccess === false ? [] : allowedClassResources(classes)),
      ...(props.proxyClusterResources ?? []),
    ];
    const named = props.proxyClassAccess === false ? [] : namedAllowedClasses(classes);
    // capsule-proxy v0.14.0 merges the selectors of all rules that apply to a user into one selector, one requirement
    // per label key (internal/modules/utils/selector.go:42-77, HandleListSelector; clusterscoped/list.go:60-64): a
    // kind allowed both by name and by labels lists only the classes that match both, usually none (Get still works).
    if (props.proxyClassAccess !== false) {
      for (const [field, a] of Object.entries(classes)) {
        if (a?.matchLabels && Object.keys(a.matchLabels).length && (a.allowed?.length || a.default)) {
          Annotations.of(this).addWarning(
            `${field}: allowed both by name and by matchLabels; capsule-proxy ANDs the two selectors when owners list these classes, so \`kubectl get\` through the proxy shows only classes matching both (usually none). Allow them one way, or set proxyClassAccess: false`,
          );
        }
      }
    }
    if (named.length) {
      this.classLabels = new AllowedClassLabels(this, 'class-labels', { tenant: props.name, classes: named, dependsOn: props.dependsOn });
    }
    if (proxyResources.length) {
      this.proxySetting = new GlobalProxySetting(this, 'proxy-setting', {
        name: `${props.name}-proxy`.slice(0, 63).replace(/-+$/, ''),
        subjects: props.owners.map((o) => ({ kind: o.kind, name: o.name })),
        clusterResources: proxyResources,
        preventDestroy: props.preventDestroy,
        dependsOn: [this.manifest],
      });
    }

    if (replicationItems.length) {
      this.replication = new GlobalTenantResource(this, 'replication', {
        serviceAccount: replicator ? replicator.reference : (given as { readonly name: string; readonly namespace: string }),
        name: `${props.name}-policies`.slice(0, 63).replace(/-+$/, ''),
        tenantSelector: { [TENANT_SELECTOR_LABEL]: props.name },
        items: replicationItems,
        preventDestroy: props.preventDestroy,
        // The Tenant (with the rule binding the identity), the identity and its rights first; destroyed in reverse,
        // so that Capsule prunes the replicas while the ServiceAccount still may.
        dependsOn: [this.manifest, ...(replicator ? [replicator.serviceAccount, replicator.clusterRole] : [])],
      });
    }
  }

  private validate(props: CapsuleTenantProps): void {
    if (!isUnresolved(props.name) && (!RFC1123_LABEL_RE.test(props.name) || props.name.length > 63)) {
      invalid(this, 'name', props.name, 'must be a lowercase RFC 1123 label: 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit');
    }
    if (!props.owners?.length) invalid(this, 'owners', props.owners, 'must have at least one owner (kind Group, User or ServiceAccount)');
    props.owners.forEach((o: TenantOwner, i) => {
      const f = `owners[${i}]`;
      if (!TENANT_OWNER_KINDS.includes(o.kind)) invalid(this, `${f}.kind`, o.kind, `must be one of ${TENANT_OWNER_KINDS.join(', ')}`);
      if (typeof o.name !== 'string' || o.name === '') invalid(this, `${f}.name`, o.name, 'must be a non-empty name');
      if (isUnresolved(o.name)) return;
      if (o.kind === 'User' && !UPN_RE.test(o.name)) {
        invalid(this, `${f}.name`, o.name, 'must be a user principal name such as alice@contoso.onmicrosoft.com (AKS presents users by UPN, not by object ID)');
      }
      if (o.kind === 'ServiceAccount' && !SERVICE_ACCOUNT_USER_RE.test(o.name)) {
        invalid(this, `${f}.name`, o.name, 'must be a service account user name system:serviceaccount:<namespace>:<name>');
      }
      const saNamespace = o.kind === 'ServiceAccount' ? o.name.split(':')[2] : undefined;
      const saProblem = saNamespace !== undefined && !isUnresolved(props.name) ? serviceAccountOwnerProblem(props.name, saNamespace, props.forceTenantPrefix === true) : undefined;
      if (saProblem) invalid(this, `${f}.name`, o.name, saProblem);
      if (o.kind === 'Group' && !GUID_RE.test(o.name)) {
        Annotations.of(this).addWarning(`${f}.name "${o.name}" is not an object ID: AKS presents Entra ID groups by object ID, so this owner will match nobody there`);
      }
      (o.clusterRoles ?? []).forEach((r, j) => {
        if (typeof r !== 'string' || r.trim() === '') invalid(this, `${f}.clusterRoles[${j}]`, r, 'must be a cluster role name');
      });
      if (o.clusterRoles && o.clusterRoles.length === 0) invalid(this, `${f}.clusterRoles`, o.clusterRoles, 'must name at least one cluster role (leave it unset for admin + capsule-namespace-deleter)');
    });
    const ns = props.capsuleNamespace;
    if (ns !== undefined && !isUnresolved(ns) && (!RFC1123_LABEL_RE.test(ns) || ns.length > 63)) invalid(this, 'capsuleNamespace', ns, 'must be a namespace name (lowercase RFC 1123 label)');
    const quota = props.namespaceOptions?.quota;
    // The Tenant CRD (v1beta2 namespaceOptions.quota) has minimum 1: the API server refuses 0.
    if (quota !== undefined && !isUnresolved(quota) && (!Number.isInteger(quota) || quota < 1)) {
      invalid(this, 'namespaceOptions.quota', quota, 'must be a whole number >= 1 (the Tenant CRD minimum; leave it unset for no limit)');
    }
    (props.networkPolicies?.items ?? []).forEach((np, i) => this.checkNetworkPolicy(np, `networkPolicies.items[${i}]`));
    const rqScope = props.resourceQuotas?.scope;
    if (rqScope !== undefined && !RESOURCE_QUOTA_SCOPES.includes(rqScope)) invalid(this, 'resourceQuotas.scope', rqScope, `must be one of ${RESOURCE_QUOTA_SCOPES.join(', ')}`);
    const hcs = props.ingressOptions?.hostnameCollisionScope;
    if (hcs !== undefined && !HOSTNAME_COLLISION_SCOPES.includes(hcs)) {
      invalid(this, 'ingressOptions.hostnameCollisionScope', hcs, `must be one of ${HOSTNAME_COLLISION_SCOPES.join(', ')}`);
    }
    const replication = props.replication;
    if (replication !== undefined && replication !== 'tenant-spec' && replication !== 'global-tenant-resource') {
      invalid(this, 'replication', replication, 'must be tenant-spec or global-tenant-resource');
    }
    const podSecurity = props.podSecurity;
    if (podSecurity !== undefined && !POD_SECURITY_LEVELS.includes(podSecurity)) invalid(this, 'podSecurity', podSecurity, `must be one of ${POD_SECURITY_LEVELS.join(', ')}`);
    (props.ingressControllerNamespaces ?? []).forEach((n, i) => {
      if (!isUnresolved(n) && (!RFC1123_LABEL_RE.test(n) || n.length > 63)) invalid(this, `ingressControllerNamespaces[${i}]`, n, 'must be a namespace name (lowercase RFC 1123 label)');
    });
    const hard: { field: string; hard: Record<string, unknown> }[] = [
      ...(props.resourceQuotas?.items ?? []).map((q, i) => ({ field: `resourceQuotas.items[${i}].hard`, hard: (q.hard ?? {}) as Record<string, unknown> })),
      ...(props.rules ?? []).flatMap((r, i) => (r.quota ?? []).map((q, j) => ({ field: `rules[${i}].quota[${j}]`, hard: q.hard }))),
    ];
    for (const h of hard) {
      for (const [k, v] of Object.entries(h.hard)) {
        if (!isQuotaResourceName(k)) invalid(this, `${h.field}.hard`, k, QUOTA_RESOURCE_ALLOWED);
        if (!isUnresolved(v) && !QUANTITY_RE.test(String(v))) invalid(this, `${h.field}.hard.${k}`, v, 'must be a Kubernetes quantity such as 4, 500m or 8Gi');
      }
    }
    (props.rules ?? []).forEach((r, i) => {
      (r.quota ?? []).forEach((q, j) => {
        if (!isUnresolved(q.name) && (!RFC1123_LABEL_RE.test(q.name) || q.name.length > 63)) invalid(this, `rules[${i}].quota[${j}].name`, q.name, 'must be a lowercase RFC 1123 label (the stable name of the quota)');
      });
      const e = r.enforce;
      if (e && !['allow', 'deny', 'audit'].includes(e.action)) invalid(this, `rules[${i}].enforce.action`, e.action, 'must be allow, deny or audit (set it: Capsule defaults to deny, which would refuse what you list)');
      (e?.workloads?.registries ?? []).forEach((m, j) => checkMatch(this, `rules[${i}].enforce.workloads.registries[${j}]`, m));
      (e?.metadata ?? []).forEach((m, j) => {
        if (!m.kinds?.length) invalid(this, `rules[${i}].enforce.metadata[${j}].kinds`, m.kinds, 'must name at least one kind (Namespace for the tenant namespaces)');
        if (!m.labels && !m.annotations) invalid(this, `rules[${i}].enforce.metadata[${j}]`, m, 'must set labels or annotations');
      });
    });
    // A quota on cpu/memory refuses pods that do not declare them: the tenant must give containers defaults.
    const missing = missingContainerDefaults(
      hard.flatMap((h) => Object.keys(h.hard)),
      props.limitRanges?.items ?? [],
    );
    if (missing.length) {
      invalid(
        this,
        'limitRanges',
        props.limitRanges?.items ?? [],
        `must give containers defaults for ${missing.join(', ')}: the tenant's quota covers them, so pods without them are refused ` +
          '(add a Container LimitRange with default / defaultRequest, e.g. standardLimitRange())',
      );
    }
    (props.additionalRoleBindings ?? []).forEach((b, i) => {
      if (!b.clusterRoleName) invalid(this, `additionalRoleBindings[${i}].clusterRoleName`, b.clusterRoleName, 'must be a cluster role name');
      if (!b.subjects?.length) invalid(this, `additionalRoleBindings[${i}].subjects`, b.subjects, 'must have at least one subject');
    });
  }

  private checkNetworkPolicy(np: NetworkPolicySpec, field: string): void {
    const peers = [
      ...(np.ingress ?? []).flatMap((r, i) => (r.from ?? []).map((p, j) => ({ p, at: `${field}.ingress[${i}].from[${j}]` }))),
      ...(np.egress ?? []).flatMap((r, i) => (r.to ?? []).map((p, j) => ({ p, at: `${field}.egress[${i}].to[${j}]` }))),
    ];
    for (const { p, at } of peers) {
      if (!p.ipBlock) continue;
      const { cidr, except } = p.ipBlock;
      if (!isUnresolved(cidr) && !isCidr(cidr)) invalid(this, `${at}.ipBlock.cidr`, cidr, 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24');
      (except ?? []).forEach((c, k) => {
        if (!isUnresolved(c) && !isCidr(c)) invalid(this, `${at}.ipBlock.except[${k}]`, c, 'must be an IPv4 or IPv6 CIDR such as 10.0.0.0/8');
      });
    }
  }
}

/** True when the tenant is allowed at least one ingress class (by name, default or labels). */
function allowsIngressClasses(a: TenantAllowedList | undefined): boolean {
  return !!a && (!!a.allowed?.length || !!a.default || Object.keys(a.matchLabels ?? {}).length > 0);
}

/** A rule as written in the Tenant: unset fields left out. */
function ruleSpec(r: TenantRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.namespaceSelector) out.namespaceSelector = r.namespaceSelector;
  if (r.enforce) out.enforce = JSON.parse(JSON.stringify(r.enforce)) as unknown;
  if (r.quota?.length) out.quota = r.quota.map((q) => compact({ name: q.name, hard: { ...q.hard }, scopes: q.scopes?.length ? [...q.scopes] : undefined }));
  if (r.permissions) out.permissions = JSON.parse(JSON.stringify(r.permissions)) as unknown;
  return out;
}

function checkMatch(scope: Construct, field: string, m: TenantExpressionMatch): void {
  if (!m.exact?.length && !m.exp) invalid(scope, field, m, 'must set exact (full image references) or exp (a regular expression)');
  if (m.exp !== undefined && !isUnresolved(m.exp)) {
    try {
      new RegExp(m.exp);
    } catch {
      invalid(scope, `${field}.exp`, m.exp, 'must be a valid regular expression');
    }
  }
}

/** The objects a GlobalTenantResource replicates into each tenant namespace: network policies and limit ranges. */
function replicatedItems(tenant: string, networkPolicies: readonly NetworkPolicySpec[], limitRanges: readonly LimitRangeSpec[]): ReplicatedItem[] {
  return [
    ...networkPolicies.map((s, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `capsule-${tenant}-netpol-${i}` },
      spec: s,
    })),
    ...limitRanges.map((s, i) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: `capsule-${tenant}-limits-${i}` }, spec: s })),
  ];
}

/** The object without undefined values; undefined when nothing is left. */
function compact<T extends Record<string, unknown>>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(out).length ? (out as T) : undefined;
}

function nonEmpty(m: Record<string, string> | undefined): Record<string, string> | undefined {
  return m && Object.keys(m).length ? { ...m } : undefined;
}

function metadata(m: TenantMetadata | undefined): TenantMetadata | undefined {
  return m && compact({ labels: nonEmpty(m.labels), annotations: nonEmpty(m.annotations) });
}

function forbidden(f: TenantForbiddenList | undefined): TenantForbiddenList | undefined {
  return f && compact({ denied: f.denied?.length ? [...f.denied] : undefined, deniedRegex: f.deniedRegex || undefined });
}

function allowedList(a: TenantAllowedList | undefined): TenantAllowedList | undefined {
  return a && compact({ allowed: a.allowed?.length ? [...a.allowed] : undefined, default: a.default || undefined, matchLabels: nonEmpty(a.matchLabels) });
}
