import * as fs from 'fs';
import * as path from 'path';
import { Fn, Lazy, TerraformOutput, Testing, TerraformStack, Token } from 'cdktf';
import { parse } from 'yaml';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { AksKubeProviders } from '../constructs/aks-kube-providers';
import { CapsuleOperator } from '../constructs/capsule-operator';
import { CapsuleProxy, CapsuleProxyProps } from '../constructs/capsule-proxy';
import { TenantKubeconfig } from '../constructs/tenant-kubeconfig';
import { ValidationError } from '../constructs/validation';
import { helmValues, Json, resources, synthJson } from './helpers';

const ADMINS = '11111111-1111-1111-1111-111111111111';
const USERS = '22222222-2222-2222-2222-222222222222';
const TENANT = '44444444-4444-4444-4444-444444444444';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}


function release(json: Json, chart: string): Json {
  return resources(json, 'helm_release').find((r: Json) => r.chart === chart);
}

describe('CapsuleProxy with its operator (operator)', () => {
  const s = stack();
  const op = new CapsuleOperator(s, 'capsule', { users: [{ kind: 'Group', name: USERS }], namespace: 'capsule', ignoredUserGroups: [ADMINS] });
  const proxy = new CapsuleProxy(s, 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', operator: op });
  const json = synthJson(s);
  const r = release(json, 'capsule-proxy');

  test('the operator\'s namespace, by reference', () => {
    expect(proxy.namespace).toBe('capsule');
    expect(r.namespace).toBe('capsule');
    expect(resources(json, 'kubernetes_secret_v1').map((x: Json) => x.metadata.namespace)).toEqual(['capsule']);
  });

  test('created after the operator\'s release (the release, and the CA secret it needs)', () => {
    const capsuleKey = Object.entries(json.resource.helm_release).find(([, x]) => (x as Json).chart === 'capsule')![0];
    expect(r.depends_on[0]).toBe(`helm_release.${capsuleKey}`);
    expect(resources(json, 'kubernetes_secret_v1')[0].depends_on).toEqual([`helm_release.${capsuleKey}`]);
  });

  test('ignoredUserGroups default to the operator\'s', () => {
    expect(parse(r.values[0]).options.ignoredUserGroups).toEqual([ADMINS]);
  });

  test('a namespace other than the operator\'s is refused', () => {
    const s2 = stack();
    const op2 = new CapsuleOperator(s2, 'capsule', { users: [{ kind: 'Group', name: USERS }] });
    expect(() => new CapsuleProxy(s2, 'proxy', { location: 'westeurope', operator: op2, namespace: 'other' })).toThrow(ValidationError);
    expect(() => new CapsuleProxy(s2, 'proxy2', { location: 'westeurope', operator: op2, namespace: 'other' })).toThrow(
      'test/proxy2: namespace "other" is invalid: must be the operator\'s namespace "capsule-system" (test/capsule), or be left out',
    );
  });

  test('operator must be a CapsuleOperator', () => {
    expect(() => new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', operator: { namespace: 'x' } as never })).toThrow(/test\/proxy: operator "\[object Object\]" is invalid: must be a CapsuleOperator construct/);
  });

  test('without operator nor ignoredUserGroups: none, with a warning', () => {
    const p = new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy' } as CapsuleProxyProps);
    expect((helmValues(p, 'capsule-proxy').options as Json).ignoredUserGroups).toEqual([]);
    expect(p.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data))).toContainEqual(expect.stringMatching(/^ignoredUserGroups is empty/));
  });

  test('ignoredUserGroups take groups by reference (objectId)', () => {
    const p = new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [{ objectId: ADMINS }] });
    expect((helmValues(p, 'capsule-proxy').options as Json).ignoredUserGroups).toEqual([ADMINS]);
  });
});

