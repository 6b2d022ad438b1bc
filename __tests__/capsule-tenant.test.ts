import { TerraformStack, Testing } from 'cdktf';
import { CapsuleTenant, CapsuleTenantProps, TENANT_SELECTOR_LABEL } from '../constructs/capsule-tenant';
import { allowFromNamespacesNetworkPolicy, isolatedNetworkPolicy, isolatedStrictNetworkPolicy, NETWORK_POLICY_PRESETS, PRIVATE_IPV4_RANGES, standardLimitRange } from '../constructs/tenant-presets';
import { Json, resources, synthJson } from './helpers';
import { POLICY_REPLICATED_KINDS, ReplicationServiceAccount } from '../constructs/replication-service-account';

const GROUP = '33333333-3333-3333-3333-333333333333';
const UPN = 'alice@contoso.onmicrosoft.com';

/** Every key of spec (Tenant CRD v1beta2, Capsule 0.14.0); copied here because tests must not read ../shared. */
const CRD_SPEC_KEYS = [
  'additionalRoleBindings', 'containerRegistries', 'cordoned', 'data', 'deviceClasses', 'forceTenantPrefix', 'gatewayOptions',
  'imagePullPolicies', 'ingressOptions', 'limitRanges', 'namespaceOptions', 'networkPolicies', 'nodeSelector', 'owners', 'permissions',
  'podOptions', 'preventDeletion', 'priorityClasses', 'resourceQuotas', 'rules', 'runtimeClasses', 'serviceOptions', 'storageClasses',
];

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

function warnings(c: { node: { metadata: { type: string; data: unknown }[] } }): string[] {
  return c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
}

function tenantOf(props: Partial<CapsuleTenantProps>): { tenant: CapsuleTenant; json: Json } {
  const s = stack();
  const tenant = new CapsuleTenant(s, 'tenant', { name: 'team-a', owners: [{ kind: 'Group', name: GROUP }], ...props });
  return { tenant, json: JSON.parse(Testing.synth(s)) };
}

function manifests(json: Json, kind: string): Json[] {
  return resources(json, 'kubernetes_manifest').filter((r: Json) => r.manifest.kind === kind);
}

