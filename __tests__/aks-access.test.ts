import { Testing, TerraformStack } from 'cdktf';
import { AKS_RBAC_PROPAGATION_SECONDS, AksAccess } from '../constructs/aks-access';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const OBJECT_ID = '11111111-1111-1111-1111-111111111111';
const SCOPE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks';

function build(propagationWaitSeconds?: number): { access: AksAccess; json: Json } {
  const stack = new TerraformStack(Testing.app(), 'test');
  const access = new AksAccess(stack, 'access', { scope: SCOPE, principals: { installer: { objectId: OBJECT_ID } }, roles: ['Azure Kubernetes Service RBAC Cluster Admin'], propagationWaitSeconds });
  return { access, json: synthJson(stack) };
}

describe('AksAccess', () => {
  test('no wait by default', () => {
    const { access, json } = build();
    expect(resources(json, 'time_sleep')).toEqual([]);
    expect(access.propagated).toBeUndefined();
  });

  test('propagationWaitSeconds: a time_sleep after every assignment, again when one is replaced (IDs as triggers)', () => {
    const { access, json } = build(300);
    const [key] = Object.keys(json.resource.azurerm_role_assignment);
    const [sleep] = resources(json, 'time_sleep');
    expect(sleep.create_duration).toBe('300s');
    expect(sleep.depends_on).toEqual([`azurerm_role_assignment.${key}`]);
    expect(sleep.triggers).toEqual({ 'installer-azure-kubernetes-service-rbac-cluster-admin': `\${azurerm_role_assignment.${key}.id}` });
    expect(access.propagated).toBeDefined();
  });

  test('the documented AKS propagation time is 5 minutes', () => expect(AKS_RBAC_PROPAGATION_SECONDS).toBe(300));

  test.each([-1, 3601, 1.5])('rejects propagationWaitSeconds %p', (n) => {
    expect(() => build(n)).toThrow(ValidationError);
    expect(() => build(n)).toThrow(/access: propagationWaitSeconds .* is invalid/);
  });
});

describe('AksAccess scope by reference', () => {
  test('a resource with an id (e.g. an AksCluster) is assigned at that id', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new AksAccess(stack, 'access', { scope: { id: SCOPE }, principals: { installer: { objectId: OBJECT_ID } }, roles: ['Reader'] });
    expect(resources(synthJson(stack), 'azurerm_role_assignment')[0].scope).toBe(SCOPE);
  });

  test('a scope that is neither a resource ID nor a resource with an id is refused, naming the field', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(() => new AksAccess(stack, 'access', { scope: {} as never, principals: { installer: { objectId: OBJECT_ID } } })).toThrow(
      /test\/access: scope "\[object Object\]" is invalid: must be a resource ID or a resource with an id/,
    );
  });
});
