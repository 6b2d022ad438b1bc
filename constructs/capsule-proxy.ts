import { Annotations, DataResource, Fn, ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { reportPolicyFinding } from './policy-finding';
import { stringify } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { StringResource } from '@cdktf/provider-random/lib/string-resource';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { SelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { CAPSULE_REPOSITORY, capsuleChartSettings, CapsuleOperator, podDisruptionBudget } from './capsule-operator';
import { EntraObjectRef, entraObjectId } from './entra-directory';
import { TenantKubeconfig, TenantKubeconfigProps } from './tenant-kubeconfig';
import { AZURE_LOCATIONS, AZURE_NAMES, checkCidrs, checkGuid, checkIntRange, checkPattern, DOMAIN_RE, invalid, isUnresolved } from './validation';
import { terraformLiterals } from './terraform-literal';

/**
 * Where the proxy's serving certificate comes from: `cert-manager` (signed by the construct's long-lived CA,
 * issued and rotated by cert-manager), `builtin` (signed by the same kind of CA, issued by Terraform; no
 * cert-manager needed) or `custom` (a certificate you supply, e.g. from certbot, stored in a TLS secret).
 */
export type CapsuleProxyCertificates = 'cert-manager' | 'builtin' | 'custom';

/**
 * The CA clients must trust for the proxy: its PEM certificate (public data; a token such as the CA resource's
 * `cert_pem` or `Fn.file(path)`), or `public` when the certificate chains to a public CA that clients already
 * trust. Never a reference to a Secret: nothing needs to read the cluster's secrets to build a kubeconfig.
 */
export type CapsuleProxyCa = { readonly kind: 'certificate'; readonly certificate: string } | { readonly kind: 'public' };

/** The CA made by the construct (modes `cert-manager` and `builtin`). */
export interface CapsuleProxyCaOptions {
  /**
   * Validity of the CA certificate in hours; at least 5 years (43800 h), at most 30 years. The CA is not renewed
   * automatically: kubeconfigs embed it, so it must outlive them. Rotate it on purpose with `generation`.
   * @default 87600 (10 years)
   */
  readonly validityHours?: number;
  /**
   * Generation of the CA: raise it (1 -> 2) to replace the CA key and certificate on the next deploy; the serving
   * certificate is then re-issued under the new CA, and every kubeconfig must be redistributed.
   * @default 1
   */
  readonly generation?: number;
}

/** Lifetimes chosen for the project's CA and the Terraform-issued serving certificate (`builtin`). */
export const PROXY_CA_VALIDITY_HOURS = 87600;
export const PROXY_CA_MIN_VALIDITY_HOURS = 43800;
/** `builtin` serving certificate: one year, re-issued by any deploy in its last 90 days. */
export const PROXY_BUILTIN_CERT_VALIDITY_HOURS = 8760;
export const PROXY_BUILTIN_CERT_RENEWAL_HOURS = 2160;
/** The default DNS label's prefix; a random suffix kept in state makes it unique per deployment. */
export const DEFAULT_DNS_LABEL_PREFIX = 'capsule-proxy';

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
  /**
   * Azure DNS label of the LoadBalancer's public IP (3-63 lowercase letters, digits and "-"). Labels are unique per
   * region across all Azure customers: a fixed name may be taken already (the public IP is then never made).
   * @default `<dnsLabelPrefix>-<8 random characters>`, the suffix kept in the Terraform state (stable across deploys)
   */
  readonly dnsLabel?: string;
  /**
   * Prefix of the default DNS label (ignored when `dnsLabel` is given); at most 54 characters.
   * @default 'capsule-proxy'
   */
  readonly dnsLabelPrefix?: string;
  /**
   * The CA the construct makes for modes `cert-manager` and `builtin` (not allowed with `custom`).
   * @default 10 years, generation 1
   */
  readonly ca?: CapsuleProxyCaOptions;
  /**
   * Replicas of capsule-proxy (chart `replicaCount`); with more than one, leader election is on and replicas are
   * spread over nodes.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * A PodDisruptionBudget (`maxUnavailable: 1`) for the proxy pods, so node drains keep one running.
   * @default true when `replicas` > 1
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * The Capsule operator this proxy serves: the release goes into the operator's namespace and is created after the
   * operator's release, and `ignoredUserGroups` defaults to the operator's.
   * @default none (give `namespace`, `ignoredUserGroups` and `dependsOn` yourself)
   */
  readonly operator?: CapsuleOperator;
  /**
   * Groups whose requests capsule-proxy passes through unchanged (the cluster admins): object IDs, or the groups
   * themselves (anything with an `objectId`).
   * @default the operator's `ignoredUserGroups` when `operator` is given, else none (a warning says so)
   */
  readonly ignoredUserGroups?: EntraObjectRef[];
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
   * Namespace of the release; must exist. With `operator`, it must be the operator's namespace (or be left out).
   * @default the operator's namespace when `operator` is given, else 'capsule-system'
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
   * Resources that must exist first (the Capsule release, unless `operator` is given).
   * @default the operator's release when `operator` is given, else none
   */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Run capsule-proxy with `--feature-gates=ProxyClusterScoped=true`: owners' access to cluster-scoped resources
   * (storage/ingress/priority classes, nodes, …) then comes from GlobalProxySettings (which CapsuleTenant makes for
   * the tenant's allowed classes), and the Tenant owners' `proxySettings` are ignored (capsule-proxy v0.14.0
   * internal/features/features.go ProxyClusterScoped; internal/tenant/proxytenant.go NewProxyTenant).
   * @default true
   */
  readonly clusterScopedProxySettings?: boolean;
}

/** Options of {@link CapsuleProxy.addKubeconfig}: a tenant kubeconfig without the proxy's URL and CA, which come from the proxy. */
export interface CapsuleProxyKubeconfigOptions extends Omit<TenantKubeconfigProps, 'server' | 'caCertificate'> {
  /**
   * Where the {@link TenantKubeconfig} construct goes, e.g. the stack that outputs or publishes the kubeconfig.
   * @default this proxy
   */
  readonly scope?: Construct;
}

/** The Helm release name; the chart names its Service and certificate secret after it. */
const RELEASE_NAME = 'capsule-proxy';
/** Secret holding a user-supplied certificate. */
export const CAPSULE_PROXY_CUSTOM_TLS_SECRET = 'capsule-proxy-tls';
const DNS_LABEL_ANNOTATION = 'service.beta.kubernetes.io/azure-dns-label-name';
const ALLOWED_IP_RANGES_ANNOTATION = 'service.beta.kubernetes.io/azure-allowed-ip-ranges';

/** Secret holding the construct's CA (`tls.crt` + `tls.key`, the format of a cert-manager CA issuer). */
export const CAPSULE_PROXY_CA_SECRET = 'capsule-proxy-ca';

/**
 * capsule-proxy (chart `capsule-proxy`), exposed by a LoadBalancer Service with an Azure DNS label, with a
 * certificate whose names include the public name and any custom hostnames.
 *
 * Certificates (modes `cert-manager` and `builtin`): the construct makes a long-lived CA with the tls provider
 * (ECDSA P-256, 10 years by default, never renewed automatically) and stores it as the Secret `capsule-proxy-ca`.
 * Its certificate (public) is {@link ca}: kubeconfigs embed it, so they keep working while the serving certificate
 * rotates. The CA private key is in the Terraform state of the stack holding this construct (and in that Secret),
 * nowhere else. The stack needs the `tls` and `random` providers.
 */
export class CapsuleProxy extends Construct {
  public readonly release: Release;
  /** The TLS secret of the serving certificate when it is not made by cert-manager (`custom`, `builtin`). */
  public readonly customTlsSecret?: SecretV1;
  /** The CA's Secret (`cert-manager`, `builtin`). */
  public readonly caSecret?: SecretV1;
  /** The CA certificate (`cert-manager`, `builtin`). */
  public readonly caCertificate?: SelfSignedCert;
  /** The random suffix of the default DNS label (when `dnsLabel` is not given). */
  public readonly dnsLabelSuffix?: StringResource;
  /** The DNS label (a token when it has a random suffix). */
  public readonly dnsLabel: string;
  /** `<dnsLabel>.<location>.cloudapp.azure.com`. */
  public readonly fqdn: string;
  /** Host clients use: the first custom hostname, else {@link fqdn}. */
  public readonly host: string;
  /** `https://<host>:<port>`. */
  public readonly url: string;
  /** The CA that signed the serving certificate (public data), or `public`. */
  public readonly ca: CapsuleProxyCa;
  public readonly certificates: CapsuleProxyCertificates;
  public readonly namespace: string;
  public readonly chartVersion: string;
  public readonly replicas: number;
  /** The PodDisruptionBudget of the proxy pods (see `podDisruptionBudget`). */
  public readonly podDisruptionBudget?: PodDisruptionBudgetV1;
  /** The values passed to the chart (before token resolution). */
  public readonly values: Record<string, unknown>;
  /**
   * PEM of the CA a kubeconfig for this proxy trusts (`certificate-authority-data`, base64-encoded); public data.
   * Undefined when the certificate chains to a public CA (a custom certificate without `caCertificate`).
   */
  public readonly caCertificatePem?: string;

  constructor(scope: Construct, id: string, props: CapsuleProxyProps) {
    super(scope, id);
    const operator = props.operator;
    if (operator !== undefined && !(operator instanceof CapsuleOperator)) invalid(this, 'operator', String(operator), 'must be a CapsuleOperator construct');
    if (operator && props.namespace !== undefined && props.namespace !== operator.namespace) {
      invalid(this, 'namespace', props.namespace, `must be the operator's namespace "${operator.namespace}" (${operator.node.path}), or be left out`);
    }
    ({ chartVersion: this.chartVersion, namespace: this.namespace } = capsuleChartSettings(this, 'capsule-proxy', { chartVersion: props.chartVersion, namespace: props.namespace ?? operator?.namespace }));
    const ignoredUserGroups = (props.ignoredUserGroups ?? operator?.ignoredUserGroups ?? []).map(entraObjectId);
    // The operator's release first (it creates the namespace, or depends on what does), then anything given.
    const before: ITerraformDependable[] | undefined = operator ? [operator.release, ...(props.dependsOn ?? [])] : props.dependsOn;
    this.certificates = props.certificates ?? 'cert-manager';
    const port = props.port ?? 443;
    const hostnames = props.hostnames ?? [];
    this.replicas = props.replicas ?? 1;
    if (!(AZURE_LOCATIONS as readonly string[]).includes(props.location)) invalid(this, 'location', props.location, 'must be an Azure region name such as francecentral');
    checkPattern(this, 'dnsLabel', props.dnsLabel, AZURE_NAMES.dnsLabel.re, `must be ${AZURE_NAMES.dnsLabel.allowed}`);
    if (props.dnsLabelPrefix !== undefined && props.dnsLabel === undefined) {
      checkPattern(this, 'dnsLabelPrefix', props.dnsLabelPrefix, /^[a-z][a-z0-9-]{0,53}$/, '1-54 lowercase letters, digits and "-", starting with a letter (8 random characters are appended)');
    }
    hostnames.forEach((h, i) => checkPattern(this, `hostnames[${i}]`, h, DOMAIN_RE, 'must be a DNS name such as capsule.example.com'));
    if (new Set(hostnames).size !== hostnames.length) invalid(this, 'hostnames', hostnames, 'must not repeat a name');
    ignoredUserGroups.forEach((g, i) => checkGuid(this, `ignoredUserGroups[${i}]`, g));
    checkIntRange(this, 'port', port, 1, 65535);
    checkIntRange(this, 'replicas', this.replicas, 1, 10);
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
    if (this.certificates === 'custom' && props.ca) {
      invalid(this, 'ca', '(given)', 'is only allowed with certificates "cert-manager" or "builtin" (a custom certificate brings its own CA)');
    }
    if (props.customCertificate && !isUnresolved(props.customCertificate.privateKey)) {
      invalid(this, 'customCertificate.privateKey', '(literal text)', 'must be a token read at apply time, such as Fn.file(path), so the key never appears in the synthesized JSON');
    }
    const caValidity = props.ca?.validityHours ?? PROXY_CA_VALIDITY_HOURS;
    const caGeneration = props.ca?.generation ?? 1;
    checkIntRange(this, 'ca.validityHours', caValidity, PROXY_CA_MIN_VALIDITY_HOURS, 30 * 8760);
    checkIntRange(this, 'ca.generation', caGeneration, 1, 1000);
    if (allowed.length === 0) {
      reportPolicyFinding(this, 'CAKS010', 'the capsule-proxy LoadBalancer is reachable from any address (no allowedIpRanges); Entra ID sign-in still applies', {
        fix: 'set allowedIpRanges',
      });
    }
    if (ignoredUserGroups.length === 0) {
      Annotations.of(this).addWarning('ignoredUserGroups is empty: cluster admins going through capsule-proxy are filtered like tenant owners');
    }
    if (props.dnsLabel === DEFAULT_DNS_LABEL_PREFIX) {
      Annotations.of(this).addWarning(
        `dnsLabel "${DEFAULT_DNS_LABEL_PREFIX}" is the bare default name: Azure DNS labels are unique per region across all customers and this one is taken in francecentral (the public IP would never be created); leave dnsLabel out for a unique label`,
      );
    }

    if (props.dnsLabel !== undefined) {
      this.dnsLabel = props.dnsLabel;
    } else {
      // Unique per deployment, stable across deploys (kept in state): lowercase letters and digits only.
      this.dnsLabelSuffix = new StringResource(this, 'dns-label-suffix', { length: 8, special: false, upper: false, lower: true, numeric: true });
      this.dnsLabel = `${props.dnsLabelPrefix ?? DEFAULT_DNS_LABEL_PREFIX}-${this.dnsLabelSuffix.result}`;
    }
    this.fqdn = `${this.dnsLabel}.${props.location}.cloudapp.azure.com`;
    this.host = hostnames[0] ?? this.fqdn;
    this.url = port === 443 ? `https://${this.host}:443` : `https://${this.host}:${port}`;
    const dnsNames = [...new Set([this.fqdn, ...hostnames])];

    let certValues: Record<string, unknown>;
    let dependsOn = before ?? [];
    const labels = { 'app.kubernetes.io/managed-by': 'capsule-aks' };
    let ca: CapsuleProxyCa | undefined;
    let caKey: PrivateKey | undefined;
    if (this.certificates === 'cert-manager' || this.certificates === 'builtin') {
      // The CA the kubeconfigs trust: made here, long-lived, its key never rotated by a controller. cert-manager's
      // self-signed CA of the chart would be a 90-day certificate with a new key at each renewal (cert-manager
      // defaults; rotationPolicy Always since v1.18), which breaks every issued kubeconfig.
      const generation = new DataResource(this, 'ca-generation', { input: { generation: caGeneration } });
      caKey = new PrivateKey(this, 'ca-key', { algorithm: 'ECDSA', ecdsaCurve: 'P256', lifecycle: { replaceTriggeredBy: [generation] } });
      this.caCertificate = new SelfSignedCert(this, 'ca', terraformLiterals(this, 'ca', {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        subject: [{ commonName: 'capsule-proxy CA', organization: 'capsule-aks' }],
        validityPeriodHours: caValidity,
        // No early renewal: the CA changes only when it expires or its generation is raised.
        earlyRenewalHours: 0,
        allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
      }));
      this.caSecret = new SecretV1(this, 'ca-secret', terraformLiterals(this, 'ca-secret', {
        metadata: { name: CAPSULE_PROXY_CA_SECRET, namespace: this.namespace, labels },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': this.caCertificate.certPem, 'tls.key': caKey.privateKeyPem },
        dependsOn: before,
      }));
      ca = { kind: 'certificate', certificate: this.caCertificate.certPem };
      dependsOn = [...dependsOn, this.caSecret];
    }
    if (this.certificates === 'cert-manager') {
      // capsule-proxy chart v0.14.0 templates/certmanager.yaml: with certManager.externalCA.enabled the chart makes no
      // self-signed CA (line 2) and its CA Issuer signs with the Secret externalCA.secretName (lines 45-57,
      // _helpers.tpl caSecretName); the serving Certificate (lines 60-113) keeps cert-manager's defaults (90 days,
      // renewed at 2/3, new key) and is hot-reloaded by the proxy (internal/webserver/webserver.go:212, certwatcher).
      // Its commonName carries the CA generation so that a CA rotation re-issues it at once: cert-manager v1.19.1
      // re-issues when the current CertificateRequest no longer matches the spec (trigger policy chain,
      // internal/controller/certificates/policies/policies.go, CurrentCertificateRequestMismatchesSpec).
      certValues = {
        options: { generateCertificates: false },
        certManager: {
          generateCertificates: true,
          externalCA: { enabled: true, secretName: CAPSULE_PROXY_CA_SECRET },
          certificate: { dnsNames, fields: { commonName: `capsule-proxy (CA generation ${caGeneration})` } },
        },
      };
    } else if (this.certificates === 'builtin') {
      // No cert-manager: the serving certificate is signed by the same CA here, valid one year and re-issued by any
      // deploy in its last 90 days (the proxy hot-reloads the mounted Secret). The chart's certgen job is not used: its
      // CA lives only in a Secret, which a kubeconfig could only get by reading that Secret into Terraform state.
      const key = new PrivateKey(this, 'serving-key', { algorithm: 'ECDSA', ecdsaCurve: 'P256' });
      const csr = new CertRequest(this, 'serving-csr', terraformLiterals(this, 'serving-csr', { privateKeyPem: key.privateKeyPem, dnsNames, subject: [{ commonName: dnsNames[0], organization: 'capsule-aks' }] }));
      const cert = new LocallySignedCert(this, 'serving-cert', {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: caKey!.privateKeyPem,
        caCertPem: this.caCertificate!.certPem,
        validityPeriodHours: PROXY_BUILTIN_CERT_VALIDITY_HOURS,
        earlyRenewalHours: PROXY_BUILTIN_CERT_RENEWAL_HOURS,
        allowedUses: ['digital_signature', 'key_encipherment', 'server_auth'],
      });
      this.customTlsSecret = new SecretV1(this, 'tls', terraformLiterals(this, 'tls', {
        metadata: { name: CAPSULE_PROXY_CUSTOM_TLS_SECRET, namespace: this.namespace, labels },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': cert.certPem, 'tls.key': key.privateKeyPem, 'ca.crt': this.caCertificate!.certPem },
        dependsOn: before,
      }));
      dependsOn = [...dependsOn, this.customTlsSecret];
      certValues = {
        options: { generateCertificates: false, certificateVolumeName: CAPSULE_PROXY_CUSTOM_TLS_SECRET },
        certManager: { generateCertificates: false },
      };
    } else {
      const c = props.customCertificate!;
      this.customTlsSecret = new SecretV1(this, 'tls', terraformLiterals(this, 'customTlsSecret', {
        metadata: { name: CAPSULE_PROXY_CUSTOM_TLS_SECRET, namespace: this.namespace, labels },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': c.certificate, 'tls.key': c.privateKey, ...(c.caCertificate !== undefined ? { 'ca.crt': c.caCertificate } : {}) },
        dependsOn: before,
      }));
      dependsOn = [...dependsOn, this.customTlsSecret];
      certValues = {
        options: { generateCertificates: false, certificateVolumeName: CAPSULE_PROXY_CUSTOM_TLS_SECRET },
        certManager: { generateCertificates: false },
      };
      ca = c.caCertificate !== undefined ? { kind: 'certificate', certificate: c.caCertificate } : { kind: 'public' };
      Annotations.of(this).addInfo(`capsule-proxy uses your certificate: it must be valid for ${dnsNames.join(', ')}`);
    }

    this.ca = ca!;
    if (this.ca.kind === 'certificate') this.caCertificatePem = this.ca.certificate;

    // Several replicas: the chart asks for leader election (values.yaml options.leaderElection) and they are spread
    // over nodes; pods are selected as the chart's Deployment selects them (templates/deployment.yaml: component
    // "proxy" + _helpers.tpl capsule-proxy.selectorLabels, release name = chart name).
    const selector = { 'app.kubernetes.io/name': 'capsule-proxy', 'app.kubernetes.io/instance': RELEASE_NAME, 'app.kubernetes.io/component': 'proxy' };
    const ha = this.replicas > 1;
    const options = (certValues.options ?? {}) as Record<string, unknown>;
    this.values = {
      service: {
        type: 'LoadBalancer',
        port,
        annotations: { [DNS_LABEL_ANNOTATION]: this.dnsLabel, ...(allowed.length ? { [ALLOWED_IP_RANGES_ANNOTATION]: allowed.join(',') } : {}) },
      },
      ...certValues,
      options: {
        ...options,
        ignoredUserGroups: [...ignoredUserGroups],
        ...(ha ? { leaderElection: true } : {}),
        ...(props.clusterScopedProxySettings ?? true ? { extraArgs: ['--feature-gates=ProxyClusterScoped=true'] } : {}),
      },
      ...(ha ? { replicaCount: this.replicas, topologySpreadConstraints: [spreadOverNodes(selector)] } : {}),
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
    if (props.podDisruptionBudget ?? ha) this.podDisruptionBudget = podDisruptionBudget(this, RELEASE_NAME, this.namespace, selector, this.release);
  }

  /**
   * `nonsensitive(value)`, one token per value: the kubeconfigs of hundreds of tenants share the same three, which
   * synth then resolves once per stack instead of once per tenant (the JSON is the same).
   */
  private unmarked(value: string): string {
    const known = this.unmarkedValues.get(value);
    if (known !== undefined) return known;
    const token = Fn.nonsensitive(value);
    this.unmarkedValues.set(value, token);
    return token;
  }
  private readonly unmarkedValues = new Map<string, string>();

  /**
   * A kubeconfig for a tenant through this proxy ({@link TenantKubeconfig}, construct ID `id` under
   * `options.scope`): its server is {@link url} and it trusts {@link caCertificatePem}, so nobody reads the CA from
   * the cluster. It holds no credentials (kubelogin signs in when kubectl runs).
   *
   * In another stack, the URL and the CA certificate reach it through cdktf cross-stack outputs, which are marked
   * sensitive; both are public data, so they are unmarked there (`nonsensitive`, Terraform 1.7 or later) and can go
   * into a plain output. So is `tenantId` when it is a reference. A custom certificate's `caCertificate` is used as
   * given.
   */
  public addKubeconfig(id: string, options: CapsuleProxyKubeconfigOptions): TenantKubeconfig {
    const { scope = this, ...props } = options;
    if (!(scope instanceof Construct)) invalid(this, `addKubeconfig(${JSON.stringify(id)}).scope`, String(scope), 'must be a construct');
    const elsewhere = TerraformStack.of(scope) !== TerraformStack.of(this);
    const plain = (v: string) => (elsewhere && Token.isUnresolved(v) ? this.unmarked(v) : v);
    const ca = this.caCertificatePem;
    return new TenantKubeconfig(scope, id, {
      ...props,
      // The Entra tenant ID is public too, and a reference to it usually comes from another stack (AksCluster.tenantId).
      tenantId: props.tenantId !== undefined && Token.isUnresolved(props.tenantId) ? this.unmarked(props.tenantId) : props.tenantId,
      server: plain(this.url),
      caCertificate: ca === undefined || this.certificates === 'custom' ? ca : plain(ca),
    });
  }
}

/** A topology spread constraint that prefers one replica per node. */
export function spreadOverNodes(matchLabels: Record<string, string>): Record<string, unknown> {
  return { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels } };
}