describe('CapsuleTenant: every field mapped to the v1beta2 spec', () => {
  const full: CapsuleTenantProps = {
    name: 'team-a',
    owners: [
      { kind: 'Group', name: GROUP },
      { kind: 'User', name: UPN, clusterRoles: ['admin'] },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:team-a-ci:deployer' },
    ],
    namespaceOptions: {
      quota: 3,
      additionalMetadata: { labels: { team: 'a' }, annotations: { owner: 'team-a' } },
      forbiddenLabels: { denied: ['admin'] },
      forbiddenAnnotations: { deniedRegex: '^internal/.*' },
    },
    networkPolicies: { items: [isolatedNetworkPolicy('team-a')] },
    resourceQuotas: { scope: 'Namespace', items: [{ hard: { pods: '10' } }] },
    limitRanges: { items: [standardLimitRange()] },
    ingressOptions: {
      allowedClasses: { allowed: ['nginx'], default: 'nginx' },
      allowedHostnames: { allowed: ['a.example.com'] },
      hostnameCollisionScope: 'Tenant',
      allowWildcardHostnames: false,
    },
    nodeSelector: { pool: 'tenants' },
    storageClasses: { allowed: ['managed-csi'], default: 'managed-csi' },
    priorityClasses: { allowed: ['low'], matchLabels: { tier: 'tenant' } },
    containerRegistries: { allowed: ['myacr.azurecr.io'] },
    preventDeletion: true,
    cordoned: false,
    forceTenantPrefix: true,
    additionalRoleBindings: [{ clusterRoleName: 'view', subjects: [{ kind: 'Group', name: GROUP, apiGroup: 'rbac.authorization.k8s.io' }] }],
  };
  const s = stack();
  const tenant = new CapsuleTenant(s, 'tenant', full);
  const json = JSON.parse(Testing.synth(s));
  const [manifest] = manifests(json, 'Tenant');
  const spec = manifest.manifest.spec;

  test('a capsule.clastix.io/v1beta2 Tenant named after the tenant, labelled for selection', () => {
    expect(manifest.manifest.apiVersion).toBe('capsule.clastix.io/v1beta2');
    expect(manifest.manifest.metadata).toEqual({ name: 'team-a', labels: { [TENANT_SELECTOR_LABEL]: 'team-a' } });
  });
  test('only keys of the Tenant CRD are emitted', () => {
    for (const k of Object.keys(spec)) expect(CRD_SPEC_KEYS).toContain(k);
  });
  test('owners: kind and name; clusterRoles default admin + capsule-namespace-deleter, or as given', () => {
    expect(spec.owners).toEqual([
      { kind: 'Group', name: GROUP, clusterRoles: ['admin', 'capsule-namespace-deleter'] },
      { kind: 'User', name: UPN, clusterRoles: ['admin'] },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:team-a-ci:deployer', clusterRoles: ['admin', 'capsule-namespace-deleter'] },
    ]);
  });
  test('namespaceOptions: quota, additionalMetadata, forbiddenLabels, forbiddenAnnotations', () => {
    expect(spec.namespaceOptions).toEqual({
      quota: 3,
      additionalMetadata: { labels: { team: 'a' }, annotations: { owner: 'team-a' } },
      forbiddenLabels: { denied: ['admin'] },
      forbiddenAnnotations: { deniedRegex: '^internal/.*' },
    });
  });
  test('networkPolicies.items, resourceQuotas.scope/items, limitRanges.items', () => {
    // The tenant is allowed ingress class nginx: the ingress controllers' namespace is admitted too (issue 12.4).
    expect(spec.networkPolicies).toEqual({ items: [isolatedNetworkPolicy('team-a'), allowFromNamespacesNetworkPolicy(['app-routing-system'])] });
    expect(spec.resourceQuotas).toEqual({ scope: 'Namespace', items: [{ hard: { pods: '10' } }] });
    expect(spec.limitRanges).toEqual({ items: [standardLimitRange()] });
  });
  test('ingressOptions: allowedClasses, allowedHostnames, hostnameCollisionScope, allowWildcardHostnames', () => {
    expect(spec.ingressOptions).toEqual({
      allowedClasses: { allowed: ['nginx'], default: 'nginx' },
      allowedHostnames: { allowed: ['a.example.com'] },
      hostnameCollisionScope: 'Tenant',
      allowWildcardHostnames: false,
    });
  });
  test('nodeSelector, storageClasses, priorityClasses, containerRegistries', () => {
    expect(spec.nodeSelector).toEqual({ pool: 'tenants' });
    expect(spec.storageClasses).toEqual({ allowed: ['managed-csi'], default: 'managed-csi' });
    expect(spec.priorityClasses).toEqual({ allowed: ['low'], matchLabels: { tier: 'tenant' } });
    expect(spec.containerRegistries).toEqual({ allowed: ['myacr.azurecr.io'] });
  });
  test('preventDeletion, cordoned, forceTenantPrefix, additionalRoleBindings', () => {
    expect(spec.preventDeletion).toBe(true);
    expect(spec.cordoned).toBe(false);
    expect(spec.forceTenantPrefix).toBe(true);
    expect(spec.additionalRoleBindings).toEqual([{ clusterRoleName: 'view', subjects: [{ kind: 'Group', name: GROUP, apiGroup: 'rbac.authorization.k8s.io' }] }]);
  });
  test('deprecated fields give a synth warning naming them and the replication alternative', () => {
    const [w] = warnings(tenant);
    for (const f of ['spec.networkPolicies', 'spec.resourceQuotas', 'spec.limitRanges', 'spec.containerRegistries', 'spec.namespaceOptions.additionalMetadata']) {
      expect(w).toContain(f);
    }
    expect(w).toContain('GlobalTenantResource');
  });
  test('no prevent_destroy and no GlobalTenantResource by default', () => {
    expect(manifest.lifecycle).toBeUndefined();
    expect(manifests(json, 'GlobalTenantResource')).toEqual([]);
    expect(tenant.replication).toBeUndefined();
  });
});

