import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { baseEnv, envFrom, Json, resources } from './helpers';

const SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const REMOTE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-poc-cluster\.outputs\.[^}]+\}$/;

interface Synth {
  stack: CapsuleStack;
  json: Json;
  text: string;
}

function synthCapsule(mutate: (e: Json) => void = () => undefined): Synth {
  const data = baseEnv();
  mutate(data);
  const app = Testing.app();
  const cluster = new ClusterStack(app, 'poc-cluster', { env: envFrom(data, 'poc') });
  const stack = new CapsuleStack(app, 'poc-capsule', { cluster });
  // A full app synth: cross-stack references become remote state reads only there.
  app.synth();
  const text = fs.readFileSync(path.join(app.outdir, 'stacks', 'poc-capsule', 'cdk.tf.json'), 'utf8');
  return { stack, json: JSON.parse(text), text };
}

function release(json: Json, chart: string): Json {
  const r = resources(json, 'helm_release').filter((x: Json) => x.chart === chart);
  expect(r).toHaveLength(1);
  return r[0];
}

/** The release's values, parsed from its single YAML document. */
function values(json: Json, chart: string): Json {
  const r = release(json, chart);
  expect(r.values).toHaveLength(1);
  return parse(r.values[0]);
}

function releaseAddress(json: Json, chart: string): string {
  const [key] = Object.entries(json.resource.helm_release).find(([, v]) => (v as Json).chart === chart)!;
  return `helm_release.${key}`;
}

function warnings(stack: CapsuleStack): string[] {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === '@cdktf/warn')
    .map((m) => String(m.data));
}

