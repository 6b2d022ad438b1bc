import { Testing, TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { CertManager, CertManagerProps } from '../constructs/cert-manager';
import { ValidationError } from '../constructs/validation';
import { Json, resources, synthJson } from './helpers';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

const buildCertManager = (p: CertManagerProps) => () => new CertManager(stack(), 'cm', p);

describe('CertManager', () => {
  const s = stack();
  new CertManager(s, 'cm');
  const r: Json = resources(synthJson(s), 'helm_release')[0];

  test('defaults: jetstack chart v1.19.1 with CRDs in its own namespace', () => {
    expect(r).toMatchObject({ name: 'cert-manager', repository: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.19.1', namespace: 'cert-manager', create_namespace: true, wait: true, atomic: true, cleanup_on_fail: true, timeout: 600 });
    expect(parse(r.values[0])).toEqual({ crds: { enabled: true } });
  });

  test.each([
    [{ chartVersion: 'v1.19' }, /cm: chartVersion "v1.19" is invalid: must be a pinned chart version/],
    [{ chartVersion: '>=1.19.0' }, /chartVersion ">=1.19.0" is invalid/],
    [{ namespace: 'Cert Manager' }, /namespace "Cert Manager" is invalid/],
  ])('rejects %j', (props, message) => {
    expect(buildCertManager(props)).toThrow(ValidationError);
    expect(buildCertManager(props)).toThrow(message);
  });
});