describe('CapsuleTenant defaults', () => {
  const { tenant, json } = tenantOf({});
  const spec = manifests(json, 'Tenant')[0].manifest.spec;

  test('a minimal tenant emits only the owners (no empty or undefined keys: no perpetual diffs)', () => {
    expect(spec).toEqual({ owners: [{ kind: 'Group', name: GROUP, clusterRoles: ['admin', 'capsule-namespace-deleter'] }] });
  });
  test('empty lists and maps are left out too', () => {
    const { json: j } = tenantOf({ nodeSelector: {}, containerRegistries: { allowed: [] }, namespaceOptions: {}, ingressOptions: {}, storageClasses: { allowed: [] }, networkPolicies: { items: [] } });
    expect(manifests(j, 'Tenant')[0].manifest.spec).toEqual(spec);
  });
  test('resourceQuotas.scope defaults to Tenant', () => {
    const { json: j } = tenantOf({ resourceQuotas: { items: [{ hard: { pods: '5' } }] } });
    expect(manifests(j, 'Tenant')[0].manifest.spec.resourceQuotas.scope).toBe('Tenant');
  });
  test('no warning without deprecated fields', () => {
    expect(warnings(tenant)).toEqual([]);
  });
  test('preventDestroy sets lifecycle.prevent_destroy', () => {
    const { json: j } = tenantOf({ preventDestroy: true });
    expect(manifests(j, 'Tenant')[0].lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe('CapsuleTenant replication through a GlobalTenantResource', () => {
  const { tenant, json } = tenantOf({
    networkPolicies: { items: [isolatedNetworkPolicy('team-a')] },
    limitRanges: { items: [standardLimitRange()] },
    replication: 'global-tenant-resource',
    preventDestroy: true,
  });
  const spec = manifests(json, 'Tenant')[0].manifest.spec;
  const [gtr] = manifests(json, 'GlobalTenantResource');

  test('network policies and limit ranges leave the Tenant spec (no deprecated fields, no warning)', () => {
    expect(spec.networkPolicies).toBeUndefined();
    expect(spec.limitRanges).toBeUndefined();
    expect(warnings(tenant)).toEqual([]);
  });
  test('a GlobalTenantResource selects the tenant by its label and replicates them into each namespace', () => {
    expect(gtr.manifest.apiVersion).toBe('capsule.clastix.io/v1beta2');
    expect(gtr.manifest.metadata.name).toBe('team-a-policies');
    expect(gtr.manifest.spec.tenantSelector).toEqual({ matchLabels: { [TENANT_SELECTOR_LABEL]: 'team-a' } });
    expect(gtr.manifest.spec.scope).toBe('Namespace');
    expect(gtr.manifest.spec.resources[0].rawItems).toEqual([
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'capsule-team-a-netpol-0' }, spec: isolatedNetworkPolicy('team-a') },
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'capsule-team-a-limits-0' }, spec: standardLimitRange() },
    ]);
  });
  test('it is created after the Tenant, its replication identity and that identity\'s rights, and protected like it', () => {
    const [tenantKey] = Object.entries(json.resource.kubernetes_manifest).find(([, r]) => (r as Json).manifest.kind === 'Tenant')!;
    const [saKey] = Object.keys(json.resource.kubernetes_service_account_v1);
    const [roleKey] = Object.keys(json.resource.kubernetes_cluster_role_v1);
    expect(gtr.depends_on).toEqual([`kubernetes_manifest.${tenantKey}`, `kubernetes_service_account_v1.${saKey}`, `kubernetes_cluster_role_v1.${roleKey}`]);
    expect(gtr.lifecycle).toEqual({ prevent_destroy: true });
  });
  test('it replicates as its own ServiceAccount with rights on network policies and limit ranges only (GHSA-qjjm-7j9w-pw72)', () => {
    expect(gtr.manifest.spec.serviceAccount).toEqual({ name: 'team-a-replicator', namespace: 'capsule-system' });
    const [sa] = resources(json, 'kubernetes_service_account_v1');
    expect(sa.metadata).toMatchObject({ name: 'team-a-replicator', namespace: 'capsule-system' });
    // Only what Capsule v0.14.0's impersonated client does: get, server-side apply (patch, create) and prune (delete).
    const [role] = resources(json, 'kubernetes_cluster_role_v1');
    expect(role.rule).toEqual([
      { api_groups: [''], resources: ['limitranges'], verbs: ['get', 'create', 'patch', 'delete'] },
      { api_groups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch', 'delete'] },
    ]);
  });
  test('its rights hold in the tenant\'s namespaces only: a Tenant rule binds them there, no ClusterRoleBinding (issue 14.5)', () => {
    expect(json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
    expect(spec.rules).toEqual([
      {
        permissions: {
          bindings: [{ clusterRoleName: 'team-a-replicator', subjects: [{ kind: 'ServiceAccount', name: 'team-a-replicator', namespace: 'capsule-system' }] }],
        },
      },
    ]);
    // Without replication (or without items) no identity and no rule.
    expect(manifests(tenantOf({ networkPolicies: { items: [isolatedNetworkPolicy('team-a')] } }).json, 'Tenant')[0].manifest.spec.rules).toBeUndefined();
  });
  test('a long tenant name gives a replication name of at most 63 characters that does not end with "-"', () => {
    const long = 'a'.repeat(62);
    const json = tenantOf({ name: long, networkPolicies: { items: [isolatedNetworkPolicy(long)] }, replication: 'global-tenant-resource' }).json;
    expect(manifests(json, 'GlobalTenantResource')[0].manifest.metadata.name).toBe(long);
  });
  test('a shared ServiceAccount can be given instead', () => {
    const shared = tenantOf({
      networkPolicies: { items: [isolatedNetworkPolicy('team-a')] },
      replication: 'global-tenant-resource',
      replicationServiceAccount: { name: 'replicator', namespace: 'capsule-system' },
    }).json;
    expect(manifests(shared, 'GlobalTenantResource')[0].manifest.spec.serviceAccount).toEqual({ name: 'replicator', namespace: 'capsule-system' });
    expect(shared.resource.kubernetes_service_account_v1).toBeUndefined();
    // A plain reference: its rights are whoever made it's business; the Tenant binds nothing.
    expect(manifests(shared, 'Tenant')[0].manifest.spec.rules).toBeUndefined();
  });
  test('capsuleNamespace: the tenant\'s own replication ServiceAccount is made in Capsule\'s namespace (default capsule-system)', () => {
    const json = tenantOf({ networkPolicies: { items: [isolatedNetworkPolicy('team-a')] }, replication: 'global-tenant-resource', capsuleNamespace: 'capsule' }).json;
    expect(manifests(json, 'GlobalTenantResource')[0].manifest.spec.serviceAccount).toEqual({ name: 'team-a-replicator', namespace: 'capsule' });
    expect(resources(json, 'kubernetes_service_account_v1')[0].metadata).toMatchObject({ name: 'team-a-replicator', namespace: 'capsule' });
  });
  test('capsuleNamespace must be a namespace name', () => {
    expect(() => tenantOf({ capsuleNamespace: 'Capsule_System' })).toThrow(/capsuleNamespace "Capsule_System" is invalid: must be a namespace name/);
  });
  test('a shared ReplicationServiceAccount construct: bound in this tenant\'s namespaces, the replication depends on it (create and destroy order)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const replicator = new ReplicationServiceAccount(stack, 'replicator', { name: 'replicator', namespace: 'capsule-system', kinds: POLICY_REPLICATED_KINDS });
    new CapsuleTenant(stack, 'tenant', {
      name: 'team-a',
      owners: [{ kind: 'Group', name: GROUP }],
      networkPolicies: { items: [isolatedNetworkPolicy('team-a')] },
      replication: 'global-tenant-resource',
      replicationServiceAccount: replicator,
    });
    const json = synthJson(stack);
    const gtr = manifests(json, 'GlobalTenantResource')[0];
    expect(gtr.manifest.spec.serviceAccount).toEqual({ name: 'replicator', namespace: 'capsule-system' });
    expect(gtr.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_service_account_v1\./), expect.stringMatching(/^kubernetes_cluster_role_v1\./)]));
    expect(manifests(json, 'Tenant')[0].manifest.spec.rules).toEqual([{ permissions: { bindings: [replicator.tenantBinding] } }]);
    expect(replicator.tenantBinding).toEqual({ clusterRoleName: 'replicator', subjects: [{ kind: 'ServiceAccount', name: 'replicator', namespace: 'capsule-system' }] });
  });
});

