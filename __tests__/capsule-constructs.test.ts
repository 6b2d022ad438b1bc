import { Fn, Testing, TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { CapsuleOperator, CapsuleOperatorProps } from '../constructs/capsule-operator';
import { CapsuleProxy, CapsuleProxyProps } from '../constructs/capsule-proxy';
import { ValidationError } from '../constructs/validation';
import { helmValues, Json, resources, synthJson } from './helpers';

const ADMINS = '11111111-1111-1111-1111-111111111111';
const USERS = '22222222-2222-2222-2222-222222222222';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

const proxyProps = (p: Partial<CapsuleProxyProps> = {}): CapsuleProxyProps => ({ location: 'westeurope', dnsLabel: 'my-proxy', ignoredUserGroups: [ADMINS], ...p });
const operatorProps = (p: Partial<CapsuleOperatorProps> = {}): CapsuleOperatorProps => ({ users: [{ kind: 'Group', name: USERS }], ...p });

const buildProxy = (p: Partial<CapsuleProxyProps>) => () => new CapsuleProxy(stack(), 'proxy', proxyProps(p));
const buildOperator = (p: Partial<CapsuleOperatorProps>) => () => new CapsuleOperator(stack(), 'capsule', operatorProps(p));

function warnings(c: { node: { metadata: { type: string; data: unknown }[] } }): string[] {
  return c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
}

describe('CapsuleProxy cluster-scoped proxy settings', () => {
  test('clusterScopedProxySettings: false leaves the feature gate out', () => {
    const s = stack();
    new CapsuleProxy(s, 'proxy', proxyProps({ clusterScopedProxySettings: false }));
    const values = parse(resources(synthJson(s), 'helm_release')[0].values[0]) as Json;
    expect(values.options.extraArgs).toBeUndefined();
  });
});

describe('CapsuleOperator users (issue 12.5 / 14.4)', () => {
  test('groups, users and ServiceAccounts are Capsule users by themselves; duplicates dropped', () => {
    const s = stack();
    const users: CapsuleOperatorProps['users'] = [
      { kind: 'Group', name: USERS },
      { kind: 'Group', name: ADMINS },
      { kind: 'User', name: 'alice@contoso.com' },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:team-a-gitops:flux' },
      { kind: 'Group', name: USERS },
    ];
    new CapsuleOperator(s, 'capsule', operatorProps({ users }));
    const values = parse(resources(synthJson(s), 'helm_release')[0].values[0]) as Json;
    expect(values.manager.options.users).toEqual(users.slice(0, 4));
  });
  test('a ServiceAccount user must be system:serviceaccount:<namespace>:<name>', () => {
    expect(buildOperator({ users: [{ kind: 'ServiceAccount', name: 'team-a/flux' }] })).toThrow(/users\[0\]\.name "team-a\/flux" is invalid: must be system:serviceaccount:<namespace>:<name>/);
  });
});

describe('CapsuleOperator ignoredUserGroups (capsule v0.14.0 pkg/users/is_capsule_user.go:59-67)', () => {
  test('members of these groups are never Capsule users, even if another of their groups is (manager.options.ignoreUserWithGroups)', () => {
    const s = stack();
    new CapsuleOperator(s, 'capsule', operatorProps({ ignoredUserGroups: [ADMINS] }));
    expect(parse(resources(synthJson(s), 'helm_release')[0].values[0]).manager.options.ignoreUserWithGroups).toEqual([ADMINS]);
  });
  test('none by default; entries must be group object IDs', () => {
    const s = stack();
    new CapsuleOperator(s, 'capsule', operatorProps());
    expect(parse(resources(synthJson(s), 'helm_release')[0].values[0]).manager.options.ignoreUserWithGroups).toBeUndefined();
    expect(buildOperator({ ignoredUserGroups: ['admins'] })).toThrow(/ignoredUserGroups\[0\] "admins" is invalid: must be a GUID/);
  });
});

describe('CapsuleOperator', () => {
  const s = stack();
  const op = new CapsuleOperator(s, 'capsule', operatorProps());
  const json = synthJson(s);
  const r = resources(json, 'helm_release')[0];
  const v = parse(r.values[0]);

  test('defaults: chart 0.14.0 in capsule-system, forceTenantPrefix true, cert-manager certificates', () => {
    expect(r).toMatchObject({ chart: 'capsule', version: '0.14.0', namespace: 'capsule-system', create_namespace: false, wait: true, atomic: true, cleanup_on_fail: true, timeout: 600 });
    expect(v).toEqual({
      manager: { options: { forceTenantPrefix: true, users: [{ kind: 'Group', name: USERS }] } },
      certManager: { generateCertificates: true },
      tls: { enableController: false, create: false },
      webhooks: { annotations: { 'admissions.enforcer/disabled': 'true' } },
    });
    expect(op.certificates).toBe('cert-manager');
    expect(op.replicas).toBe(1);
    expect(resources(json, 'kubernetes_pod_disruption_budget_v1')).toEqual([]);
  });

  test('AKS admissions enforcer: Capsule webhook configurations opt out by default; aksAdmissionsEnforcerOptOut false keeps the chart default', () => {
    const s2 = stack();
    new CapsuleOperator(s2, 'capsule', operatorProps({ aksAdmissionsEnforcerOptOut: false }));
    expect(parse(resources(synthJson(s2), 'helm_release')[0].values[0]).webhooks).toBeUndefined();
  });

  test('replicas > 1: replicaCount, spread over nodes, a PodDisruptionBudget after the release (opt out with podDisruptionBudget false)', () => {
    const s2 = stack();
    const ha = new CapsuleOperator(s2, 'capsule', operatorProps({ replicas: 2 }));
    const j = synthJson(s2);
    expect(parse(resources(j, 'helm_release')[0].values[0])).toMatchObject({ replicaCount: 2, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname' }] });
    expect(resources(j, 'kubernetes_pod_disruption_budget_v1')).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'capsule', namespace: 'capsule-system' }), spec: { max_unavailable: '1', selector: { match_labels: { 'app.kubernetes.io/name': 'capsule', 'app.kubernetes.io/instance': 'capsule' } } } }),
    ]);
    expect(ha.podDisruptionBudget).toBeDefined();
    const s3 = stack();
    new CapsuleOperator(s3, 'capsule', operatorProps({ replicas: 2, podDisruptionBudget: false }));
    expect(resources(synthJson(s3), 'kubernetes_pod_disruption_budget_v1')).toEqual([]);
  });

  test('tokens in users survive into the values', () => {
    const s2 = stack();
    new CapsuleOperator(s2, 'capsule', operatorProps({ users: [{ kind: 'Group', name: Fn.lower('X') }] }));
    expect(parse(resources(synthJson(s2), 'helm_release')[0].values[0]).manager.options.users[0].name).toBe('${lower("X")}');
  });

  test('User entries keep their kind', () => {
    const s2 = stack();
    new CapsuleOperator(s2, 'capsule', operatorProps({ users: [{ kind: 'User', name: 'alice@contoso.com' }] }));
    expect(parse(resources(synthJson(s2), 'helm_release')[0].values[0]).manager.options.users).toEqual([{ kind: 'User', name: 'alice@contoso.com' }]);
  });

  test.each([
    [{ chartVersion: '0.14' }, /capsule: chartVersion "0.14" is invalid: must be a pinned chart version/],
    [{ chartVersion: 'latest' }, /chartVersion "latest" is invalid/],
    [{ chartVersion: '^0.14.0' }, /chartVersion "\^0.14.0" is invalid/],
    [{ users: [{ kind: 'Group' as const, name: 'capsuleGroup' }] }, /users\[0\]\.name "capsuleGroup" is invalid: must be a GUID/],
    [{ certificates: 'self' as never }, /certificates "self" is invalid/],
    [{ namespace: 'Capsule_System' }, /namespace "Capsule_System" is invalid/],
    [{ replicas: 0 }, /capsule: replicas 0 is invalid/],
  ])('rejects %j', (props, message) => {
    expect(buildOperator(props)).toThrow(ValidationError);
    expect(buildOperator(props)).toThrow(message);
  });

  test('warns for a chart version other than 0.14', () => {
    const op2 = new CapsuleOperator(stack(), 'capsule', operatorProps({ chartVersion: '0.15.0' }));
    expect(warnings(op2).some((w) => w.includes('0.14.0'))).toBe(true);
    expect(warnings(op)).toEqual([]);
  });
});

