import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { checkPattern, PINNED_VERSION_ALLOWED, PINNED_VERSION_RE, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** The cert-manager chart version installed when none is given (jetstack, pinned). */
export const CERT_MANAGER_CHART_VERSION = 'v1.19.1';
/** The jetstack Helm repository. */
export const CERT_MANAGER_REPOSITORY = 'https://charts.jetstack.io';
/** A pinned chart version: `1.2.3` or `v1.2.3`, optionally with a pre-release; no ranges. */

export interface CertManagerProps {
  /**
   * Chart version of jetstack/cert-manager (pinned x.y.z).
   * @default CERT_MANAGER_CHART_VERSION ('v1.19.1')
   */
  readonly chartVersion?: string;
  /**
   * Namespace of the release; created by the release.
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * Seconds Helm waits for the release to be ready.
   * @default 600
   */
  readonly timeout?: number;
  /**
   * Resources that must exist first.
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * cert-manager from the jetstack chart, with its CRDs (`crds.enabled=true`), installed atomically and waited
 * for, so that the Capsule charts can create Issuers and Certificates right after it.
 */
export class CertManager extends Construct {
  public readonly release: Release;
  public readonly namespace: string;
  public readonly chartVersion: string;

  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    super(scope, id);
    this.chartVersion = props.chartVersion ?? CERT_MANAGER_CHART_VERSION;
    this.namespace = props.namespace ?? 'cert-manager';
    checkPattern(this, 'chartVersion', this.chartVersion, PINNED_VERSION_RE, PINNED_VERSION_ALLOWED);
    checkPattern(this, 'namespace', this.namespace, RFC1123_LABEL_RE, 'must be a Kubernetes namespace name (lowercase letters, digits and "-")');

    this.release = new Release(this, 'release', terraformLiterals(this, 'release', {
      name: 'cert-manager',
      repository: CERT_MANAGER_REPOSITORY,
      chart: 'cert-manager',
      version: this.chartVersion,
      namespace: this.namespace,
      createNamespace: true,
      wait: true,
      waitForJobs: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeout ?? 600,
      values: [stringify({ crds: { enabled: true } })],
      dependsOn: props.dependsOn,
    }));
  }
}
