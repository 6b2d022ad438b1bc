import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DefaultTokenResolver, StringConcat, Testing, Tokenization } from 'cdktf';
import { parse } from 'yaml';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { TenantsStack } from '../stacks/tenants-stack';
import { baseEnv, envFrom, Json, resources } from './helpers';

const SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const REMOTE = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-poc-cluster\.outputs\.[^}]+\}$/;
/** The default DNS label: capsule-proxy-<random suffix kept in state>. */
const LABEL = /^capsule-proxy-\$\{random_string\.capsule-proxy_dns-label-suffix_[0-9A-F]+\.result\}$/;
const FQDN = new RegExp(`${LABEL.source.slice(1, -1)}\\.francecentral\\.cloudapp\\.azure\\.com`);

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

/** A value with tokens, as Terraform will see it from `stack`. */
function resolve(stack: CapsuleStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, resolver: new DefaultTokenResolver(new StringConcat()) });
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

  test('Capsule values: forceTenantPrefix, the Capsule users group and every tenant owner group by object ID, cert-manager certificates', () => {
    const v = values(json, 'capsule');
    expect(v.manager.options.forceTenantPrefix).toBe(true);
    // Issue 12.5: each owner group (dev, staging) is a Capsule user by itself, not through nested membership.
    expect(v.manager.options.users).toHaveLength(3);
    for (const u of v.manager.options.users) {
      expect(u.kind).toBe('Group');
      expect(u.name).toMatch(REMOTE);
    }
    expect(v.manager.options.users.map((u: Json) => u.name.match(/azuread_groupentra_group-([a-z]+)_/)[1])).toEqual(['capsule', 'dev', 'staging']);
    expect(v.manager.options.capsuleUserGroups).toBeUndefined();
    expect(v.certManager).toEqual({ generateCertificates: true });
    expect(v.tls).toEqual({ enableController: false, create: false });
  });

  test('cluster admins are never Capsule users: the admin group is in manager.options.ignoreUserWithGroups', () => {
    // An admin who is also in a tenant owner group would otherwise be a Capsule user (capsule v0.14.0
    // pkg/users/is_capsule_user.go:59-67) and could no longer create namespaces outside the tenants.
    const v = values(json, 'capsule');
    expect(v.manager.options.ignoreUserWithGroups).toHaveLength(1);
    expect(v.manager.options.ignoreUserWithGroups[0]).toMatch(/azuread_groupentra_group-admin_/);
  });

  test('capsule-proxy 0.14.0, its own release, after Capsule and the CA secret', () => {
    const r = release(json, 'capsule-proxy');
    expect(r).toMatchObject({ name: 'capsule-proxy', repository: 'oci://ghcr.io/projectcapsule/charts', version: '0.14.0', namespace: 'capsule-system' });
    expect(r.depends_on).toEqual([releaseAddress(json, 'capsule'), expect.stringMatching(/^kubernetes_secret_v1\.capsule-proxy_ca-secret_/)]);
  });

  test('capsule-proxy values: LoadBalancer on 443 with the DNS label, FQDN in the cert-manager certificate, admins ignored', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.service).toEqual({ type: 'LoadBalancer', port: 443, annotations: { 'service.beta.kubernetes.io/azure-dns-label-name': expect.stringMatching(LABEL) } });
    expect(v.certManager.certificate.dnsNames).toEqual([expect.stringMatching(new RegExp(`^${FQDN.source}$`))]);
    expect(v.options.generateCertificates).toBe(false);
    expect(v.options.ignoredUserGroups).toHaveLength(1);
    expect(v.options.ignoredUserGroups[0]).toMatch(/azuread_groupentra_group-admin_/);
    expect(v.options.additionalSANs).toBeUndefined();
  });

  test('public interface for the tenants stack', () => {
    expect(resolve(stack, stack.proxyFqdn)).toMatch(new RegExp(`^${FQDN.source}$`));
    expect(stack.proxyHost).toBe(stack.proxyFqdn);
    expect(resolve(stack, stack.proxyUrl)).toMatch(new RegExp(`^https://${FQDN.source}:443$`));
    expect(stack.proxyCa.kind).toBe('certificate');
    expect(resolve(stack, stack.proxyCa.kind === 'certificate' && stack.proxyCa.certificate)).toMatch(/^\$\{tls_self_signed_cert\.capsule-proxy_ca_[0-9A-F]+\.cert_pem\}$/);
    expect(stack.capsuleRelease).toBe(stack.capsule.release);
    expect(stack.namespaceName).toBe('capsule-system');
  });

  test('outputs: proxy URL, FQDN, the CA certificate (public, not sensitive)', () => {
    expect(json.output.proxy_url.value).toMatch(new RegExp(`^https://${FQDN.source}:443$`));
    expect(json.output.proxy_fqdn.value).toMatch(new RegExp(`^${FQDN.source}$`));
    expect(json.output.proxy_ca_certificate.value).toMatch(/^\$\{tls_self_signed_cert\.capsule-proxy_ca_[0-9A-F]+\.cert_pem\}$/);
    expect(json.output.proxy_ca_certificate.sensitive).toBeUndefined();
    expect(json.output.proxy_ca).toBeUndefined();
  });

  test('only warning: the proxy is open to any address (the POC has no authorized ranges)', () => {
    expect(warnings(stack)).toEqual([expect.stringMatching(/^\[CAKS010\] the capsule-proxy LoadBalancer is reachable from any address/)]);
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-allowed-ip-ranges']).toBeUndefined();
  });
});

