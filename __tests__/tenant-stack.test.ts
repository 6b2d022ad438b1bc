import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { TenantsStack } from '../stacks/tenants-stack';
import { allowFromNamespacesNetworkPolicy, isolatedNetworkPolicy, isolatedStrictNetworkPolicy, standardLimitRange } from '../constructs/tenant-presets';
import { baseEnv, ENV_DIR, envFrom, Json, problemsOf, resources } from './helpers';

interface Synth {
  stack: TenantsStack;
  capsule: CapsuleStack;
  json: Json;
  /** cdktf's manifest.json (stack dependencies, which order deploy and destroy). */
  manifest: Json;
}

/** Full app synth (cross-stack references become remote state reads only there). */
function synthTenants(data: Json, name = 'poc'): Synth {
  const app = Testing.app();
  const cluster = new ClusterStack(app, `${name}-cluster`, { env: envFrom(data, name) });
  const capsule = new CapsuleStack(app, `${name}-capsule`, { cluster });
  const stack = new TenantsStack(app, `${name}-tenants`, { cluster, capsule });
  app.synth();
  const json = JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', `${name}-tenants`, 'cdk.tf.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  return { stack, capsule, json, manifest };
}

function tenants(json: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, r] of Object.entries(json.resource.kubernetes_manifest as Record<string, Json>)) {
    if (r.manifest.kind === 'Tenant') out[r.manifest.metadata.name] = { key, ...r };
  }
  return out;
}

