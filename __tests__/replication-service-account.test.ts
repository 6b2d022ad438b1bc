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

  test('a ClusterRole on the replicated kinds only (network policies and limit ranges), bound per tenant namespace, not cluster-wide', () => {
    const [role] = resources(json, 'kubernetes_cluster_role_v1');
    expect(role.rule.map((r: Json) => [r.api_groups, r.resources])).toEqual([
      [[''], ['limitranges']],
      [['networking.k8s.io'], ['networkpolicies']],
    ]);
    expect(resources(json, 'kubernetes_cluster_role_binding_v1')).toEqual([]);
  });

  test('tenantBinding: the RoleBinding a Tenant asks Capsule for, with the ServiceAccount as subject', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const r = new ReplicationServiceAccount(stack, 'replicator', { name: 'replicator', namespace: 'capsule-system', kinds: POLICY_REPLICATED_KINDS });
    expect(r.tenantBinding).toEqual({ clusterRoleName: 'replicator', subjects: [{ kind: 'ServiceAccount', name: 'replicator', namespace: 'capsule-system' }] });
    expect(r.reference).toEqual({ name: 'replicator', namespace: 'capsule-system' });
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