describe('CapsuleStack with an empty capsule section', () => {
  const { stack, json } = synthCapsule((e) => delete e.capsule);

  test('forceTenantPrefix defaults to true', () => expect(values(json, 'capsule').manager.options.forceTenantPrefix).toBe(true));
  test('dnsLabel defaults to capsule-proxy-<random suffix kept in state>, unique per deployment', () => {
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toMatch(LABEL);
    expect(resolve(stack, stack.proxyFqdn)).toMatch(new RegExp(`^${FQDN.source}$`));
    expect(resources(json, 'random_string')).toEqual([expect.objectContaining({ length: 8, lower: true, numeric: true, special: false, upper: false })]);
    expect(json.terraform.required_providers.random).toBeDefined();
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
    expect(values(json, 'capsule-proxy').certManager.certificate.dnsNames).toEqual([expect.stringMatching(FQDN), 'capsule.example.com', 'k8s.example.com']);
    expect(stack.proxyHost).toBe('capsule.example.com');
    expect(stack.proxyUrl).toBe('https://capsule.example.com:443');
    expect(resolve(stack, stack.proxyFqdn)).toMatch(FQDN);
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

  test('capsule-proxy values: the TLS secret made here, no certgen job, cert-manager off', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.options.generateCertificates).toBe(false);
    expect(v.options.certificateVolumeName).toBe('capsule-proxy-tls');
    expect(v.options.additionalSANs).toBeUndefined();
    expect(v.certManager).toEqual({ generateCertificates: false });
    expect(v.service.type).toBe('LoadBalancer');
  });

  test('the serving certificate is signed by the project CA for the FQDN: one year, re-issued by a deploy in its last 90 days', () => {
    const [cert] = resources(json, 'tls_locally_signed_cert');
    expect(cert).toMatchObject({ validity_period_hours: 8760, early_renewal_hours: 2160, allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth'] });
    expect(cert.ca_cert_pem).toMatch(/^\$\{tls_self_signed_cert\.capsule-proxy_ca_[0-9A-F]+\.cert_pem\}$/);
    expect(cert.ca_private_key_pem).toMatch(/^\$\{tls_private_key\.capsule-proxy_ca-key_[0-9A-F]+\.private_key_pem\}$/);
    expect(resources(json, 'tls_cert_request')[0].dns_names).toEqual([expect.stringMatching(FQDN)]);
    const tls = resources(json, 'kubernetes_secret_v1').find((x: Json) => x.metadata.name === 'capsule-proxy-tls');
    expect(tls.data['tls.crt']).toMatch(/^\$\{tls_locally_signed_cert\./);
    expect(tls.data['tls.key']).toMatch(/^\$\{tls_private_key\.capsule-proxy_serving-key_[0-9A-F]+\.private_key_pem\}$/);
  });

  test('the CA is the project CA (10 years), the same as with cert-manager: no Secret is read for kubeconfigs', () => {
    expect(stack.proxyCa.kind).toBe('certificate');
    expect(resources(json, 'tls_self_signed_cert')[0]).toMatchObject({ is_ca_certificate: true, validity_period_hours: 87600, early_renewal_hours: 0 });
    expect(resources(json, 'kubernetes_secret_v1').map((x: Json) => x.metadata.name).sort()).toEqual(['capsule-proxy-ca', 'capsule-proxy-tls']);
  });

  test('cert-manager can still be installed explicitly', () => {
    const { json: j } = synthCapsule((e) => (e.capsule = { certificates: 'builtin', certManager: { install: true } }));
    expect(release(j, 'cert-manager').chart).toBe('cert-manager');
    expect(values(j, 'capsule').certManager.generateCertificates).toBe(false);
  });
});

describe('CapsuleStack with a user-supplied certificate (certbot path)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-cert-'));
  const certFile = path.join(dir, 'fullchain.pem');
  const keyFile = path.join(dir, 'privkey.pem');
  fs.writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nTESTCERT\n-----END CERTIFICATE-----\n');
  fs.writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nTESTKEYMATERIAL\n-----END PRIVATE KEY-----\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const { stack, json, text } = synthCapsule((e) => (e.capsule.proxy.customCertificate = { certFile, keyFile }));

  test('a TLS secret read from the files at apply time', () => {
    const secrets = resources(json, 'kubernetes_secret_v1');
    expect(secrets).toHaveLength(1);
    expect(resources(json, 'tls_private_key')).toEqual([]);
    expect(secrets[0].type).toBe('kubernetes.io/tls');
    expect(secrets[0].metadata).toMatchObject({ name: 'capsule-proxy-tls', namespace: 'capsule-system' });
    expect(secrets[0].data).toEqual({ 'tls.crt': `\${file("${certFile}")}`, 'tls.key': `\${file("${keyFile}")}` });
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

  test('with caFile the CA is stored in the secret and exposed as the file (read at apply time)', () => {
    const caFile = path.join(dir, 'ca.pem');
    const { stack: s, json: j } = synthCapsule((e) => (e.capsule.proxy.customCertificate = { certFile, keyFile, caFile }));
    expect(resources(j, 'kubernetes_secret_v1')[0].data['ca.crt']).toBe(`\${file("${caFile}")}`);
    expect(s.proxyCa.kind).toBe('certificate');
    expect(resolve(s, s.proxyCa.kind === 'certificate' && s.proxyCa.certificate)).toBe(`\${file("${caFile}")}`);
    expect(j.output.proxy_ca_certificate.value).toBe(`\${file("${caFile}")}`);
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

describe('CapsuleStack: the proxy CA outlives kubeconfigs (cert-manager mode)', () => {
  const { json } = synthCapsule();
  const [key] = resources(json, 'tls_private_key');
  const [ca] = resources(json, 'tls_self_signed_cert');

  test('a CA made here: ECDSA P-256, 10 years, never renewed early, a CA certificate', () => {
    expect(key).toMatchObject({ algorithm: 'ECDSA', ecdsa_curve: 'P256' });
    expect(ca).toMatchObject({ is_ca_certificate: true, validity_period_hours: 87600, early_renewal_hours: 0 });
    expect(ca.validity_period_hours).toBeGreaterThanOrEqual(5 * 8760);
    expect(ca.allowed_uses).toContain('cert_signing');
    expect(ca.private_key_pem).toMatch(/^\$\{tls_private_key\.capsule-proxy_ca-key_[0-9A-F]+\.private_key_pem\}$/);
    expect(json.terraform.required_providers.tls).toBeDefined();
  });

  test('stored as the external CA secret of cert-manager (tls.crt + tls.key) in capsule-system', () => {
    const secret = resources(json, 'kubernetes_secret_v1').find((x: Json) => x.metadata.name === 'capsule-proxy-ca');
    expect(secret).toMatchObject({ type: 'kubernetes.io/tls', metadata: { namespace: 'capsule-system' } });
    expect(secret.data['tls.crt']).toMatch(/^\$\{tls_self_signed_cert\.capsule-proxy_ca_[0-9A-F]+\.cert_pem\}$/);
    expect(secret.data['tls.key']).toMatch(/^\$\{tls_private_key\.capsule-proxy_ca-key_[0-9A-F]+\.private_key_pem\}$/);
  });

  test('the chart signs the serving certificate with it (externalCA), makes no self-signed CA of its own', () => {
    const v = values(json, 'capsule-proxy');
    expect(v.certManager.externalCA).toEqual({ enabled: true, secretName: 'capsule-proxy-ca' });
    expect(v.certManager.ca).toBeUndefined();
    expect(v.certManager.certificate.fields).toEqual({ commonName: 'capsule-proxy (CA generation 1)' });
  });

  test('raising capsule.proxy.ca.generation replaces the CA key (replace_triggered_by) and re-issues the serving certificate', () => {
    const gen = (j: Json) => Object.values(j.resource.terraform_data as Record<string, Json>)[0].input;
    expect(gen(json)).toEqual({ generation: 1 });
    const [dataKey] = Object.keys(json.resource.terraform_data);
    expect(key.lifecycle.replace_triggered_by).toEqual([`\${terraform_data.${dataKey}}`]);
    const { json: j2 } = synthCapsule((e) => (e.capsule.proxy.ca = { generation: 2, validityYears: 5 }));
    expect(gen(j2)).toEqual({ generation: 2 });
    expect(resources(j2, 'tls_self_signed_cert')[0].validity_period_hours).toBe(43800);
    expect(values(j2, 'capsule-proxy').certManager.certificate.fields.commonName).toBe('capsule-proxy (CA generation 2)');
  });
});

describe('no secret leaves the capsule stack through outputs; the tenants stack reads no Secret', () => {
  const app = Testing.app();
  const cluster = new ClusterStack(app, 'poc-cluster', { env: envFrom(baseEnv(), 'poc') });
  const capsule = new CapsuleStack(app, 'poc-capsule', { cluster });
  new TenantsStack(app, 'poc-tenants', { cluster, capsule });
  app.synth();
  const read = (s: string): Json => JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'));
  const capsuleJson = read('poc-capsule');
  const tenantsJson = read('poc-tenants');

  test('every output of poc-capsule (including cross-stack ones) holds public data only', () => {
    const outputs = Object.entries(capsuleJson.output as Record<string, Json>);
    expect(outputs.length).toBeGreaterThan(3);
    for (const [name, o] of outputs) {
      expect([name, JSON.stringify(o.value)]).not.toEqual([name, expect.stringMatching(/private_key_pem|tls_private_key|kubernetes_secret|random_password/)]);
    }
    // The CA certificate reaches the tenants stack as a cross-stack output of its cert_pem.
    expect(outputs.some(([, o]) => /tls_self_signed_cert\.capsule-proxy_ca_[0-9A-F]+\.cert_pem/.test(o.value))).toBe(true);
  });

  test('poc-tenants has no data source reading a Secret; the kubeconfig embeds the CA certificate from remote state', () => {
    expect(Object.keys(tenantsJson.data ?? {}).filter((k) => /secret/.test(k))).toEqual([]);
    expect(tenantsJson.output.kubeconfig_dev.value).toMatch(
      /certificate-authority-data: "\$\{base64encode\(nonsensitive\(data\.terraform_remote_state\.cross-stack-reference-input-poc-capsule\.outputs\.cross-stack-output-tls_self_signed_certcapsule-proxy_ca_[0-9A-F]+cert_pem\)\)\}"/,
    );
  });
});

describe('CapsuleStack: Capsule webhooks and the AKS admissions enforcer', () => {
  test('Capsule webhook configurations opt out of the enforcer (webhooks.annotations)', () => {
    const { json } = synthCapsule();
    expect(values(json, 'capsule').webhooks).toEqual({ annotations: { 'admissions.enforcer/disabled': 'true' } });
  });
});

describe('CapsuleStack: DNS label', () => {
  test('an explicit label wins (no random suffix)', () => {
    const { stack, json } = synthCapsule((e) => (e.capsule.proxy.dnsLabel = 'my-team-proxy'));
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toBe('my-team-proxy');
    expect(resources(json, 'random_string')).toEqual([]);
    expect(stack.proxyFqdn).toBe('my-team-proxy.francecentral.cloudapp.azure.com');
    expect(warnings(stack).filter((w) => w.includes('dnsLabel'))).toEqual([]);
  });

  test('the bare default name "capsule-proxy" is kept when given, with a warning that it is taken', () => {
    const { stack, json } = synthCapsule((e) => (e.capsule.proxy.dnsLabel = 'capsule-proxy'));
    expect(values(json, 'capsule-proxy').service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toBe('capsule-proxy');
    expect(warnings(stack)).toContainEqual(expect.stringMatching(/dnsLabel "capsule-proxy" is the bare default name: Azure DNS labels are unique per region/));
  });
});

describe('CapsuleStack: replicas and PodDisruptionBudgets', () => {
  const pdbs = (json: Json) => resources(json, 'kubernetes_pod_disruption_budget_v1');

  test('unprotected (the POC): one replica each, no PodDisruptionBudget', () => {
    const { json } = synthCapsule();
    expect(values(json, 'capsule').replicaCount).toBeUndefined();
    expect(values(json, 'capsule-proxy').replicaCount).toBeUndefined();
    expect(pdbs(json)).toEqual([]);
  });

  test('protected: 2 replicas of Capsule and capsule-proxy, spread over nodes, a PDB each selecting the chart pods', () => {
    const { json } = synthCapsule((e) => {
      e.protected = true;
      e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
      e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    });
    const capsule = values(json, 'capsule');
    const proxy = values(json, 'capsule-proxy');
    expect(capsule.replicaCount).toBe(2);
    expect(proxy.replicaCount).toBe(2);
    expect(proxy.options.leaderElection).toBe(true);
    expect(capsule.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' });
    const byName = Object.fromEntries(pdbs(json).map((p: Json) => [p.metadata.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['capsule', 'capsule-proxy']);
    expect(byName.capsule.spec).toEqual({ max_unavailable: '1', selector: { match_labels: { 'app.kubernetes.io/name': 'capsule', 'app.kubernetes.io/instance': 'capsule' } } });
    expect(byName['capsule-proxy'].spec.selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'capsule-proxy', 'app.kubernetes.io/instance': 'capsule-proxy', 'app.kubernetes.io/component': 'proxy' });
    expect(byName.capsule.metadata.namespace).toBe('capsule-system');
    expect(byName.capsule.depends_on).toEqual([releaseAddress(json, 'capsule')]);
    expect(byName['capsule-proxy'].depends_on).toEqual([releaseAddress(json, 'capsule-proxy')]);
  });

  test('configurable: replica counts and PDBs from the environment', () => {
    const { json } = synthCapsule((e) => {
      e.protected = true;
      e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
      e.capsule.replicas = 3;
      e.capsule.podDisruptionBudget = false;
      e.capsule.proxy.replicas = 1;
    });
    expect(values(json, 'capsule').replicaCount).toBe(3);
    expect(values(json, 'capsule-proxy').replicaCount).toBeUndefined();
    expect(pdbs(json)).toEqual([]);
  });
});

describe('Capsule metrics for managed Prometheus (issue 15 item 3)', () => {
  const scrapes = (json: Json) => resources(json, 'kubernetes_manifest').filter((r: Json) => r.manifest.apiVersion === 'azmonitoring.coreos.com/v1');
  test('none in the POC (no managed Prometheus)', () => expect(scrapes(synthCapsule().json)).toHaveLength(0));
  test('with managed Prometheus: ServiceMonitors for Capsule and capsule-proxy, after both releases', () => {
    const { json } = synthCapsule((e) => (e.monitoring = { managedPrometheus: true }));
    const s = scrapes(json);
    expect(s.map((r: Json) => r.manifest.metadata.name).sort()).toEqual(['capsule-metrics', 'capsule-proxy-metrics']);
    for (const r of s) expect(r.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\./)]));
    expect(s[0].depends_on).toHaveLength(2);
  });
  test('scrapeCapsule: false turns them off', () =>
    expect(scrapes(synthCapsule((e) => (e.monitoring = { managedPrometheus: true, scrapeCapsule: false })).json)).toHaveLength(0));
});