describe('CapsuleTenant classes seen through capsule-proxy', () => {
  test('a kind allowed both by name and by labels warns (capsule-proxy v0.14.0 ANDs the selectors: an empty list)', () => {
    const s = stack();
    new CapsuleTenant(s, 'tenant', { name: 'team-a', owners: [{ kind: 'Group', name: GROUP }], storageClasses: { allowed: ['managed-csi'], matchLabels: { tier: 'tenant' } } });
    const warnings = s.node.findAll().flatMap((c) => c.node.metadata).filter((m) => /warn/i.test(m.type)).map((m) => String(m.data));
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^storageClasses: allowed both by name and by matchLabels/)]));
  });
  test('by name only: no such warning', () => {
    const s = stack();
    new CapsuleTenant(s, 'tenant', { name: 'team-a', owners: [{ kind: 'Group', name: GROUP }], storageClasses: { allowed: ['managed-csi'] } });
    expect(s.node.findAll().flatMap((c) => c.node.metadata).map((m) => String(m.data)).filter((d) => /matchLabels/.test(d))).toEqual([]);
  });
});

describe('CapsuleTenant validation', () => {
  const make = (props: Partial<CapsuleTenantProps>) => () => tenantOf(props);

  test('name must be a lowercase RFC 1123 label', () => {
    expect(make({ name: 'Team_A' })).toThrow(/test\/tenant: name "Team_A" is invalid: must be a lowercase RFC 1123 label/);
  });
  test('name must be at most 63 characters', () => {
    expect(make({ name: 'a'.repeat(64) })).toThrow(/name "a{64}" is invalid/);
  });
  test('at least one owner', () => {
    expect(make({ owners: [] })).toThrow(/owners \[\] is invalid: must have at least one owner/);
  });
  test('owner kind must be Group, User or ServiceAccount', () => {
    expect(make({ owners: [{ kind: 'Team' as 'Group', name: GROUP }] })).toThrow(/owners\[0\]\.kind "Team" is invalid: must be one of Group, User, ServiceAccount/);
  });
  test('User owners must be UPNs (AKS presents users by UPN)', () => {
    expect(make({ owners: [{ kind: 'User', name: '55555555-5555-5555-5555-555555555555' }] })).toThrow(/owners\[0\]\.name .* must be a user principal name .*UPN, not by object ID/);
  });
  test('ServiceAccount owners must be system:serviceaccount:<ns>:<name>', () => {
    expect(make({ owners: [{ kind: 'ServiceAccount', name: 'deployer' }] })).toThrow(/owners\[0\]\.name "deployer" is invalid: must be a service account user name/);
  });
  test('owner name must not be empty', () => {
    expect(make({ owners: [{ kind: 'Group', name: '' }] })).toThrow(/owners\[0\]\.name "" is invalid/);
  });
  test('clusterRoles, when given, must not be empty', () => {
    expect(make({ owners: [{ kind: 'Group', name: GROUP, clusterRoles: [] }] })).toThrow(/owners\[0\]\.clusterRoles \[\] is invalid/);
  });
  test('a Group owner that is not an object ID is a warning (AKS presents groups by object ID)', () => {
    const { tenant } = tenantOf({ owners: [{ kind: 'Group', name: 'devs' }] });
    expect(warnings(tenant)).toEqual([expect.stringContaining('owners[0].name "devs" is not an object ID')]);
  });
  test('namespaceOptions.quota must be a whole number >= 1 (Tenant CRD minimum)', () => {
    expect(make({ namespaceOptions: { quota: -1 } })).toThrow(/namespaceOptions\.quota -1 is invalid: must be a whole number >= 1/);
    expect(make({ namespaceOptions: { quota: 1.5 } })).toThrow(/namespaceOptions\.quota 1\.5 is invalid/);
    expect(make({ namespaceOptions: { quota: 0 } })).toThrow(/namespaceOptions\.quota 0 is invalid: must be a whole number >= 1/);
    expect(make({ namespaceOptions: { quota: 1 } })).not.toThrow();
  });
  test('network policy ipBlock CIDRs are checked', () => {
    const bad = { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] };
    expect(make({ networkPolicies: { items: [bad] } })).toThrow(/networkPolicies\.items\[0\]\.egress\[0\]\.to\[0\]\.ipBlock\.cidr "10\.0\.0\.0\/33" is invalid/);
  });
  test('network policy ipBlock except CIDRs are checked', () => {
    const bad = { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.1'] } }] }] };
    expect(make({ networkPolicies: { items: [bad] } })).toThrow(/ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\] "10\.0\.0\.1" is invalid/);
  });
  test('resourceQuotas.scope must be Tenant or Namespace', () => {
    expect(make({ resourceQuotas: { scope: 'Cluster' as 'Tenant', items: [{}] } })).toThrow(/resourceQuotas\.scope "Cluster" is invalid: must be one of Tenant, Namespace/);
  });
  test('ingressOptions.hostnameCollisionScope must be a CRD value', () => {
    expect(make({ ingressOptions: { hostnameCollisionScope: 'Global' as 'Cluster' } })).toThrow(/hostnameCollisionScope "Global" is invalid: must be one of Cluster, Tenant, Namespace, Disabled/);
  });
  test('replication must be tenant-spec or global-tenant-resource', () => {
    expect(make({ replication: 'gtr' as 'tenant-spec' })).toThrow(/replication "gtr" is invalid/);
  });
  test('additionalRoleBindings need subjects', () => {
    expect(make({ additionalRoleBindings: [{ clusterRoleName: 'view', subjects: [] }] })).toThrow(/additionalRoleBindings\[0\]\.subjects \[\] is invalid/);
  });
});

