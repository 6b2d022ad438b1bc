import { Testing, TerraformStack } from 'cdktf';
import { AllowedClassLabels, AllowedClassLabelsProps } from '../constructs/allowed-class-labels';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

function synthLabels(props: Partial<AllowedClassLabelsProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AllowedClassLabels(stack, 'labels', { tenant: 'team-a', classes: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', names: ['managed-csi'] }], ...props });
  return synthJson(stack);
}

describe('AllowedClassLabels', () => {
  test('one kubernetes_labels per class: kubernetes.io/metadata.name=<name>, field manager capsule-aks-<tenant>', () => {
    expect(resources(synthLabels(), 'kubernetes_labels')).toEqual([
      expect.objectContaining({
        api_version: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'managed-csi' },
        labels: { 'kubernetes.io/metadata.name': 'managed-csi' },
        field_manager: 'capsule-aks-team-a',
      }),
    ]);
  });

  test.each([
    [{ tenant: 'Team A' }, /test\/labels: tenant "Team A" is invalid/],
    [{ classes: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' as const, names: ['Managed_CSI'] }] }, /test\/labels: classes\[0\]\.names\[0\] "Managed_CSI" is invalid: must be a class name/],
  ])('rejects %j', (props, message) => {
    expect(() => synthLabels(props)).toThrow(ValidationError);
    expect(() => synthLabels(props)).toThrow(message);
  });
});