describe('CapsuleProxy', () => {
  const s = stack();
  const proxy = new CapsuleProxy(s, 'proxy', proxyProps());
  const json = synthJson(s);
  const r: Json = resources(json, 'helm_release')[0];

  test('defaults: LoadBalancer on 443, cert-manager certificate for the Azure name', () => {
    expect(r).toMatchObject({ name: 'capsule-proxy', chart: 'capsule-proxy', version: '0.14.0', namespace: 'capsule-system', wait: true, atomic: true, cleanup_on_fail: true, timeout: 600 });
    expect(parse(r.values[0])).toEqual({
      service: { type: 'LoadBalancer', port: 443, annotations: { 'service.beta.kubernetes.io/azure-dns-label-name': 'my-proxy' } },
      // GlobalProxySettings (tenants' allowed classes) only apply with this feature gate (issue 14.3).
      options: { generateCertificates: false, ignoredUserGroups: [ADMINS], extraArgs: ['--feature-gates=ProxyClusterScoped=true'] },
      certManager: {
        generateCertificates: true,
        externalCA: { enabled: true, secretName: 'capsule-proxy-ca' },
        certificate: { dnsNames: ['my-proxy.westeurope.cloudapp.azure.com'], fields: { commonName: 'capsule-proxy (CA generation 1)' } },
      },
    });
    expect(proxy.url).toBe('https://my-proxy.westeurope.cloudapp.azure.com:443');
    expect(resources(json, 'kubernetes_secret_v1').map((x: Json) => x.metadata.name)).toEqual(['capsule-proxy-ca']);
    expect(resources(json, 'kubernetes_pod_disruption_budget_v1')).toEqual([]);
  });

  test('the CA: 10 years by default, never renewed early; public certificate exposed as ca', () => {
    expect(resources(json, 'tls_self_signed_cert')[0]).toMatchObject({ is_ca_certificate: true, validity_period_hours: 87600, early_renewal_hours: 0 });
    expect(proxy.ca.kind).toBe('certificate');
    expect(proxy.caCertificate).toBeDefined();
  });

  test('no dnsLabel: capsule-proxy-<random suffix> (random_string kept in state); dnsLabelPrefix changes the prefix', () => {
    const s2 = stack();
    const p = new CapsuleProxy(s2, 'proxy', proxyProps({ dnsLabel: undefined, dnsLabelPrefix: 'team-a-proxy' }));
    const j = synthJson(s2);
    expect(resources(j, 'random_string')).toEqual([expect.objectContaining({ length: 8, special: false, upper: false })]);
    expect(parse(resources(j, 'helm_release')[0].values[0]).service.annotations['service.beta.kubernetes.io/azure-dns-label-name']).toMatch(/^team-a-proxy-\$\{random_string\.proxy_dns-label-suffix_[0-9A-F]+\.result\}$/);
    expect(p.dnsLabelSuffix).toBeDefined();
    expect(resources(json, 'random_string')).toEqual([]);
  });

  test('warns when the explicit label is the bare default "capsule-proxy"', () => {
    const p = new CapsuleProxy(stack(), 'proxy', proxyProps({ dnsLabel: 'capsule-proxy', allowedIpRanges: ['203.0.113.0/24'] }));
    expect(warnings(p)).toEqual([expect.stringMatching(/^dnsLabel "capsule-proxy" is the bare default name/)]);
  });

  test('replicas > 1: replicaCount, leader election, a PodDisruptionBudget for the proxy pods only', () => {
    const s2 = stack();
    const p = new CapsuleProxy(s2, 'proxy', proxyProps({ replicas: 3 }));
    const j = synthJson(s2);
    const v = parse(resources(j, 'helm_release')[0].values[0]);
    expect(v.replicaCount).toBe(3);
    expect(v.options.leaderElection).toBe(true);
    expect(resources(j, 'kubernetes_pod_disruption_budget_v1')[0].spec).toEqual({
      max_unavailable: '1',
      selector: { match_labels: { 'app.kubernetes.io/name': 'capsule-proxy', 'app.kubernetes.io/instance': 'capsule-proxy', 'app.kubernetes.io/component': 'proxy' } },
    });
    expect(p.podDisruptionBudget).toBeDefined();
  });

  test('another port is used in the service and the URL', () => {
    const p = new CapsuleProxy(stack(), 'proxy', proxyProps({ port: 8443 }));
    expect(p.url).toBe('https://my-proxy.westeurope.cloudapp.azure.com:8443');
    expect((helmValues(p, 'capsule-proxy').service as Json).port).toBe(8443);
  });

  test.each([
    [{ dnsLabel: 'My_Proxy' }, /proxy: dnsLabel "My_Proxy" is invalid: must be 3-63 lowercase letters/],
    [{ dnsLabel: 'ab' }, /dnsLabel "ab" is invalid/],
    [{ dnsLabel: '1proxy' }, /dnsLabel "1proxy" is invalid/],
    [{ hostnames: ['capsule.example.com', 'not a host'] }, /hostnames\[1\] "not a host" is invalid: must be a DNS name/],
    [{ hostnames: ['https://capsule.example.com'] }, /hostnames\[0\] "https:\/\/capsule.example.com" is invalid/],
    [{ hostnames: ['a.example.com', 'a.example.com'] }, /hostnames .* is invalid: must not repeat a name/],
    [{ chartVersion: '0.14.x' }, /chartVersion "0.14.x" is invalid: must be a pinned chart version/],
    [{ location: 'mars' }, /location "mars" is invalid/],
    [{ ignoredUserGroups: ['admins'] }, /ignoredUserGroups\[0\] "admins" is invalid: must be a GUID/],
    [{ port: 70000 }, /port 70000 is invalid/],
    [{ allowedIpRanges: ['203.0.113.0'] }, /allowedIpRanges\[0\] "203.0.113.0" is invalid: must be an IPv4 or IPv6 CIDR/],
    [{ certificates: 'custom' as const }, /customCertificate \(missing\) is invalid: is required when certificates is "custom"/],
    [{ ca: { validityHours: 8760 } }, /proxy: ca.validityHours 8760 is invalid/],
    [{ ca: { generation: 0 } }, /proxy: ca.generation 0 is invalid/],
    [{ replicas: 11 }, /proxy: replicas 11 is invalid/],
    [{ dnsLabel: undefined, dnsLabelPrefix: 'Bad_Prefix' }, /proxy: dnsLabelPrefix "Bad_Prefix" is invalid/],
    [
      { certificates: 'custom' as const, ca: { generation: 2 }, customCertificate: { certificate: Fn.file('/c.pem'), privateKey: Fn.file('/k.pem') } },
      /proxy: ca "\(given\)" is invalid: is only allowed with certificates "cert-manager" or "builtin"/,
    ],
    [
      { certificates: 'builtin' as const, customCertificate: { certificate: Fn.file('/c.pem'), privateKey: Fn.file('/k.pem') } },
      /customCertificate "\(given\)" is invalid: is only allowed with certificates "custom", not "builtin"/,
    ],
    [
      { customCertificate: { certificate: Fn.file('/c.pem'), privateKey: Fn.file('/k.pem') } },
      /customCertificate "\(given\)" is invalid: is only allowed with certificates "custom", not "cert-manager"/,
    ],
    [
      { certificates: 'custom' as const, customCertificate: { certificate: Fn.file('/c.pem'), privateKey: '-----BEGIN PRIVATE KEY-----' } },
      /customCertificate.privateKey "\(literal text\)" is invalid: must be a token read at apply time/,
    ],
  ])('rejects %j', (props, message) => {
    expect(buildProxy(props)).toThrow(ValidationError);
    expect(buildProxy(props)).toThrow(message);
  });

  test('the literal private key is not echoed in the error', () => {
    expect(buildProxy({ certificates: 'custom', customCertificate: { certificate: 'x', privateKey: 'SECRETKEY' } })).not.toThrow(/SECRETKEY/);
  });

  test('warns when no admin group is ignored', () => {
    expect(warnings(new CapsuleProxy(stack(), 'proxy', proxyProps({ ignoredUserGroups: [] }))).some((w) => w.includes('ignoredUserGroups is empty'))).toBe(true);
    expect(warnings(proxy).some((w) => w.includes('ignoredUserGroups'))).toBe(false);
  });

  test('warns when the proxy is open to any address; allowedIpRanges become the Azure annotation', () => {
    // Reported at synth (CAKS010): by the policy checks when they apply, else as a plain warning.
    expect(warnings(proxy)).toEqual([expect.stringMatching(/^\[CAKS010\] the capsule-proxy LoadBalancer is reachable from any address \(no allowedIpRanges\)/)]);
    const p = new CapsuleProxy(stack(), 'proxy', proxyProps({ allowedIpRanges: ['203.0.113.0/24', '2001:db8::/32'] }));
    Testing.synth(p.node.scope as TerraformStack);
    expect(warnings(p)).toEqual([]);
    expect((helmValues(p, 'capsule-proxy').service as Json).annotations).toEqual({
      'service.beta.kubernetes.io/azure-dns-label-name': 'my-proxy',
      'service.beta.kubernetes.io/azure-allowed-ip-ranges': '203.0.113.0/24,2001:db8::/32',
    });
  });

  test('warns for a chart version other than 0.14', () => {
    const p = new CapsuleProxy(stack(), 'proxy', proxyProps({ chartVersion: '0.15.0', allowedIpRanges: ['203.0.113.0/24'] }));
    expect(warnings(p)).toEqual(['capsule-proxy chart 0.15.0: the values set here were checked against chart 0.14.0 only']);
  });

  test('hostnames that repeat the Azure name are not duplicated in the certificate', () => {
    const p = new CapsuleProxy(stack(), 'proxy', proxyProps({ hostnames: ['my-proxy.westeurope.cloudapp.azure.com'] }));
    expect((helmValues(p, 'capsule-proxy').certManager as Json).certificate.dnsNames).toEqual(['my-proxy.westeurope.cloudapp.azure.com']);
  });
});