describe('CapsuleStack defaults (POC: cert-manager, azurecli)', () => {
  const { stack, json } = synthCapsule();

  test('helm and kubernetes providers: cluster host and CA from the cluster stack, kubelogin azurecli exec', () => {
    const helm = json.provider.helm[0].kubernetes;
    const kube = json.provider.kubernetes[0];
    expect(helm.host).toMatch(REMOTE);
    expect(kube.host).toMatch(REMOTE);
    expect(helm.cluster_ca_certificate).toMatch(/^\$\{base64decode\(data\.terraform_remote_state\..*cluster_ca_certificate\)\}$/);
    const args = ['get-token', '--login', 'azurecli', '--server-id', SERVER_ID];
    expect(helm.exec).toEqual({ api_version: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args });
    expect(kube.exec).toEqual([{ api_version: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args }]);
  });

  test('no admin or static credentials in the providers', () => {
    for (const p of [json.provider.helm[0].kubernetes, json.provider.kubernetes[0]]) {
      for (const k of ['client_certificate', 'client_key', 'token', 'username', 'password', 'config_path']) expect(p[k]).toBeUndefined();
    }
    expect(JSON.stringify(json)).not.toMatch(/kube_admin_config/);
  });

  test('depends on the cluster stack', () => {
    expect(stack.dependencies).toContain(stack.cluster);
    expect(json.data.terraform_remote_state['cross-stack-reference-input-poc-cluster']).toBeDefined();
  });

  test('cert-manager: pinned jetstack chart with CRDs, its own namespace', () => {
    const r = release(json, 'cert-manager');
    expect(r).toMatchObject({ repository: 'https://charts.jetstack.io', version: 'v1.19.1', namespace: 'cert-manager', create_namespace: true });
    expect(values(json, 'cert-manager')).toEqual({ crds: { enabled: true } });
  });

  test('every release is pinned, waited for, atomic, cleaned up on failure, with a timeout', () => {
    for (const r of resources(json, 'helm_release')) {
      expect(r.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(r).toMatchObject({ wait: true, atomic: true, cleanup_on_fail: true, timeout: 600 });
    }
  });

  test('capsule-system is created once, by a namespace resource, before the releases', () => {
    const ns = resources(json, 'kubernetes_namespace_v1');
    expect(ns.map((n: Json) => n.metadata.name)).toEqual(['capsule-system']);
    expect(release(json, 'capsule').create_namespace).toBe(false);
    expect(release(json, 'capsule-proxy').create_namespace).toBe(false);
  });

  test('Capsule 0.14.0 from the projectcapsule OCI registry, after the namespace and cert-manager', () => {
    const r = release(json, 'capsule');
    expect(r).toMatchObject({ name: 'capsule', repository: 'oci://ghcr.io/projectcapsule/charts', version: '0.14.0', namespace: 'capsule-system' });
    expect(r.depends_on).toHaveLength(2);
    expect(r.depends_on).toEqual(expect.arrayContaining([releaseAddress(json, 'cert-manager'), expect.stringMatching(/^kubernetes_namespace_v1\./)]));
  });

  test('Capsule values: forceTenantPrefix, the Capsule users group by object ID, cert-manager certificates', () => {
    const v = values(json, 'capsule');
    expect(v.manager.options.forceTenantPrefix).toBe(true);
    expect(v.manager.options.users).toHaveLength(1);
    expect(v.manager.options.users[0].kind).toBe('Group');
    expect(v.manager.options.users[0].name).toMatch(REMOTE);
    expect(v.manager.options.users[0].name).toMatch(/azuread_groupentra_group-capsule_/);
    expect(v.manager.options.capsuleUserGroups).toBeUndefined();
    expect(v.certManager).toEqual({ generateCertificates: true });
    expect(v.tls).toEqual({ enableController: false, create: false });
  });

  test('capsule-proxy 0.14.0, its own release, after Capsule', () => {
    const r = release(json, 'capsule-proxy');
    expect(r).toMatchObject({ name: 'capsule-proxy', repository: 'oci://ghcr.io/projectcapsule/charts', version: '0.14.0', namespace: 'capsule-system' });
    expect(r.depends_on).toEqual([releaseAddress(json, 'capsule')]);
  });

  test('capsule-proxy values: LoadBalancer on 443 with the DNS label, FQDN in the cert-manager certificate, admins ignored', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.service).toEqual({ type: 'LoadBalancer', port: 443, annotations: { 'service.beta.kubernetes.io/azure-dns-label-name': 'capsule-proxy' } });
    expect(v.certManager).toEqual({ generateCertificates: true, certificate: { dnsNames: ['capsule-proxy.francecentral.cloudapp.azure.com'] } });
    expect(v.options.generateCertificates).toBe(false);
    expect(v.options.ignoredUserGroups).toHaveLength(1);
    expect(v.options.ignoredUserGroups[0]).toMatch(/azuread_groupentra_group-admin_/);
    expect(v.options.additionalSANs).toBeUndefined();
  });

  test('public interface for the tenants stack', () => {
    expect(stack.proxyFqdn).toBe('capsule-proxy.francecentral.cloudapp.azure.com');
    expect(stack.proxyHost).toBe('capsule-proxy.francecentral.cloudapp.azure.com');
    expect(stack.proxyUrl).toBe('https://capsule-proxy.francecentral.cloudapp.azure.com:443');
    expect(stack.proxyCa).toEqual({ kind: 'secret', namespace: 'capsule-system', name: 'capsule-proxy', key: 'ca.crt' });
    expect(stack.capsuleRelease).toBe(stack.capsule.release);
    expect(stack.namespaceName).toBe('capsule-system');
  });

  test('outputs: proxy URL, FQDN, CA location', () => {
    expect(json.output.proxy_url.value).toBe('https://capsule-proxy.francecentral.cloudapp.azure.com:443');
    expect(json.output.proxy_fqdn.value).toBe('capsule-proxy.francecentral.cloudapp.azure.com');
    expect(JSON.parse(json.output.proxy_ca.value)).toEqual(stack.proxyCa);
  });

  test('only warning: the proxy is open to any address (the POC has no authorized ranges)', () => {
    expect(warnings(stack)).toEqual([expect.stringMatching(/^\[CAKS010\] the capsule-proxy LoadBalancer is reachable from any address/)]);
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-allowed-ip-ranges']).toBeUndefined();
  });
});

describe('CapsuleStack with an empty capsule section', () => {
  const { stack, json } = synthCapsule((e) => delete e.capsule);

  test('forceTenantPrefix defaults to true', () => expect(values(json, 'capsule').manager.options.forceTenantPrefix).toBe(true));
  test('dnsLabel defaults to capsule-proxy-<env>', () => {
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toBe('capsule-proxy-poc');
    expect(stack.proxyFqdn).toBe('capsule-proxy-poc.francecentral.cloudapp.azure.com');
  });
  test('cert-manager is installed by default', () => expect(release(json, 'cert-manager').version).toBe('v1.19.1'));
});

