import { Annotations, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { PINNED_VERSION_ALLOWED, PINNED_VERSION_RE } from './cert-manager';
import { checkGuid, checkPattern, invalid, RFC1123_LABEL_RE } from './validation';
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
  /** `Group` (Entra ID object ID) or `User` (UPN on AKS). */
  readonly kind: 'Group' | 'User';
  /** Object ID (Group) or user name (User). */
  readonly name: string;
}

export interface CapsuleOperatorProps {
  /** Capsule users: requests of these users/groups are handled by Capsule (`manager.options.users`). */
  readonly users: CapsuleUser[];
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

/** The Capsule operator (chart `capsule` from the projectcapsule OCI registry), one atomic Helm release. */
export class CapsuleOperator extends Construct {
  public readonly release: Release;
  public readonly namespace: string;
  public readonly chartVersion: string;
  public readonly certificates: CapsuleCertificates;
  /** The values passed to the chart (before token resolution). */
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: CapsuleOperatorProps) {
    super(scope, id);
    ({ chartVersion: this.chartVersion, namespace: this.namespace } = capsuleChartSettings(this, 'capsule', props));
    this.certificates = props.certificates ?? 'cert-manager';
    if (!['cert-manager', 'builtin'].includes(this.certificates)) invalid(this, 'certificates', this.certificates, 'must be "cert-manager" or "builtin"');
    if (props.users.length === 0) invalid(this, 'users', props.users, 'must list at least one Capsule user or group');
    props.users.forEach((u, i) => {
      if (u.kind !== 'Group' && u.kind !== 'User') invalid(this, `users[${i}].kind`, u.kind, 'must be "Group" or "User"');
      if (u.kind === 'Group') checkGuid(this, `users[${i}].name`, u.name);
    });

    const certificates =
      this.certificates === 'cert-manager'
        ? { certManager: { generateCertificates: true }, tls: { enableController: false, create: false } }
        : { certManager: { generateCertificates: false }, tls: { enableController: true, create: true } };
    this.values = {
      manager: {
        options: {
          forceTenantPrefix: props.forceTenantPrefix ?? true,
          users: props.users.map((u) => ({ kind: u.kind, name: u.name })),
        },
      },
      ...certificates,
    };

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
  }
}