const REMOTE_GROUP = (key: string) => new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-poc-cluster\\.outputs\\.[^}]*group-${key}[^}]*object_id\\}$`);

describe('poc-tenants (the POC)', () => {
  const { stack, capsule, json, manifest } = synthTenants(baseEnv());
  const t = tenants(json);

  test('one Tenant per tenant of the environment file: dev and staging', () => {
    expect(Object.keys(t).sort()).toEqual(['dev', 'staging']);
  });
  test('Group owners are the groups\' object IDs from the cluster stack, with the default cluster roles', () => {
    expect(t.dev.manifest.spec.owners).toEqual([{ kind: 'Group', name: expect.stringMatching(REMOTE_GROUP('dev')), clusterRoles: ['admin', 'capsule-namespace-deleter'] }]);
    expect(t.staging.manifest.spec.owners[0].name).toMatch(REMOTE_GROUP('staging'));
  });
  test('dev: the POC\'s isolation policy, tenant-scoped quota and hostnameCollisionScope Disabled', () => {
    const spec = t.dev.manifest.spec;
    expect(spec.networkPolicies).toEqual({ items: [isolatedNetworkPolicy('dev')] });
    expect(spec.resourceQuotas.scope).toBe('Tenant');
    expect(spec.resourceQuotas.items[0].hard).toMatchObject({ 'requests.cpu': '4', pods: '50' });
    expect(spec.ingressOptions).toEqual({ hostnameCollisionScope: 'Disabled' });
  });
  test('staging: owners only', () => {
    expect(Object.keys(t.staging.manifest.spec)).toEqual(['owners']);
  });
  test('construct IDs derive from the tenant names', () => {
    expect(t.dev.key).toMatch(/^tenant-dev_tenant_[0-9A-F]{8}$/);
    expect(t.staging.key).toMatch(/^tenant-staging_tenant_[0-9A-F]{8}$/);
  });
  test('not protected: no preventDeletion, no prevent_destroy', () => {
    for (const r of Object.values(t)) {
      expect(r.manifest.spec.preventDeletion).toBeUndefined();
      expect(r.lifecycle).toBeUndefined();
    }
  });
  test('depends on the capsule stack (deployed after it, destroyed before it, while the controller runs)', () => {
    expect(stack.dependencies).toContain(capsule);
    expect(manifest.stacks['poc-tenants'].dependencies).toEqual(expect.arrayContaining(['poc-capsule']));
  });
  test('no depends_on on other stacks\' attributes (Terraform refuses those)', () => {
    for (const r of Object.values(t)) expect(r.depends_on).toBeUndefined();
  });
  test('kubernetes provider through kubelogin, same as the capsule stack', () => {
    expect(json.provider.kubernetes[0].exec[0].command).toBe('kubelogin');
  });
});

describe('production-tenants (protected)', () => {
  const data = parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8'));
  const { json } = synthTenants(data, 'production');
  const t = tenants(json);

  test('every Tenant has spec.preventDeletion and lifecycle.prevent_destroy', () => {
    expect(Object.keys(t).sort()).toEqual(['payments', 'search']);
    for (const r of Object.values(t)) {
      expect(r.manifest.spec.preventDeletion).toBe(true);
      expect(r.lifecycle).toEqual({ prevent_destroy: true });
    }
  });
  test('policies are replicated by protected GlobalTenantResources, not deprecated Tenant fields', () => {
    const gtrs = resources(json, 'kubernetes_manifest').filter((r: Json) => r.manifest.kind === 'GlobalTenantResource');
    expect(gtrs.map((g: Json) => g.manifest.metadata.name).sort()).toEqual(['payments-policies', 'search-policies']);
    for (const g of gtrs) expect(g.lifecycle).toEqual({ prevent_destroy: true });
    const payments = gtrs.find((g: Json) => g.manifest.metadata.name === 'payments-policies');
    expect(payments.manifest.spec.resources[0].rawItems.map((i: Json) => i.spec)).toEqual([
      isolatedStrictNetworkPolicy('payments'),
      // production.yaml: tenancy.ingressControllerNamespaces, the namespace of the controller of class nginx
      allowFromNamespacesNetworkPolicy(['ingress-nginx']),
      standardLimitRange(),
    ]);
    for (const r of Object.values(t)) {
      for (const f of ['networkPolicies', 'limitRanges', 'resourceQuotas', 'containerRegistries', 'imagePullPolicies', 'podOptions', 'serviceOptions']) {
        expect(r.manifest.spec[f]).toBeUndefined();
      }
      for (const f of ['additionalMetadata', 'additionalMetadataList', 'forbiddenLabels', 'forbiddenAnnotations', 'requiredMetadata']) {
        expect(r.manifest.spec.namespaceOptions?.[f]).toBeUndefined();
      }
    }
  });
  test('hardened ingress and storage settings, namespace quota', () => {
    const spec = t.payments.manifest.spec;
    expect(spec.namespaceOptions).toEqual({ quota: 10 });
    expect(spec.ingressOptions).toMatchObject({ hostnameCollisionScope: 'Cluster', allowWildcardHostnames: false, allowedHostnames: { allowed: ['payments.example.com'] } });
    expect(spec.storageClasses.default).toBe('managed-csi');
  });
  test('owners by existing object ID are written as is', () => {
    expect(t.payments.manifest.spec.owners[0].name).toBe('33333333-3333-3333-3333-333333333333');
  });
});

describe('resource addresses are stable', () => {
  const data: Json = baseEnv();
  data.tenants = { qa: { owners: [{ group: 'staging' }] }, staging: data.tenants.staging, dev: data.tenants.dev };
  const reordered = tenants(synthTenants(data).json);
  const original = tenants(synthTenants(baseEnv()).json);

  test('reordering tenants and adding one changes no existing address or content', () => {
    for (const name of ['dev', 'staging']) {
      expect(reordered[name].key).toBe(original[name].key);
      expect(reordered[name].manifest).toEqual(original[name].manifest);
    }
    expect(reordered.qa.key).toMatch(/^tenant-qa_tenant_/);
  });
});

describe('owners of every form', () => {
  const data: Json = baseEnv();
  data.tenants.dev.owners = [
    { user: 'capsule-user-dev', clusterRoles: ['admin'] },
    { userPrincipalName: 'bob@contoso.onmicrosoft.com' },
    { groupObjectId: '55555555-5555-5555-5555-555555555555' },
  ];
  const t = tenants(synthTenants(data).json);

  test('{user: key} -> User by the created user\'s UPN; {userPrincipalName} -> User; {groupObjectId} -> Group', () => {
    const [user, upn, group] = t.dev.manifest.spec.owners;
    expect(user).toEqual({ kind: 'User', name: expect.stringMatching(/^\$\{data\.terraform_remote_state\..*user_principal_name\}$/), clusterRoles: ['admin'] });
    expect(upn).toEqual({ kind: 'User', name: 'bob@contoso.onmicrosoft.com', clusterRoles: ['admin', 'capsule-namespace-deleter'] });
    expect(group).toEqual({ kind: 'Group', name: '55555555-5555-5555-5555-555555555555', clusterRoles: ['admin', 'capsule-namespace-deleter'] });
  });
});

describe('protection and preventDeletion from the file', () => {
  test('preventDeletion: true in an unprotected environment sets the spec field only', () => {
    const data: Json = baseEnv();
    data.tenants.staging.preventDeletion = true;
    const t = tenants(synthTenants(data).json);
    expect(t.staging.manifest.spec.preventDeletion).toBe(true);
    expect(t.staging.lifecycle).toBeUndefined();
  });
  test('protected: true forces preventDeletion even when the tenant says false', () => {
    const data: Json = baseEnv();
    data.protected = true;
    data.access = { ...data.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    data.cluster.authorizedIpRanges = ['203.0.113.0/24'];
    data.tenants.staging.preventDeletion = false;
    const t = tenants(synthTenants(data).json);
    expect(t.staging.manifest.spec.preventDeletion).toBe(true);
    expect(t.staging.lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe('tenants section of the environment file', () => {
  const withTenant = (tenant: Json) => {
    const data: Json = baseEnv();
    data.tenants.dev = { owners: [{ group: 'dev' }], ...tenant };
    return problemsOf(data);
  };
  test('every key of the POC and production files is accepted', () => {
    expect(problemsOf(baseEnv())).toEqual([]);
    expect(problemsOf(parse(fs.readFileSync(path.join(ENV_DIR, 'production.yaml'), 'utf8')), 'production')).toEqual([]);
  });
  test('unknown network policy preset', () => {
    expect(withTenant({ networkPolicy: 'open' }).join('\n')).toMatch(/tenants\.dev\.networkPolicy/);
  });
  test('a CIDR inside a network policy is checked with its path', () => {
    expect(withTenant({ networkPolicies: [{ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.300/8' } }] }] }] }).join('\n')).toMatch(
      /tenants\.dev\.networkPolicies\.0\.egress\.0\.to\.0\.ipBlock\.cidr.*CIDR/,
    );
  });
  test('namespace quota must be >= 1 (Tenant CRD minimum)', () => {
    expect(withTenant({ namespaceOptions: { quota: -1 } }).join('\n')).toMatch(/tenants\.dev\.namespaceOptions\.quota/);
    expect(withTenant({ namespaceOptions: { quota: 0 } }).join('\n')).toMatch(/tenants\.dev\.namespaceOptions\.quota: 0 must be at least 1/);
  });
  test('resource quota scope must be Tenant or Namespace', () => {
    expect(withTenant({ resourceQuotas: { scope: 'Cluster', items: [{ hard: { pods: '1' } }] } }).join('\n')).toMatch(/tenants\.dev\.resourceQuotas\.scope/);
  });
  test('kubeconfigLogin must be devicecode or azurecli', () => {
    expect(withTenant({ kubeconfigLogin: 'spn' }).join('\n')).toMatch(/tenants\.dev\.kubeconfigLogin/);
  });
  test('unknown keys are refused', () => {
    expect(withTenant({ quota: 3 }).join('\n')).toMatch(/quota/);
  });
  test('owners must not be empty', () => {
    expect(withTenant({ owners: [] }).join('\n')).toMatch(/tenants\.dev\.owners/);
  });
});

describe('an environment without tenants', () => {
  const data: Json = baseEnv();
  delete data.tenants;
  delete data.policy;
  const { json } = synthTenants(data);

  test('an empty tenants stack: no Tenant, no CA read, no output', () => {
    expect(json.resource?.kubernetes_manifest).toBeUndefined();
    expect(json.data?.kubernetes_secret_v1).toBeUndefined();
    expect(json.output).toBeUndefined();
  });
});