describe('CapsuleStack options', () => {
  test('forceTenantPrefix false is passed through', () => {
    const { json } = synthCapsule((e) => (e.capsule = { forceTenantPrefix: false }));
    expect(values(json, 'capsule').manager.options.forceTenantPrefix).toBe(false);
  });

  test('chart versions from the environment', () => {
    const { json } = synthCapsule((e) => (e.capsule = { chartVersion: '0.14.1', certManager: { chartVersion: 'v1.19.2' }, proxy: { chartVersion: '0.14.2' } }));
    expect(release(json, 'capsule').version).toBe('0.14.1');
    expect(release(json, 'capsule-proxy').version).toBe('0.14.2');
    expect(release(json, 'cert-manager').version).toBe('v1.19.2');
  });

  test('custom hostnames: in the certificate after the FQDN; the first one is the proxy host', () => {
    const { stack, json } = synthCapsule((e) => (e.capsule.proxy.hostnames = ['capsule.example.com', 'k8s.example.com']));
    expect(values(json, 'capsule-proxy').certManager.certificate.dnsNames).toEqual([
      'capsule-proxy.francecentral.cloudapp.azure.com',
      'capsule.example.com',
      'k8s.example.com',
    ]);
    expect(stack.proxyHost).toBe('capsule.example.com');
    expect(stack.proxyUrl).toBe('https://capsule.example.com:443');
    expect(stack.proxyFqdn).toBe('capsule-proxy.francecentral.cloudapp.azure.com');
  });

  test('the proxy is limited to the API server authorized ranges by default', () => {
    const { stack: s2, json: j } = synthCapsule((e) => (e.cluster.authorizedIpRanges = ['203.0.113.0/24', '198.51.100.10/32']));
    expect(values(j, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-allowed-ip-ranges']).toBe('203.0.113.0/24,198.51.100.10/32');
    expect(warnings(s2).filter((w) => w.includes('capsule-proxy'))).toEqual([]);
  });

  test('proxy.allowedIpRanges overrides the authorized ranges', () => {
    const { json: j } = synthCapsule((e) => {
      e.cluster.authorizedIpRanges = ['203.0.113.0/24'];
      e.capsule.proxy.allowedIpRanges = ['192.0.2.0/24'];
    });
    expect(values(j, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-allowed-ip-ranges']).toBe('192.0.2.0/24');
  });

  test('cert-manager not installed when certManager.install is false, with a warning', () => {
    const { stack, json } = synthCapsule((e) => (e.capsule.certManager = { install: false }));
    expect(resources(json, 'helm_release').map((r: Json) => r.chart).sort()).toEqual(['capsule', 'capsule-proxy']);
    expect(release(json, 'capsule').depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\./)]);
    expect(warnings(stack).some((w) => w.includes('cert-manager must already be installed'))).toBe(true);
  });

  test('protected environment and azurerm backend: remote state read from the storage account', () => {
    const { json } = synthCapsule((e) => {
      e.state = { backend: 'azurerm', resourceGroupName: 'tfstate', storageAccountName: 'tfstateacct', containerName: 'tfstate', keyPrefix: 'capsule/' };
    });
    expect(json.terraform.backend.azurerm.key).toBe('capsule/poc-capsule.tfstate');
    expect(json.data.terraform_remote_state['cross-stack-reference-input-poc-cluster'].config.key).toBe('capsule/poc-cluster.tfstate');
  });
});

describe('CapsuleStack with built-in certificates', () => {
  const { stack, json } = synthCapsule((e) => (e.capsule.certificates = 'builtin'));

  test('no cert-manager release; Capsule depends on the namespace only', () => {
    expect(resources(json, 'helm_release').map((r: Json) => r.chart).sort()).toEqual(['capsule', 'capsule-proxy']);
    expect(release(json, 'capsule').depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\./)]);
  });

  test('Capsule values: TLS controller creates the certificates, cert-manager off', () => {
    const v = values(json, 'capsule');
    expect(v.certManager).toEqual({ generateCertificates: false });
    expect(v.tls).toEqual({ enableController: true, create: true });
  });

  test('capsule-proxy values: self-signed certificate with the FQDN as additional SAN, cert-manager off', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.options.generateCertificates).toBe(true);
    expect(v.options.additionalSANs).toEqual(['capsule-proxy.francecentral.cloudapp.azure.com']);
    expect(v.certManager).toEqual({ generateCertificates: false });
    expect(v.service.type).toBe('LoadBalancer');
  });

  test('the CA is the "ca" key of the generated secret', () => {
    expect(stack.proxyCa).toEqual({ kind: 'secret', namespace: 'capsule-system', name: 'capsule-proxy', key: 'ca' });
  });

  test('cert-manager can still be installed explicitly', () => {
    const { json: j } = synthCapsule((e) => (e.capsule = { certificates: 'builtin', certManager: { install: true } }));
    expect(release(j, 'cert-manager').chart).toBe('cert-manager');
    expect(values(j, 'capsule').certManager.generateCertificates).toBe(false);
  });
});