describe('tenant presets', () => {
  test('isolated = the POC: ingress only from the tenant\'s namespaces, egress to 0.0.0.0/0', () => {
    expect(isolatedNetworkPolicy('dev')).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'capsule.clastix.io/tenant': 'dev' } } }] }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
  });
  test('isolated-strict: same ingress; egress to the tenant, cluster DNS and public addresses only', () => {
    const p = isolatedStrictNetworkPolicy('dev');
    expect(p.ingress).toEqual(isolatedNetworkPolicy('dev').ingress);
    const peers = (p.egress ?? []).flatMap((r) => r.to ?? []);
    expect(peers).toContainEqual({ namespaceSelector: { matchLabels: { 'capsule.clastix.io/tenant': 'dev' } } });
    expect(p.egress?.find((r) => r.ports)?.ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    const internet = peers.find((x) => x.ipBlock)?.ipBlock;
    expect(internet).toEqual({ cidr: '0.0.0.0/0', except: [...PRIVATE_IPV4_RANGES] });
    expect(internet?.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
  });
  test('presets by name for the environment file', () => {
    expect(Object.keys(NETWORK_POLICY_PRESETS).sort()).toEqual(['isolated', 'isolated-strict']);
    expect(NETWORK_POLICY_PRESETS.isolated('x')).toEqual(isolatedNetworkPolicy('x'));
  });
  test('standard limit range: container default requests and limits', () => {
    expect(standardLimitRange().limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { cpu: '500m', memory: '512Mi' } });
  });
  test('presets pass the construct\'s CIDR validation', () => {
    expect(() => tenantOf({ networkPolicies: { items: [isolatedNetworkPolicy('team-a'), isolatedStrictNetworkPolicy('team-a')] } })).not.toThrow();
  });
});
