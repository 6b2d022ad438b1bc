import { Annotations, ITerraformDependable, Lazy, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { CapsuleTenant, CapsuleTenantProps } from './capsule-tenant';
import { EntraObjectRef, entraObjectId } from './entra-directory';
import { checkGuid, checkIntRange, checkPattern, invalid, PINNED_VERSION_ALLOWED, PINNED_VERSION_RE, RFC1123_LABEL_RE, SERVICE_ACCOUNT_USER_RE } from './validation';
import { terraformLiteral, terraformLiterals } from './terraform-literal';

/** The Capsule charts' OCI repository (the old clastix Helm repository is stale). */
export const CAPSULE_REPOSITORY = 'oci://ghcr.io/projectcapsule/charts';
/** Chart version of `capsule` and `capsule-proxy` installed when none is given. */
export const CAPSULE_CHART_VERSION = '0.14.0';
/** Namespace of Capsule and capsule-proxy. */
export const CAPSULE_NAMESPACE = 'capsule-system';

/**
 * Where the Capsule webhook and CRD-conversion certificates come from: `cert-manager` (the charts' default;
 * cert-manager must be installed first) or `builtin` (Capsule's TLS controller creates and rotates them).
 */
export type CapsuleCertificates = 'cert-manager' | 'builtin';

/** An entity Capsule considers a Capsule user. On AKS, Groups are matched by Entra object ID. */
export interface CapsuleUser {
  /** `Group` (Entra ID object ID), `User` (UPN on AKS) or `ServiceAccount`. */
  readonly kind: 'Group' | 'User' | 'ServiceAccount';
  /** Object ID (Group), user name (User) or `system:serviceaccount:<namespace>:<name>` (ServiceAccount). */
  readonly name: string;
}

export interface CapsuleOperatorProps {
  /**
   * Capsule users: requests of these users/groups/ServiceAccounts are handled by Capsule (`manager.options.users`,
   * CapsuleConfiguration CRD `spec.users[].kind` User | Group | ServiceAccount). Every tenant owner must be a
   * Capsule user by itself (no nested group membership): {@link CapsuleOperator.addTenant} adds its tenant's
   * owners here; list the owners of tenants you create otherwise. Duplicates are dropped. At synth time the list
   * must hold at least one entry.
   * @default [] (the owners of the tenants added with `addTenant`)
   */
  readonly users?: CapsuleUser[];
  /**
   * Group object IDs whose members are never Capsule users, even when another of their groups is one
   * (`manager.options.ignoreUserWithGroups`; capsule v0.14.0 pkg/users/is_capsule_user.go:59-67): the cluster
   * admins, so that an admin who is also in a tenant owner group can still create namespaces outside the tenants.
   * Capsule users listed by `User` name are not affected.
   * Give the group object ID, or the group itself (an azuread `Group` or anything with an `objectId`).
   * @default none
   */
  readonly ignoredUserGroups?: EntraObjectRef[];
  /**
   * Chart version (pinned x.y.z).
   * @default CAPSULE_CHART_VERSION ('0.14.0')
   */
  readonly chartVersion?: string;
  /**
   * Namespace of the release (and of capsule-proxy when a {@link CapsuleProxy} is given this operator).
   * @default 'capsule-system'
   */
  readonly namespace?: string;
  /**
   * Create the namespace (a `kubernetes_namespace_v1` labelled `app.kubernetes.io/managed-by: capsule-aks`,
   * construct ID `namespace`) before the release. Set false when it exists or is made elsewhere (then put the
   * resource that makes it in `dependsOn`).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Tenant owners must name namespaces `<tenant>-<name>` (`manager.options.forceTenantPrefix`).
   * @default true
   */
  readonly forceTenantPrefix?: boolean;
  /**
   * Source of the webhook certificates.
   * @default 'cert-manager'
   */
  readonly certificates?: CapsuleCertificates;
  /**
   * Replicas of the Capsule controller and webhook server (chart `replicaCount`; leader election is on in the
   * chart). Its webhooks fail closed: with one replica, namespace and pod writes in tenants fail while it restarts.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * A PodDisruptionBudget (`maxUnavailable: 1`) for the Capsule pods, so node drains keep one running.
   * @default true when `replicas` > 1
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * Opt Capsule's webhook configurations out of the AKS admissions enforcer (annotation
   * `admissions.enforcer/disabled: "true"`), so that the enforcer and Capsule's admission controller do not
   * rewrite them in turn. Harmless on other Kubernetes distributions. See the comment in the constructor.
   * @default true
   */
  readonly aksAdmissionsEnforcerOptOut?: boolean;
  /**
   * Seconds Helm waits for the release to be ready.
   * @default 600
   */
  readonly timeout?: number;
  /**
   * Resources that must exist first (the namespace, cert-manager).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Chart version and namespace of a Capsule chart (`capsule`, `capsule-proxy`): defaults, validation, and a warning
 * when the version is not 0.14.x (the values the constructs set were checked against 0.14.0).
 */
export function capsuleChartSettings(scope: Construct, chart: 'capsule' | 'capsule-proxy', props: { readonly chartVersion?: string; readonly namespace?: string }): { chartVersion: string; namespace: string } {
  const chartVersion = props.chartVersion ?? CAPSULE_CHART_VERSION;
  const namespace = props.namespace ?? CAPSULE_NAMESPACE;
  checkPattern(scope, 'chartVersion', chartVersion, PINNED_VERSION_RE, PINNED_VERSION_ALLOWED);
  checkPattern(scope, 'namespace', namespace, RFC1123_LABEL_RE, 'must be a Kubernetes namespace name (lowercase letters, digits and "-")');
  if (chartVersion.replace(/^v/, '').split('.').slice(0, 2).join('.') !== '0.14') {
    Annotations.of(scope).addWarning(`${chart} chart ${chartVersion}: the values set here were checked against chart 0.14.0 only`);
  }
  return { chartVersion, namespace };
}

/**
 * A PodDisruptionBudget (`maxUnavailable: 1`) for the pods of a chart's Deployment, created after its release.
 * `maxUnavailable` follows the replica count; the selector must match only the Deployment's pods.
 */
export function podDisruptionBudget(scope: Construct, name: string, namespace: string, matchLabels: Record<string, string>, release: Release): PodDisruptionBudgetV1 {
  return new PodDisruptionBudgetV1(scope, 'pdb', terraformLiterals(scope, 'pdb', {
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
    spec: { maxUnavailable: '1', selector: { matchLabels } },
    dependsOn: [release],
  }));
}

/** AKS's opt-out annotation (label or annotation) for its admissions enforcer (AKS FAQ, Azure/AKS#4002). */
export const AKS_ADMISSIONS_ENFORCER_OPT_OUT = { 'admissions.enforcer/disabled': 'true' } as const;

/**
 * Options of {@link CapsuleOperator.addTenant}: the Tenant's props and where it goes. There is no `dependsOn` on
 * the operator's release: the Tenant lives in another stack (see `scope`), ordered by the stack dependency.
 */
export interface CapsuleOperatorTenantProps extends Omit<CapsuleTenantProps, 'dependsOn' | 'capsuleNamespace'> {
  /**
   * Where the Tenant is created: a stack, or a construct in a stack, deployed after the operator's. It cannot be the
   * operator's own stack: a `kubernetes_manifest` needs the Tenant CRD when its stack is planned, and the operator's
   * release installs the CRD only when that stack is applied, so the first plan would fail. That stack is made to
   * depend on the operator's (deployed after it, destroyed before it, while the controller still releases the
   * Tenants' finalizers), and it needs its own `kubernetes` provider (e.g. `AksCluster.kubeProviders(stack)`).
   */
  readonly scope: Construct;
}

/** The Capsule operator (chart `capsule` from the projectcapsule OCI registry), one atomic Helm release. */
export class CapsuleOperator extends Construct {
  public readonly release: Release;
  public readonly namespace: string;
  /** The namespace, when created here (`createNamespace`). */
  public readonly namespaceResource?: NamespaceV1;
  /** Group object IDs whose members are never Capsule users (`ignoredUserGroups`); capsule-proxy takes them by default. */
  public readonly ignoredUserGroups: readonly string[];
  /** Tenants added with {@link addTenant}, in the order they were added. */
  public readonly tenants: readonly CapsuleTenant[] = [];
  public readonly chartVersion: string;
  public readonly certificates: CapsuleCertificates;
  public readonly replicas: number;
  /** The PodDisruptionBudget of the Capsule pods (see `podDisruptionBudget`). */
  public readonly podDisruptionBudget?: PodDisruptionBudgetV1;
  /** The values passed to the chart (before token resolution; `users` grows with {@link addTenant}). */
  public readonly values: Record<string, unknown>;
  private readonly users: CapsuleUser[] = [];
  /** `kind` and `name` of each of {@link users}, to add each once without a scan per owner (hundreds of tenants). */
  private readonly userKeys = new Set<string>();
  /** The last rendered Helm values and the JSON of the values they were rendered from (see renderValues). */
  private rendered?: { readonly key: string; readonly text: string };
  /** `forceTenantPrefix` of the release: tenants added with ServiceAccount owners pin it (see addTenant). */
  private readonly forceTenantPrefix: boolean;

  constructor(scope: Construct, id: string, props: CapsuleOperatorProps = {}) {
    super(scope, id);
    this.forceTenantPrefix = props.forceTenantPrefix ?? true;
    ({ chartVersion: this.chartVersion, namespace: this.namespace } = capsuleChartSettings(this, 'capsule', props));
    this.certificates = props.certificates ?? 'cert-manager';
    if (!['cert-manager', 'builtin'].includes(this.certificates)) invalid(this, 'certificates', this.certificates, 'must be "cert-manager" or "builtin"');
    (props.users ?? []).forEach((u, i) => this.addUser(u, `users[${i}]`));
    const users = this.users;
    const ignored = [...new Set((props.ignoredUserGroups ?? []).map(entraObjectId))];
    ignored.forEach((g, i) => checkGuid(this, `ignoredUserGroups[${i}]`, g));
    this.ignoredUserGroups = ignored;
    const createNamespace = props.createNamespace ?? true;
    if (typeof createNamespace !== 'boolean') invalid(this, 'createNamespace', createNamespace, 'must be true or false');
    if (createNamespace) {
      this.namespaceResource = new NamespaceV1(this, 'namespace', terraformLiterals(this, 'namespace', {
        metadata: { name: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
      }));
    }

    this.replicas = props.replicas ?? 1;
    checkIntRange(this, 'replicas', this.replicas, 1, 10);
    const ha = this.replicas > 1;
    // Pods as the chart's Deployment selects them (capsule chart v0.14.0 templates/deployment.yaml:22,
    // _helpers.tpl:58-65 capsule.selectorLabels; the release is named "capsule").
    const selector = { 'app.kubernetes.io/name': 'capsule', 'app.kubernetes.io/instance': 'capsule' };

    const certificates =
      this.certificates === 'cert-manager'
        ? { certManager: { generateCertificates: true }, tls: { enableController: false, create: false } }
        : { certManager: { generateCertificates: false }, tls: { enableController: true, create: true } };
    this.values = {
      manager: {
        options: {
          forceTenantPrefix: this.forceTenantPrefix,
          users,
          ...(ignored.length ? { ignoreUserWithGroups: ignored } : {}),
        },
      },
      ...certificates,
      ...(ha ? { replicaCount: this.replicas, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }] } : {}),
    };
    // AKS admissions enforcer vs Capsule 0.14. AKS adds `control-plane NotIn [true]` and
    // `kubernetes.azure.com/managedby NotIn [aks]` to the namespaceSelector of every webhook (Azure/AKS#4002,
    // Azure/AKS#1771). Capsule 0.14 no longer lets Helm own its webhook configurations: its admission controllers
    // write them from the CapsuleConfiguration (internal/controllers/admission/validating.go:124-156, `obj.Webhooks =
    // desiredHooks`; mutating.go likewise) and reconcile whenever their hash changes
    // (pkg/runtime/predicates/admission_configuration.go:34-44, namespaceSelector included). So each enforcer patch
    // triggers a Capsule rewrite, which triggers a new patch: an endless loop of writes to the API server, the
    // pattern reported for Kyverno (kyverno#6539), Kong (kong-operator#239) and OpenKruise (openkruise/charts#155).
    // Copying the enforcer's expressions into every hook's namespaceSelector (chart values webhooks.hooks.<hook>
    // .namespaceSelector) would have to restate each hook's own selector (Helm replaces lists), and it would keep a
    // hole: a tenant owner who labels a namespace `control-plane: "true"` takes it out of the namespaces hook. We opt
    // out instead, as the AKS FAQ allows, with the chart's `webhooks.annotations` (values.yaml webhooks.annotations;
    // templates/_helpers.tpl admission.annotations -> CapsuleConfiguration admission.*.annotations, copied onto the
    // configurations by validating.go:144-151). AKS system namespaces stay out of Capsule's reach without the
    // enforcer: every hook on namespaced workloads requires the `capsule.clastix.io/tenant` namespace label (chart
    // values webhooks.hooks.*.namespaceSelector), which no AKS namespace has; the others act on Capsule's own kinds,
    // on objects Capsule labelled, or on Namespace objects (where the replicas and PDB keep the webhook available).
    if (props.aksAdmissionsEnforcerOptOut ?? true) this.values.webhooks = { annotations: { ...AKS_ADMISSIONS_ENFORCER_OPT_OUT } };

    this.release = new Release(this, 'release', terraformLiterals(this, 'release', {
      name: 'capsule',
      repository: CAPSULE_REPOSITORY,
      chart: 'capsule',
      version: this.chartVersion,
      namespace: this.namespace,
      createNamespace: false,
      wait: true,
      waitForJobs: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeout ?? 600,
      // Written at synth time: addTenant adds owners to manager.options.users after the constructor.
      values: [Lazy.stringValue({ produce: () => this.renderValues() })],
      dependsOn: this.namespaceResource ? [this.namespaceResource, ...(props.dependsOn ?? [])] : props.dependsOn,
    }));
    if (props.podDisruptionBudget ?? ha) this.podDisruptionBudget = podDisruptionBudget(this, 'capsule', this.namespace, selector, this.release);
  }

  /**
   * Adds a Capsule Tenant ({@link CapsuleTenant}, construct ID `id` under `props.scope`) and makes each of its owners
   * a Capsule user of this operator (`manager.options.users`), so that no owner depends on nested group membership.
   * The Tenant's stack is made to depend on the operator's; it must be another stack (see
   * {@link CapsuleOperatorTenantProps.scope}). Owner names that are references must not come from the Tenant's
   * stack (the operator's stack would then depend on it: a cycle).
   */
  public addTenant(id: string, props: CapsuleOperatorTenantProps): CapsuleTenant {
    const field = `addTenant(${JSON.stringify(id)})`;
    const target = props.scope;
    if (!target || !(target instanceof Construct)) invalid(this, `${field}.scope`, target === undefined ? undefined : String(target), 'must be a construct (a stack deployed after the operator\'s, or a construct in one)');
    const mine = TerraformStack.of(this);
    const theirs = TerraformStack.of(target);
    if (theirs === mine) {
      invalid(
        this,
        `${field}.scope`,
        target.node.path,
        `must be in a stack deployed after the operator's stack "${mine.node.id}", not in it: a kubernetes_manifest Tenant needs the Tenant CRD when its stack is planned, and this release installs the CRD only at apply (e.g. a stack "${mine.node.id}-tenants")`,
      );
    }
    const { scope, ...tenantProps } = props;
    // A ServiceAccount owner needs forceTenantPrefix on its Tenant (serviceAccountOwnerProblem): pinned from this
    // release's setting, so that the Tenant keeps it whatever the Capsule-wide setting becomes.
    const serviceAccountOwner = (props.owners ?? []).some((o) => o.kind === 'ServiceAccount');
    const forceTenantPrefix = tenantProps.forceTenantPrefix ?? (serviceAccountOwner && this.forceTenantPrefix ? true : undefined);
    const tenant = new CapsuleTenant(scope, id, { ...tenantProps, capsuleNamespace: this.namespace, forceTenantPrefix });
    theirs.addDependency(mine);
    (props.owners ?? []).forEach((o, i) => this.addUser({ kind: o.kind, name: o.name }, `${field}.owners[${i}]`));
    (this.tenants as CapsuleTenant[]).push(tenant);
    return tenant;
  }

  /** Validates a Capsule user and adds it unless listed already (same kind and name). */
  private addUser(u: CapsuleUser, field: string): void {
    if (u.kind !== 'Group' && u.kind !== 'User' && u.kind !== 'ServiceAccount') invalid(this, `${field}.kind`, u.kind, 'must be "Group", "User" or "ServiceAccount"');
    if (u.kind === 'Group') checkGuid(this, `${field}.name`, u.name);
    if (u.kind === 'ServiceAccount') checkPattern(this, `${field}.name`, u.name, SERVICE_ACCOUNT_USER_RE, 'must be system:serviceaccount:<namespace>:<name>');
    const key = JSON.stringify([u.kind, u.name]);
    if (this.userKeys.has(key)) return;
    this.userKeys.add(key);
    this.users.push({ kind: u.kind, name: u.name });
  }

  private renderValues(): string {
    if (this.users.length === 0) {
      invalid(this, 'users', [], 'must list at least one Capsule user or group, or the operator must get a tenant (addTenant), whose owners become Capsule users');
    }
    // Rendered again only when the values changed: cdktf resolves this Lazy on every pass (policy checks, prepare,
    // synth), and with hundreds of owners the YAML takes tens of milliseconds each time.
    const key = JSON.stringify(this.values);
    if (this.rendered?.key !== key) this.rendered = { key, text: terraformLiteral(this, 'release.values[0]', stringify(this.values)) };
    return this.rendered.text;
  }
}
