import { Testing, TerraformStack } from 'cdktf';
import { GlobalProxySetting, GlobalProxySettingProps } from '../constructs/global-proxy-setting';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const GROUP = '33333333-3333-3333-3333-333333333333';
const STORAGE = { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], selector: { matchLabels: { tier: 'standard' } } };

function synthSetting(props: Partial<GlobalProxySettingProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new GlobalProxySetting(stack, 'gps', { name: 'team-a-proxy', subjects: [{ kind: 'Group', name: GROUP }], clusterResources: [STORAGE], ...props });
  return synthJson(stack);
}

describe('GlobalProxySetting', () => {
  test('a cluster-scoped GlobalProxySettings (v1beta1) letting the subjects List and Get the selected resources', () => {
    const [m] = resources(synthSetting(), 'kubernetes_manifest');
    expect(m.manifest).toEqual({
      apiVersion: 'capsule.clastix.io/v1beta1',
      kind: 'GlobalProxySettings',
      metadata: { name: 'team-a-proxy', labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
      spec: { rules: [{ subjects: [{ kind: 'Group', name: GROUP }], clusterResources: [{ ...STORAGE, operations: ['List', 'Get'] }] }] },
    });
    expect(m.lifecycle).toBeUndefined();
  });

  test('preventDestroy sets prevent_destroy', () => {
    expect(resources(synthSetting({ preventDestroy: true }), 'kubernetes_manifest')[0].lifecycle).toEqual({ prevent_destroy: true });
  });

  test.each([
    [{ name: 'Team_A' }, /test\/gps: name "Team_A" is invalid/],
    [{ subjects: [] }, /subjects \[\] is invalid: must name at least one subject/],
    [{ clusterResources: [] }, /clusterResources \[\] is invalid/],
    [{ clusterResources: [{ ...STORAGE, resources: ['*'] }] }, /clusterResources\[0\]\.resources \["\*"\] is invalid/],
    [{ clusterResources: [{ ...STORAGE, apiGroups: ['*'] }] }, /clusterResources\[0\]\.apiGroups \["\*"\] is invalid/],
    [{ clusterResources: [{ ...STORAGE, operations: ['Delete' as never] }] }, /clusterResources\[0\]\.operations\[0\] "Delete" is invalid: must be List or Get/],
  ])('rejects %j', (props, message) => {
    expect(() => synthSetting(props)).toThrow(ValidationError);
    expect(() => synthSetting(props)).toThrow(message);
  });
});
