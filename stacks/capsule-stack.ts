import { CapsuleMetricsScrape } from '../constructs/capsule-metrics-scrape';
import { Annotations, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { CertManager } from '../constructs/cert-manager';
import { CAPSULE_NAMESPACE, CapsuleCertificates, CapsuleOperator } from '../constructs/capsule-operator';
import { CapsuleProxy, CapsuleProxyCa } from '../constructs/capsule-proxy';
import { configureBackend } from './backend';
import { pathFromStack, projectRoot } from './project-paths';
import { projectFileProblem } from '../config/fields';
import { invalid } from '../constructs/validation';
import { ClusterStack } from './cluster-stack';
import { AksKubeProviders } from '../constructs/aks-kube-providers';
import { terraformLiterals } from '../constructs/terraform-literal';

export interface CapsuleStackProps {
  /** The environment's cluster stack: host, CA, group object IDs and the environment come from it. */
  readonly cluster: ClusterStack;
}

/**
 * `<env>-capsule`: cert-manager (unless the environment chooses the charts' built-in certificates), Capsule and
 * capsule-proxy, in this order, through kubelogin-authenticated helm/kubernetes providers.
 * Public properties are what the tenants stack needs: the proxy's URL and where its CA lives.
 */
export class CapsuleStack extends TerraformStack {
  public readonly cluster: ClusterStack;
  /** The `capsule-system` namespace (created here, once). */
  public readonly namespace: NamespaceV1;
  /** Name of the Capsule namespace. */
  public readonly namespaceName: string;
  /** cert-manager, when installed by this stack. */
  public readonly certManager?: CertManager;
  public readonly capsule: CapsuleOperator;
  /** The Capsule Helm release (depend on it before creating Tenants). */
  public readonly capsuleRelease: Release;
  public readonly proxy: CapsuleProxy;
  /** `https://<proxyHost>:443`: the server of tenant kubeconfigs. */
  public readonly proxyUrl: string;
  /** The first custom hostname (`capsule.proxy.hostnames[0]`), else {@link proxyFqdn}. */
  public readonly proxyHost: string;
  /** `<dnsLabel>.<location>.cloudapp.azure.com`. */
  public readonly proxyFqdn: string;
  /** The CA of the proxy's certificate (its public PEM, or `public`). */
  public readonly proxyCa: CapsuleProxyCa;

  constructor(scope: Construct, id: string, props: CapsuleStackProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.cluster = cluster;
    const env = cluster.environment;
    const cfg = env.capsule ?? {};
    configureBackend(this, env, id);
    this.addDependency(cluster);
    // The environment's login mode and tenant ID only (access.kubeloginMode, azure.tenantId).
    new AksKubeProviders(this, 'kube-providers', {
      host: cluster.aks.host,
      clusterCaCertificate: cluster.aks.clusterCaCertificate,
      login: env.access?.kubeloginMode,
      tenantId: env.azure?.tenantId,
    });
    // The proxy's CA (tls) and the random suffix of its default DNS label (random) live in this stack's state.
    new TlsProvider(this, 'tls', {});
    new RandomProvider(this, 'random', {});
    const protect = env.protected ?? false;

    const certificates: CapsuleCertificates = cfg.certificates ?? 'cert-manager';
    const installCertManager = cfg.certManager?.install ?? certificates === 'cert-manager';
    if (certificates === 'cert-manager' && !installCertManager) {
      Annotations.of(this).addWarning('capsule.certManager.install is false: cert-manager must already be installed in the cluster');
    }

    this.namespaceName = CAPSULE_NAMESPACE;
    this.namespace = new NamespaceV1(this, 'capsule-namespace', terraformLiterals(this, 'capsule-namespace', {
      metadata: { name: this.namespaceName, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
    }));

    if (installCertManager) this.certManager = new CertManager(this, 'cert-manager', { chartVersion: cfg.certManager?.chartVersion });

    this.capsule = new CapsuleOperator(this, 'capsule', {
      chartVersion: cfg.chartVersion,
      forceTenantPrefix: cfg.forceTenantPrefix,
      certificates,
      // The Capsule users group (its members are Capsule users), and every tenant owner by itself.
      users: [{ kind: 'Group', name: cluster.capsuleUsersGroupObjectId }, ...cluster.tenantOwnerUsers()],
      // Cluster admins stay out of Capsule's reach even when they also belong to a tenant owner group, as they pass
      // capsule-proxy unchanged (ignoredUserGroups below).
      ignoredUserGroups: [cluster.adminGroupObjectId],
      // Protected environments: no single replica of a fail-closed webhook (node upgrades drain one node at a time).
      replicas: cfg.replicas ?? (protect ? 2 : 1),
      podDisruptionBudget: cfg.podDisruptionBudget,
      // The namespace is this stack's own (construct path capsule-namespace, kept so the address never changes).
      createNamespace: false,
      dependsOn: [this.namespace, ...(this.certManager ? [this.certManager.release] : [])],
    });
    this.capsuleRelease = this.capsule.release;

    const p = cfg.proxy ?? {};
    const custom = p.customCertificate;
    this.proxy = new CapsuleProxy(this, 'capsule-proxy', {
      chartVersion: p.chartVersion,
      location: env.location,
      // Default: capsule-proxy-<random suffix kept in state>, unique per deployment (Azure labels are per region).
      dnsLabel: p.dnsLabel,
      replicas: p.replicas ?? (protect ? 2 : 1),
      podDisruptionBudget: p.podDisruptionBudget,
      ca: p.ca && { validityHours: p.ca.validityYears !== undefined ? p.ca.validityYears * 8760 : undefined, generation: p.ca.generation },
      hostnames: p.hostnames,
      // The proxy is another way to the API server: by default, the same networks as the API server.
      allowedIpRanges: p.allowedIpRanges ?? env.cluster.authorizedIpRanges,
      // ignoredUserGroups: the operator's (the cluster admins).
      certificates: custom ? 'custom' : certificates,
      // Read by Terraform at apply time: the JSON holds ${file("...")}, never the PEM text.
      customCertificate: custom && {
        certificate: Fn.file(this.projectFile('certFile', custom.certFile)),
        privateKey: Fn.file(this.projectFile('keyFile', custom.keyFile)),
        caCertificate: custom.caFile !== undefined ? Fn.file(this.projectFile('caFile', custom.caFile)) : undefined,
      },
      // Its namespace, and created after the Capsule release.
      operator: this.capsule,
    });
    this.proxyUrl = this.proxy.url;
    this.proxyHost = this.proxy.host;
    this.proxyFqdn = this.proxy.fqdn;
    this.proxyCa = this.proxy.ca;

    // Capsule and capsule-proxy metrics for managed Prometheus (its CRD exists once <env>-cluster enabled it).
    const mon = env.monitoring;
    if (mon?.managedPrometheus && mon.scrapeCapsule !== false) {
      new CapsuleMetricsScrape(this, 'metrics-scrape', { namespace: this.namespaceName, dependsOn: [this.capsuleRelease, this.proxy.release] });
    }

    new TerraformOutput(this, 'proxy_url', { value: this.proxyUrl, description: 'capsule-proxy URL (server of tenant kubeconfigs)' });
    new TerraformOutput(this, 'proxy_fqdn', { value: this.proxyFqdn, description: 'Azure DNS name of the capsule-proxy LoadBalancer' });
    // Public data only: other stacks read this state through terraform_remote_state, which copies every output.
    new TerraformOutput(this, 'proxy_ca_certificate', {
      value: this.proxyCa.kind === 'certificate' ? this.proxyCa.certificate : '',
      description: 'PEM of the CA tenant kubeconfigs trust (public; empty when the proxy has a publicly trusted certificate)',
    });
  }

  /**
   * A certificate file of the environment for Terraform's `file()`: it must resolve inside the project directory
   * (symbolic links followed), else it is refused naming the field; `file()` would read any file of the machine
   * into a Secret and the state at apply time.
   */
  private projectFile(field: 'certFile' | 'keyFile' | 'caFile', file: string): string {
    const problem = projectFileProblem(file, projectRoot(this));
    if (problem) invalid(this, `capsule.proxy.customCertificate.${field}`, file, problem);
    return pathFromStack(this, file);
  }
}
