import { Annotations, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { PINNED_VERSION_ALLOWED, PINNED_VERSION_RE } from './cert-manager';
import { checkGuid, checkIntRange, checkPattern, invalid, RFC1123_LABEL_RE, SERVICE_ACCOUNT_USER_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

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
   * CapsuleConfiguration CRD `spec.users[].kind` User | Group | ServiceAccount). List every tenant owner here by
   * itself rather than relying on nested group membership. Duplicates are dropped.
   */
  readonly users: CapsuleUser[];
  /**
   * Group object IDs whose members are never Capsule users, even when another of their groups is one
   * (`manager.options.ignoreUserWithGroups`; capsule v0.14.0 pkg/users/is_capsule_user.go:59-67): the cluster
   * admins, so that an admin who is also in a tenant owner group can still create namespaces outside the tenants.
   * Capsule users listed by `User` name are not affected.
   * @default none
   */
  readonly ignoredUserGroups?: string[];
  /**
   * Chart version (pinned x.y.z).
   * @default CAPSULE_CHART_VERSION ('0.14.0')
   */
  readonly chartVersion?: string;
  /**
   * Namespace of the release; must exist (this construct does not create it).
   * @default 'capsule-system'
   */
  readonly namespace?: string;
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

/** The Capsule operator (chart `capsule` from the projectcapsule OCI registry), one atomic Helm release. */
export class CapsuleOperator extends Construct {
  public readonly release: Release;
  public readonly namespace: string;
  public readonly chartVersion: string;
  public readonly certificates: CapsuleCertificates;
  public readonly replicas: number;
  /** The PodDisruptionBudget of the Capsule pods (see `podDisruptionBudget`). */
  public readonly podDisruptionBudget?: PodDisruptionBudgetV1;
  /** The values passed to the chart (before token resolution). */
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: CapsuleOperatorProps) {
    super(scope, id);
    ({ chartVersion: this.chartVersion, namespace: this.namespace } = capsuleChartSettings(this, 'capsule', props));
    this.certificates = props.certificates ?? 'cert-manager';
    if (!['cert-manager', 'builtin'].includes(this.certificates)) invalid(this, 'certificates', this.certificates, 'must be "cert-manager" or "builtin"');
    if (props.users.length === 0) invalid(this, 'users', props.users, 'must list at least one Capsule user or group');
    props.users.forEach((u, i) => {
      if (u.kind !== 'Group' && u.kind !== 'User' && u.kind !== 'ServiceAccount') invalid(this, `users[${i}].kind`, u.kind, 'must be "Group", "User" or "ServiceAccount"');
      if (u.kind === 'Group') checkGuid(this, `users[${i}].name`, u.name);
      if (u.kind === 'ServiceAccount') checkPattern(this, `users[${i}].name`, u.name, SERVICE_ACCOUNT_USER_RE, 'must be system:serviceaccount:<namespace>:<name>');
    });
    const users = [...new Map(props.users.map((u) => [`${u.kind}:${u.name}`, { kind: u.kind, name: u.name }])).values()];
    const ignored = [...new Set(props.ignoredUserGroups ?? [])];
    ignored.forEach((g, i) => checkGuid(this, `ignoredUserGroups[${i}]`, g));

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
          forceTenantPrefix: props.forceTenantPrefix ?? true,
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
      values: [stringify(this.values)],
      dependsOn: props.dependsOn,
    }));
    if (props.podDisruptionBudget ?? ha) this.podDisruptionBudget = podDisruptionBudget(this, 'capsule', this.namespace, selector, this.release);
  }
}
