import { Testing, TerraformStack } from 'cdktf';
import { POLICY_REPLICATED_KINDS, ReplicationServiceAccount, ReplicationServiceAccountProps } from '../constructs/replication-service-account';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

function synthReplicator(props: Partial<ReplicationServiceAccountProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new ReplicationServiceAccount(stack, 'replicator', { name: 'replicator', namespace: 'capsule-system', kinds: POLICY_REPLICATED_KINDS, ...props });
  return synthJson(stack);
}

describe('ReplicationServiceAccount', () => {
  const json = synthReplicator();

  test('a ServiceAccount without an automounted token', () => {
    expect(resources(json, 'kubernetes_service_account_v1')).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'replicator', namespace: 'capsule-system' }), automount_service_account_token: false }),
    ]);
  });

  test('a ClusterRole on the replicated kinds only (network policies and limit ranges), not bound cluster-wide: each Tenant binds it in its namespaces', () => {
    const [role] = resources(json, 'kubernetes_cluster_role_v1');
    expect(role.rule.map((r: Json) => [r.api_groups, r.resources, r.verbs])).toEqual([
      [[''], ['limitranges'], ['get', 'create', 'patch', 'delete']],
      [['networking.k8s.io'], ['networkpolicies'], ['get', 'create', 'patch', 'delete']],
    ]);
    expect(json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
    const stack = new TerraformStack(Testing.app(), 'test');
    const sa = new ReplicationServiceAccount(stack, 'replicator', { name: 'replicator', namespace: 'capsule-system', kinds: POLICY_REPLICATED_KINDS });
    expect(sa.tenantBinding).toEqual({ clusterRoleName: 'replicator', subjects: [{ kind: 'ServiceAccount', name: 'replicator', namespace: 'capsule-system' }] });
  });

  test.each([
    [{ name: 'Replicator' }, /test\/replicator: name "Replicator" is invalid/],
    [{ namespace: 'Capsule System' }, /namespace "Capsule System" is invalid/],
    [{ kinds: [] }, /kinds \[\] is invalid: must name at least one replicated kind/],
    [{ kinds: [{ apiGroup: '*', resource: 'networkpolicies' }] }, /kinds\[0\] .* is invalid: must be one API group and resource \(no "\*"\)/],
  ])('rejects %j', (props, message) => {
    expect(() => synthReplicator(props)).toThrow(ValidationError);
    expect(() => synthReplicator(props)).toThrow(message);
  });
});
