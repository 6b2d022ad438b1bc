import * as fs from 'fs';
import * as path from 'path';
import { App, Testing, TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { CapsuleOperator, CapsuleOperatorProps } from '../constructs/capsule-operator';
import { AksKubeProviders } from '../constructs/aks-kube-providers';
import { CapsuleTenant } from '../constructs/capsule-tenant';
import { isolatedNetworkPolicy } from '../constructs/tenant-presets';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const ADMINS = '11111111-1111-1111-1111-111111111111';
const USERS = '22222222-2222-2222-2222-222222222222';
const TEAM_A = '33333333-3333-3333-3333-333333333333';

function stack(app: App = Testing.app(), id = 'test'): TerraformStack {
  return new TerraformStack(app, id);
}

function values(json: Json): Json {
  return parse(resources(json, 'helm_release')[0].values[0]);
}

function synthOperator(props: CapsuleOperatorProps = { users: [{ kind: 'Group', name: USERS }] }): { op: CapsuleOperator; json: Json } {
  const s = stack();
  const op = new CapsuleOperator(s, 'capsule', props);
  return { op, json: synthJson(s) };
}

/** An operator stack and a tenants stack, synthesized as a whole app. */
function operatorAndTenants(build: (op: CapsuleOperator, tenants: TerraformStack) => void, props: CapsuleOperatorProps = {}) {
  const app = Testing.app();
  const capsule = stack(app, 'capsule');
  const tenants = stack(app, 'tenants');
  for (const s of [capsule, tenants]) new AksKubeProviders(s, 'kube', { host: 'https://aks.example.com:443', clusterCaCertificate: 'Q0E=' });
  const op = new CapsuleOperator(capsule, 'capsule', props);
  build(op, tenants);
  app.synth();
  const read = (s: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  return { op, capsule: read('capsule'), tenants: read('tenants'), manifest };
}

describe('CapsuleOperator namespace (createNamespace)', () => {
  test('created by default: capsule-system, labelled managed-by capsule-aks, before the release', () => {
    const { op, json } = synthOperator();
    const [ns] = resources(json, 'kubernetes_namespace_v1');
    expect(ns.metadata).toEqual({ name: 'capsule-system', labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } });
    const key = Object.keys(json.resource.kubernetes_namespace_v1)[0];
    expect(resources(json, 'helm_release')[0].depends_on).toEqual([`kubernetes_namespace_v1.${key}`]);
    expect(op.namespaceResource).toBeDefined();
  });

  test('follows the namespace prop', () => {
    const { json } = synthOperator({ users: [{ kind: 'Group', name: USERS }], namespace: 'capsule' });
    expect(resources(json, 'kubernetes_namespace_v1')[0].metadata.name).toBe('capsule');
  });

  test('createNamespace false: no namespace resource, the release keeps only the given dependsOn', () => {
    const { op, json } = synthOperator({ users: [{ kind: 'Group', name: USERS }], createNamespace: false });
    expect(resources(json, 'kubernetes_namespace_v1')).toEqual([]);
    expect(resources(json, 'helm_release')[0].depends_on).toBeUndefined();
    expect(op.namespaceResource).toBeUndefined();
  });

  test('rejects a createNamespace that is not a boolean', () => {
    expect(() => synthOperator({ users: [{ kind: 'Group', name: USERS }], createNamespace: 'yes' as never })).toThrow(ValidationError);
    expect(() => synthOperator({ users: [{ kind: 'Group', name: USERS }], createNamespace: 'yes' as never })).toThrow('test/capsule: createNamespace "yes" is invalid: must be true or false');
  });
});

describe('CapsuleOperator users and ignoredUserGroups by reference', () => {
  test('users default to none: without a tenant, synth refuses the operator naming its path', () => {
    expect(() => synthOperator({})).toThrow(ValidationError);
    expect(() => synthOperator({})).toThrow(/test\/capsule: users \[\] is invalid: must list at least one Capsule user or group, or the operator must get a tenant \(addTenant\)/);
  });

  test('ignoredUserGroups takes groups by reference (anything with an objectId)', () => {
    const { op, json } = synthOperator({ users: [{ kind: 'Group', name: USERS }], ignoredUserGroups: [{ objectId: ADMINS }, ADMINS] });
    expect(values(json).manager.options.ignoreUserWithGroups).toEqual([ADMINS]);
    expect(op.ignoredUserGroups).toEqual([ADMINS]);
  });

  test('a group given by reference must still have a GUID object ID', () => {
    expect(() => synthOperator({ users: [{ kind: 'Group', name: USERS }], ignoredUserGroups: [{ objectId: 'admins' }] })).toThrow(/ignoredUserGroups\[0\] "admins" is invalid: must be a GUID/);
  });
});

describe('CapsuleOperator.addTenant', () => {
  const owners = [
    { kind: 'Group' as const, name: TEAM_A },
    { kind: 'User' as const, name: 'alice@contoso.com' },
  ];

  test('the Tenant goes to the given stack, which is deployed after the operator\'s', () => {
    let tenant: CapsuleTenant | undefined;
    const { op, tenants, capsule, manifest } = operatorAndTenants((o, t) => (tenant = o.addTenant('team-a', { scope: t, name: 'team-a', owners })));
    expect(resources(tenants, 'kubernetes_manifest').map((m: Json) => m.manifest.metadata.name)).toEqual(['team-a']);
    expect(resources(capsule, 'kubernetes_manifest')).toEqual([]);
    expect(manifest.stacks.tenants.dependencies).toEqual(['capsule']);
    expect(tenant!.node.path).toBe('tenants/team-a');
    expect(op.tenants).toEqual([tenant]);
    // No depends_on across stacks (Terraform cannot name a resource of another state).
    expect(resources(tenants, 'kubernetes_manifest')[0].depends_on).toBeUndefined();
  });

  test('every owner becomes a Capsule user by itself (issue 12 item 5), after the given users, without duplicates', () => {
    const { capsule } = operatorAndTenants(
      (o, t) => {
        o.addTenant('team-a', { scope: t, name: 'team-a', owners });
        o.addTenant('team-b', { scope: t, name: 'team-b', owners: [{ kind: 'Group', name: TEAM_A }, { kind: 'ServiceAccount', name: 'system:serviceaccount:team-b-ci:deployer' }] });
      },
      { users: [{ kind: 'Group', name: USERS }, { kind: 'User', name: 'alice@contoso.com' }] },
    );
    expect(values(capsule).manager.options.users).toEqual([
      { kind: 'Group', name: USERS },
      { kind: 'User', name: 'alice@contoso.com' },
      { kind: 'Group', name: TEAM_A },
      { kind: 'ServiceAccount', name: 'system:serviceaccount:team-b-ci:deployer' },
    ]);
  });

  test('the Helm values are rendered again when a tenant is added after a first synth (the rendering is remembered only while the values stay the same)', () => {
    const s = stack();
    const op = new CapsuleOperator(s, 'capsule', { users: [{ kind: 'Group', name: USERS }] });
    expect(values(synthJson(s)).manager.options.users).toEqual([{ kind: 'Group', name: USERS }]);
    op.addTenant('team-a', { scope: stack(Testing.app(), 'tenants'), name: 'team-a', owners: [{ kind: 'Group', name: TEAM_A }] });
    expect(values(synthJson(s)).manager.options.users).toEqual([
      { kind: 'Group', name: USERS },
      { kind: 'Group', name: TEAM_A },
    ]);
  });

  test('a tenant with a ServiceAccount owner pins the release\'s forceTenantPrefix on its Tenant (issue 14, the owner\'s namespace must provably be the tenant\'s)', () => {
    const sa = { kind: 'ServiceAccount' as const, name: 'system:serviceaccount:team-b-ci:deployer' };
    const specs = (props: CapsuleOperatorProps) =>
      Object.fromEntries(
        resources(operatorAndTenants((o, t) => {
          o.addTenant('team-a', { scope: t, name: 'team-a', owners });
          o.addTenant('team-b', { scope: t, name: 'team-b', owners: [sa] });
        }, props).tenants, 'kubernetes_manifest').map((r: Json) => [r.manifest.metadata.name, r.manifest.spec]),
      );
    const on = specs({});
    expect(on['team-b'].forceTenantPrefix).toBe(true);
    expect(on['team-a'].forceTenantPrefix).toBeUndefined();
    // Release without the prefix: the ServiceAccount owner is refused (nothing ties its namespace to the tenant).
    expect(() => specs({ forceTenantPrefix: false })).toThrow(/owners\[0\]\.name "system:serviceaccount:team-b-ci:deployer" is invalid: needs forceTenantPrefix true for tenant team-b/);
  });

  test('a tenant\'s own replication ServiceAccount goes to the operator\'s namespace, not a fixed capsule-system', () => {
    const { tenants } = operatorAndTenants(
      (o, t) => o.addTenant('team-a', { scope: t, name: 'team-a', owners, networkPolicies: { items: [isolatedNetworkPolicy('team-a')] }, replication: 'global-tenant-resource' }),
      { namespace: 'capsule' },
    );
    expect(resources(tenants, 'kubernetes_service_account_v1')[0].metadata).toMatchObject({ name: 'team-a-replicator', namespace: 'capsule' });
  });

  test('a tenant alone is enough: users may be left out', () => {
    const { capsule } = operatorAndTenants((o, t) => o.addTenant('team-a', { scope: t, name: 'team-a', owners }));
    expect(values(capsule).manager.options.users).toEqual(owners);
  });

  test('refuses the operator\'s own stack: the Tenant CRD would not exist when it is planned', () => {
    const s = stack();
    const op = new CapsuleOperator(s, 'capsule', {});
    const add = () => op.addTenant('team-a', { scope: s, name: 'team-a', owners });
    expect(add).toThrow(ValidationError);
    expect(add).toThrow(
      'test/capsule: addTenant("team-a").scope "test" is invalid: must be in a stack deployed after the operator\'s stack "test", not in it: a kubernetes_manifest Tenant needs the Tenant CRD when its stack is planned',
    );
  });

  test('refuses a scope that is not a construct', () => {
    const op = new CapsuleOperator(stack(), 'capsule', {});
    expect(() => op.addTenant('team-a', { scope: 'tenants' as never, name: 'team-a', owners })).toThrow(/test\/capsule: addTenant\("team-a"\)\.scope "tenants" is invalid: must be a construct/);
  });

  test('owners are checked as Capsule users: a Group owner must be an object ID', () => {
    const app = Testing.app();
    const op = new CapsuleOperator(stack(app, 'capsule'), 'capsule', {});
    const t = stack(app, 'tenants');
    expect(() => op.addTenant('team-a', { scope: t, name: 'team-a', owners: [{ kind: 'Group', name: 'team-a' }] })).toThrow(/capsule\/capsule: addTenant\("team-a"\)\.owners\[0\]\.name "team-a" is invalid: must be a GUID/);
  });
});