describe('CapsuleProxy: what a kubeconfig needs', () => {
  test('caCertificatePem: the CA certificate the construct made (cert-manager, builtin)', () => {
    const s = stack();
    const p = new CapsuleProxy(s, 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS] });
    expect(p.caCertificatePem).toMatch(/^\$\{TfToken/);
    expect(p.caCertificatePem).toBe(p.ca.kind === 'certificate' ? p.ca.certificate : 'public');
  });

  test('caCertificatePem: undefined for a custom certificate from a public CA, the given PEM otherwise', () => {
    const custom = { certificate: Fn.file('cert.pem'), privateKey: Fn.file('key.pem') };
    const pub = new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS], certificates: 'custom', customCertificate: custom });
    expect(pub.caCertificatePem).toBeUndefined();
    const caPem = Fn.file('ca.pem');
    const own = new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS], certificates: 'custom', customCertificate: { ...custom, caCertificate: caPem } });
    expect(own.caCertificatePem).toBe(caPem);
  });

  test('addKubeconfig in the proxy\'s stack: its URL and CA as they are', () => {
    const s = stack();
    const p = new CapsuleProxy(s, 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS] });
    const k = p.addKubeconfig('kubeconfig-team-a', { tenant: 'team-a', tenantId: TENANT });
    expect(k.node.path).toBe('test/proxy/kubeconfig-team-a');
    new TerraformOutput(s, 'kubeconfig', { value: k.yaml });
    const yaml: string = synthJson(s).output.kubeconfig.value;
    expect(yaml).toContain('server: "https://my-proxy.westeurope.cloudapp.azure.com:443"');
    expect(yaml).toMatch(/certificate-authority-data: "\$\{base64encode\(tls_self_signed_cert\.proxy_ca_[0-9A-F]+\.cert_pem\)\}"/);
  });

  test('addKubeconfig in another stack: URL and CA come unmarked (nonsensitive) through remote state', () => {
    const app = Testing.app();
    const capsule = new TerraformStack(app, 'capsule');
    const tenants = new TerraformStack(app, 'tenants');
    for (const s of [capsule, tenants]) new AksKubeProviders(s, 'kube', { host: 'https://aks.example.com:443', clusterCaCertificate: 'Q0E=' });
    new RandomProvider(capsule, 'random', {});
    new TlsProvider(capsule, 'tls', {});
    const p = new CapsuleProxy(capsule, 'proxy', { location: 'westeurope', ignoredUserGroups: [ADMINS] });
    const k = p.addKubeconfig('kubeconfig-team-a', { scope: tenants, tenant: 'team-a', tenantId: TENANT });
    new TerraformOutput(tenants, 'kubeconfig', { value: k.yaml });
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', 'tenants', 'cdk.tf.json'), 'utf8'));
    const yaml: string = json.output.kubeconfig.value;
    expect(yaml).toMatch(/server: "\$\{nonsensitive\("https:\/\/capsule-proxy-\$\{data\.terraform_remote_state\.cross-stack-reference-input-capsule\.outputs\.[^}]+\}\.westeurope\.cloudapp\.azure\.com:443"\)\}"/);
    expect(yaml).toMatch(/certificate-authority-data: "\$\{base64encode\(nonsensitive\(data\.terraform_remote_state\.cross-stack-reference-input-capsule\.outputs\.[^}]+cert_pem\)\)\}"/);
    expect(json.data.kubernetes_secret_v1).toBeUndefined();
  });

  test('addKubeconfig in another stack, for many tenants: one nonsensitive and one base64encode per value, shared by all kubeconfigs (resolved once per stack)', () => {
    const app = Testing.app();
    const capsule = new TerraformStack(app, 'capsule');
    const tenants = new TerraformStack(app, 'tenants');
    const p = new CapsuleProxy(capsule, 'proxy', { location: 'westeurope', ignoredUserGroups: [ADMINS] });
    // The Entra tenant ID as a reference (AksCluster.tenantId in the tenants stack).
    const tenantId = Token.asString(Lazy.stringValue({ produce: () => TENANT }));
    const cluster = (k: TenantKubeconfig) => (k.document as Json).clusters[0].cluster;
    const execArgs = (k: TenantKubeconfig) => JSON.stringify((k.document as Json).users[0].user.exec.args);
    const [a, b] = ['team-a', 'team-b'].map((t) => p.addKubeconfig(`kubeconfig-${t}`, { scope: tenants, tenant: t, tenantId }));
    for (const field of ['server', 'certificate-authority-data']) {
      expect(Token.isUnresolved(cluster(a)[field])).toBe(true);
      expect(cluster(b)[field]).toBe(cluster(a)[field]);
    }
    expect(execArgs(b)).toBe(execArgs(a));
  });

  test('addKubeconfig refuses a scope that is not a construct', () => {
    const p = new CapsuleProxy(stack(), 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS] });
    expect(() => p.addKubeconfig('k', { scope: 'tenants' as never, tenant: 'team-a', tenantId: TENANT })).toThrow(/test\/proxy: addKubeconfig\("k"\)\.scope "tenants" is invalid: must be a construct/);
  });
});

describe('CapsuleProxy.addKubeconfig tenantId', () => {
  test('a tenantId that is a reference is unmarked (nonsensitive), a literal stays as it is', () => {
    const s = stack();
    const p = new CapsuleProxy(s, 'proxy', { location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS] });
    const ref = p.addKubeconfig('by-ref', { tenant: 'team-a', tenantId: Fn.lower(TENANT) });
    const lit = p.addKubeconfig('literal', { tenant: 'team-b', tenantId: TENANT });
    new TerraformOutput(s, 'ref', { value: ref.yaml });
    new TerraformOutput(s, 'lit', { value: lit.yaml });
    const out = synthJson(s).output;
    expect(out.ref.value).toContain(`- "\${nonsensitive(lower("${TENANT}"))}"`);
    expect(out.lit.value).toContain(`- "${TENANT}"`);
  });
});