describe('CapsuleStack with a user-supplied certificate (certbot path)', () => {
  // Inside the project (certificate paths must resolve inside it), relative to it, ignored by git.
  fs.mkdirSync(path.join('node_modules', '.cache'), { recursive: true });
  const dir = fs.mkdtempSync(path.join('node_modules', '.cache', 'capsule-cert-'));
  const certFile = path.join(dir, 'fullchain.pem');
  const keyFile = path.join(dir, 'privkey.pem');
  fs.writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nTESTCERT\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nTESTKEYMATERIAL\n-----END PRIVATE KEY-----\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const { stack, json, text } = synthCapsule((e) => (e.capsule.proxy.customCertificate = { certFile, keyFile }));

  test('a TLS secret read from the files at apply time', () => {
    const secrets = resources(json, 'kubernetes_secret_v1');
    expect(secrets).toHaveLength(1);
    expect(secrets[0].type).toBe('kubernetes.io/tls');
    expect(secrets[0].metadata).toMatchObject({ name: 'capsule-proxy-tls', namespace: 'capsule-system' });
    expect(secrets[0].data).toEqual({ 'tls.crt': `\${file("../../../${certFile}")}`, 'tls.key': `\${file("../../../${keyFile}")}` });
  });

  test('the key text never appears in the synthesized JSON', () => {
    expect(text).not.toContain('TESTKEYMATERIAL');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('TESTCERT');
  });

  test('capsule-proxy uses the secret: no generated certificate, no cert-manager certificate', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.options).toMatchObject({ generateCertificates: false, certificateVolumeName: 'capsule-proxy-tls' });
    expect(v.certManager).toEqual({ generateCertificates: false });
    expect(v.options.additionalSANs).toBeUndefined();
  });

  test('the proxy release waits for the secret, the secret for Capsule', () => {
    const [secretKey] = Object.keys(json.resource.kubernetes_secret_v1);
    expect(release(json, 'capsule-proxy').depends_on.sort()).toEqual([releaseAddress(json, 'capsule'), `kubernetes_secret_v1.${secretKey}`].sort());
    expect(json.resource.kubernetes_secret_v1[secretKey].depends_on).toEqual([releaseAddress(json, 'capsule')]);
  });

  test('Capsule itself still uses cert-manager', () => {
    expect(values(json, 'capsule').certManager.generateCertificates).toBe(true);
    expect(release(json, 'cert-manager').chart).toBe('cert-manager');
  });

  test('a public certificate: clients need no CA', () => expect(stack.proxyCa).toEqual({ kind: 'public' }));

  test('with caFile the CA is stored in the secret and exposed', () => {
    const caFile = path.join(dir, 'ca.pem');
    const { stack: s, json: j } = synthCapsule((e) => (e.capsule.proxy.customCertificate = { certFile, keyFile, caFile }));
    expect(resources(j, 'kubernetes_secret_v1')[0].data['ca.crt']).toBe(`\${file("../../../${caFile}")}`);
    expect(s.proxyCa).toEqual({ kind: 'secret', namespace: 'capsule-system', name: 'capsule-proxy-tls', key: 'ca.crt' });
  });

  test('relative paths are relative to the project root, the same on every machine', () => {
    const { json: j } = synthCapsule((e) => (e.capsule.proxy.customCertificate = { certFile: 'certs/fullchain.pem', keyFile: 'certs/privkey.pem' }));
    expect(resources(j, 'kubernetes_secret_v1')[0].data['tls.key']).toBe('${file("../../../certs/privkey.pem")}');
  });
});

describe('CapsuleStack login modes', () => {
  test.each(['spn', 'workloadidentity', 'msi'] as const)('%s: both providers use kubelogin with that mode', (mode) => {
    const { json } = synthCapsule((e) => (e.access = { ...(e.access ?? {}), kubeloginMode: mode }));
    const args = ['get-token', '--login', mode, '--server-id', SERVER_ID];
    expect(json.provider.helm[0].kubernetes.exec.args).toEqual(args);
    expect(json.provider.kubernetes[0].exec[0].args).toEqual(args);
  });

  test('spn passes the tenant ID of the environment', () => {
    const tenantId = '00000000-0000-0000-0000-0000000000aa';
    const { json } = synthCapsule((e) => {
      e.azure = { tenantId };
      e.access = { kubeloginMode: 'spn' };
    });
    expect(json.provider.kubernetes[0].exec[0].args).toEqual(['get-token', '--login', 'spn', '--server-id', SERVER_ID, '--tenant-id', tenantId]);
  });

  test('local accounts enabled: still kubelogin, never the admin kubeconfig', () => {
    const { json, text } = synthCapsule((e) => (e.cluster.localAccountsEnabled = true));
    expect(json.provider.kubernetes[0].exec[0].command).toBe('kubelogin');
    expect(json.provider.kubernetes[0].client_key).toBeUndefined();
    expect(text).not.toMatch(/kube_admin_config/);
  });
});
