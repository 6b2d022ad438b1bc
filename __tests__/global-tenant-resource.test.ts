import { TerraformStack, Testing } from 'cdktf';
import { GlobalTenantResource } from '../constructs/global-tenant-resource';
import { standardLimitRange } from '../constructs/tenant-presets';
import { Json, resources, synthJson } from './helpers';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

describe('GlobalTenantResource', () => {
  test('a GlobalTenantResource manifest that replicates the items into the selected tenants\' namespaces', () => {
    const s = stack();
    const item = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits' }, spec: standardLimitRange() };
    new GlobalTenantResource(s, 'g', { name: 'team-a-policies', tenantSelector: { 'capsule-aks.io/tenant': 'team-a' }, items: [item] });
    const [m] = resources(synthJson(s), 'kubernetes_manifest') as Json[];
    expect(m.manifest.kind).toBe('GlobalTenantResource');
    expect(m.manifest.metadata.name).toBe('team-a-policies');
    expect(JSON.stringify(m.manifest.spec)).toContain('"capsule-aks.io/tenant":"team-a"');
    expect(JSON.stringify(m.manifest.spec)).toContain('"kind":"LimitRange"');
  });
});

describe('GlobalTenantResource validation', () => {
  const item = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'x' }, spec: standardLimitRange() };
  test('an empty tenant selector is refused (it would select every tenant)', () => {
    expect(() => new GlobalTenantResource(stack(), 'g', { name: 'x', tenantSelector: {}, items: [item] })).toThrow(/tenantSelector \{\} is invalid/);
  });
  test('at least one item', () => {
    expect(() => new GlobalTenantResource(stack(), 'g', { name: 'x', tenantSelector: { a: 'b' }, items: [] })).toThrow(/items \[\] is invalid/);
  });
  test('resyncPeriod must be a Go duration', () => {
    expect(() => new GlobalTenantResource(stack(), 'g', { name: 'x', tenantSelector: { a: 'b' }, items: [item], resyncPeriod: 'often' })).toThrow(/resyncPeriod "often" is invalid/);
  });
  test('name must be a lowercase RFC 1123 label', () => {
    expect(() => new GlobalTenantResource(stack(), 'g', { name: 'X', tenantSelector: { a: 'b' }, items: [item] })).toThrow(/name "X" is invalid/);
  });
});
