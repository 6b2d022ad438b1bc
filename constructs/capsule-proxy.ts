import { Annotations, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-checks';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { CAPSULE_REPOSITORY, capsuleChartSettings } from './capsule-operator';
import { AZURE_LOCATIONS, AZURE_NAMES, checkCidrs, checkGuid, checkIntRange, checkPattern, DOMAIN_RE, invalid, isUnresolved } from './validation';
import { terraformLiterals } from './terraform-literal';

/**
 * Where the proxy's serving certificate comes from: `cert-manager` (a self-signed CA and a serving certificate
 * made by cert-manager), `builtin` (the chart's certgen job) or `custom` (a certificate you supply, e.g. from
 * certbot, stored in a TLS secret).
 */
export type CapsuleProxyCertificates = 'cert-manager' | 'builtin' | 'custom';

/**
 * Where clients find the CA that signed the proxy's certificate: a key of a Kubernetes secret (read it with a
 * kubernetes secret data source, after the capsule stack is applied), or `public` when the certificate chains to
 * a public CA that clients already trust.
 */
export type CapsuleProxyCa =
  | { readonly kind: 'secret'; readonly namespace: string; readonly name: string; readonly key: string }
  | { readonly kind: 'public' };

/** A user-supplied serving certificate. Pass tokens such as `Fn.file(path)`, never the PEM text itself. */
export interface CapsuleProxyCustomCertificate {
  /** PEM certificate chain (leaf first); a token, e.g. `Fn.file('/path/fullchain.pem')`. */
  readonly certificate: string;
  /** PEM private key; must be a token, e.g. `Fn.file('/path/privkey.pem')`, so it is read at apply time. */
  readonly privateKey: string;
  /**
   * PEM CA certificate for clients, when the certificate is not signed by a public CA.
   * @default none: the certificate is assumed to chain to a public CA (`proxyCa` is `{ kind: 'public' }`)
   */
  readonly caCertificate?: string;
}

export interface CapsuleProxyProps {
  /** Azure region of the cluster: the public name is `<dnsLabel>.<location>.cloudapp.azure.com`. */
  readonly location: string;
  /** Azure DNS label of the LoadBalancer's public IP (3-63 lowercase letters, digits and "-"). */
  readonly dnsLabel: string;
  /** Group object IDs whose requests capsule-proxy passes through unchanged (the cluster admins). */
  readonly ignoredUserGroups: string[];
  /**
   * Extra DNS names of the proxy (your own CNAMEs to the Azure name); put in the certificate. The first one
   * becomes `host` and `url`.
   * @default none
   */
  readonly hostnames?: string[];
  /**
   * Source of the serving certificate.
   * @default 'cert-manager'
   */
  readonly certificates?: CapsuleProxyCertificates;
  /**
   * The certificate when `certificates` is `custom` (required then, not allowed otherwise).
   * @default none
   */
  readonly customCertificate?: CapsuleProxyCustomCertificate;
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
   * Source CIDRs allowed to reach the LoadBalancer (annotation `service.beta.kubernetes.io/azure-allowed-ip-ranges`).
   * @default any address (a warning says so)
   */
  readonly allowedIpRanges?: string[];
  /**
   * Public port of the LoadBalancer service.
   * @default 443
   */
  readonly port?: number;
  /**
   * Seconds Helm waits for the release (including the LoadBalancer IP).
   * @default 600
   */
  readonly timeout?: number;
  /**
   * Resources that must exist first (the Capsule release).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The Helm release name; the chart names its Service and certificate secret after it. */
const RELEASE_NAME = 'capsule-proxy';
/** Secret holding a user-supplied certificate. */
export const CAPSULE_PROXY_CUSTOM_TLS_SECRET = 'capsule-proxy-tls';
const DNS_LABEL_ANNOTATION = 'service.beta.kubernetes.io/azure-dns-label-name';
const ALLOWED_IP_RANGES_ANNOTATION = 'service.beta.kubernetes.io/azure-allowed-ip-ranges';

/**
 * capsule-proxy (chart `capsule-proxy`), exposed by a LoadBalancer Service with an Azure DNS label, with a
 * certificate whose names include the public name and any custom hostnames.
 */
export class CapsuleProxy extends Construct {
  public readonly release: Release;
  /** The TLS secret of a user-supplied certificate (`custom` only). */
  public readonly customTlsSecret?: SecretV1;
  /** `<dnsLabel>.<location>.cloudapp.azure.com`. */
  public readonly fqdn: string;
  /** Host clients use: the first custom hostname, else {@link fqdn}. */
  public readonly host: string;
  /** `https://<host>:<port>`. */
  public readonly url: string;
  /** Where the CA that signed the serving certificate lives. */
  public readonly ca: CapsuleProxyCa;
  public readonly certificates: CapsuleProxyCertificates;
  public readonly namespace: string;
  public readonly chartVersion: string;
  /** The values passed to the chart (before token resolution). */
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: CapsuleProxyProps) {
    super(scope, id);
    ({ chartVersion: this.chartVersion, namespace: this.namespace } = capsuleChartSettings(this, 'capsule-proxy', props));
    this.certificates = props.certificates ?? 'cert-manager';
    const port = props.port ?? 443;
    const hostnames = props.hostnames ?? [];
    if (!(AZURE_LOCATIONS as readonly string[]).includes(props.location)) invalid(this, 'location', props.location, 'must be an Azure region name such as francecentral');
    checkPattern(this, 'dnsLabel', props.dnsLabel, AZURE_NAMES.dnsLabel.re, `must be ${AZURE_NAMES.dnsLabel.allowed}`);
    hostnames.forEach((h, i) => checkPattern(this, `hostnames[${i}]`, h, DOMAIN_RE, 'must be a DNS name such as capsule.example.com'));
    if (new Set(hostnames).size !== hostnames.length) invalid(this, 'hostnames', hostnames, 'must not repeat a name');
    props.ignoredUserGroups.forEach((g, i) => checkGuid(this, `ignoredUserGroups[${i}]`, g));
    checkIntRange(this, 'port', port, 1, 65535);
    checkCidrs(this, 'allowedIpRanges', props.allowedIpRanges);
    const allowed = props.allowedIpRanges ?? [];
    if (!['cert-manager', 'builtin', 'custom'].includes(this.certificates)) {
      invalid(this, 'certificates', this.certificates, 'must be "cert-manager", "builtin" or "custom"');
    }
    if (this.certificates === 'custom' && !props.customCertificate) {
      invalid(this, 'customCertificate', undefined, 'is required when certificates is "custom"');
    }
    if (this.certificates !== 'custom' && props.customCertificate) {
      invalid(this, 'customCertificate', '(given)', `is only allowed with certificates "custom", not "${this.certificates}" (the chart would generate its own certificate)`);
    }
    if (props.customCertificate && !isUnresolved(props.customCertificate.privateKey)) {
      invalid(this, 'customCertificate.privateKey', '(literal text)', 'must be a token read at apply time, such as Fn.file(path), so the key never appears in the synthesized JSON');
    }
    if (allowed.length === 0) {
      reportPolicyFinding(this, 'CAKS010', 'the capsule-proxy LoadBalancer is reachable from any address (no allowedIpRanges); Entra ID sign-in still applies');
    }
    if (props.ignoredUserGroups.length === 0) {
      Annotations.of(this).addWarning('ignoredUserGroups is empty: cluster admins going through capsule-proxy are filtered like tenant owners');
    }

    this.fqdn = `${props.dnsLabel}.${props.location}.cloudapp.azure.com`;
    this.host = hostnames[0] ?? this.fqdn;
    this.url = port === 443 ? `https://${this.host}:443` : `https://${this.host}:${port}`;
    const dnsNames = [...new Set([this.fqdn, ...hostnames])];

    let certValues: Record<string, unknown>;
    let dependsOn = props.dependsOn ?? [];
    if (this.certificates === 'cert-manager') {
      certValues = { options: { generateCertificates: false }, certManager: { generateCertificates: true, certificate: { dnsNames } } };
      this.ca = { kind: 'secret', namespace: this.namespace, name: RELEASE_NAME, key: 'ca.crt' };
    } else if (this.certificates === 'builtin') {
      certValues = { options: { generateCertificates: true, additionalSANs: dnsNames }, certManager: { generateCertificates: false } };
      // kube-webhook-certgen stores the CA under the key "ca" of the serving secret.
      this.ca = { kind: 'secret', namespace: this.namespace, name: RELEASE_NAME, key: 'ca' };
    } else {
      const c = props.customCertificate!;
      this.customTlsSecret = new SecretV1(this, 'tls', terraformLiterals(this, 'customTlsSecret', {
        metadata: { name: CAPSULE_PROXY_CUSTOM_TLS_SECRET, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': c.certificate, 'tls.key': c.privateKey, ...(c.caCertificate !== undefined ? { 'ca.crt': c.caCertificate } : {}) },
        dependsOn: props.dependsOn,
      }));
      dependsOn = [...dependsOn, this.customTlsSecret];
      certValues = {
        options: { generateCertificates: false, certificateVolumeName: CAPSULE_PROXY_CUSTOM_TLS_SECRET },
        certManager: { generateCertificates: false },
      };
      this.ca = c.caCertificate !== undefined ? { kind: 'secret', namespace: this.namespace, name: CAPSULE_PROXY_CUSTOM_TLS_SECRET, key: 'ca.crt' } : { kind: 'public' };
      Annotations.of(this).addInfo(`capsule-proxy uses your certificate: it must be valid for ${dnsNames.join(', ')}`);
    }

    const options = (certValues.options ?? {}) as Record<string, unknown>;
    this.values = {
      service: {
        type: 'LoadBalancer',
        port,
        annotations: { [DNS_LABEL_ANNOTATION]: props.dnsLabel, ...(allowed.length ? { [ALLOWED_IP_RANGES_ANNOTATION]: allowed.join(',') } : {}) },
      },
      ...certValues,
      options: { ...options, ignoredUserGroups: [...props.ignoredUserGroups] },
    };

    this.release = new Release(this, 'release', terraformLiterals(this, 'release', {
      name: RELEASE_NAME,
      repository: CAPSULE_REPOSITORY,
      chart: 'capsule-proxy',
      version: this.chartVersion,
      namespace: this.namespace,
      createNamespace: false,
      wait: true,
      waitForJobs: true,
      atomic: true,
      cleanupOnFail: true,
      timeout: props.timeout ?? 600,
      values: [stringify(this.values)],
      dependsOn,
    }));
  }
}
