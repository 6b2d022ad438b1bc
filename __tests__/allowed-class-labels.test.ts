import { Testing, TerraformStack } from 'cdktf';
import { AllowedClassLabels, AllowedClassLabelsProps } from '../constructs/allowed-class-labels';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

const STORAGE = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' as const, names: ['managed-csi', 'managed-csi-premium'] };

function synthLabels(props: Partial<AllowedClassLabelsProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AllowedClassLabels(stack, 'labels', { tenant: 'team-a', classes: [STORAGE], ...props });
  return synthJson(stack);
}

// capsule-proxy v0.14.0 selects classes by labels only (internal/webserver/webserver.go:451-470), and Kubernetes puts
// kubernetes.io/metadata.name on Namespaces only.
describe('AllowedClassLabels', () => {
  test('one kubernetes_labels per class: kubernetes.io/metadata.name=<name>, field manager capsule-aks-<tenant>, no force', () => {
    expect(resources(synthLabels(), 'kubernetes_labels').sort((a: Json, b: Json) => a.metadata.name.localeCompare(b.metadata.name))).toEqual([
      { api_version: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'managed-csi' }, labels: { 'kubernetes.io/metadata.name': 'managed-csi' }, field_manager: 'capsule-aks-team-a' },
      { api_version: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'managed-csi-premium' }, labels: { 'kubernetes.io/metadata.name': 'managed-csi-premium' }, field_manager: 'capsule-aks-team-a' },
    ]);
  });

  test.each([
    [{ tenant: 'Team_A' }, /test\/labels: tenant "Team_A" is invalid/],
    [{ classes: [{ ...STORAGE, names: ['Managed_CSI'] }] }, /classes\[0\]\.names\[0\] "Managed_CSI" is invalid: must be a class name/],
    [{ classes: [{ ...STORAGE, names: ['x'.repeat(64)] }] }, /classes\[0\]\.names\[0\] "x{64}" is invalid: must be a class name: 1-63/],
  ])('rejects %j', (props, message) => {
    expect(() => synthLabels(props)).toThrow(ValidationError);
    expect(() => synthLabels(props)).toThrow(message);
  });
});
