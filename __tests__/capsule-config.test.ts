import * as fs from 'fs';
import * as path from 'path';
import { baseEnv, ENV_DIR, envFrom, Json, problemsOf } from './helpers';
import { parseEnvironment } from '../config/load';

function withCapsule(capsule: unknown): Json {
  const e = baseEnv();
  e.capsule = capsule;
  return e;
}

describe('capsule section of the environment file', () => {
  test('the bundled environments are valid and set the capsule section', () => {
    for (const name of ['poc', 'production']) {
      const r = parseEnvironment(`${name}.yaml`, name, fs.readFileSync(path.join(ENV_DIR, `${name}.yaml`), 'utf8'));
      if ('problems' in r) throw new Error(r.problems.join('\n'));
      expect(r.env.capsule?.forceTenantPrefix).toBe(true);
      // No fixed DNS label: the default is unique per deployment (capsule-proxy-<random suffix kept in state).
      expect(r.env.capsule?.proxy?.dnsLabel).toBeUndefined();
    }
  });

  test('every key is optional', () => expect(problemsOf(withCapsule({}))).toEqual([]));

  test('accepts the full form', () => {
    const env = envFrom(
      withCapsule({
        chartVersion: '0.14.0',
        forceTenantPrefix: false,
        certificates: 'builtin',
        certManager: { install: false, chartVersion: 'v1.19.1' },
        replicas: 2,
        podDisruptionBudget: true,
        proxy: { chartVersion: '0.14.0', dnsLabel: 'my-proxy', replicas: 3, podDisruptionBudget: false, allowedIpRanges: ['203.0.113.0/24'], hostnames: ['capsule.example.com'], customCertificate: { certFile: 'a.pem', keyFile: 'b.pem', caFile: 'c.pem' } },
      }),
    );
    expect(env.capsule?.proxy?.customCertificate?.keyFile).toBe('b.pem');
    expect(envFrom(withCapsule({ proxy: { ca: { validityYears: 20, generation: 3 } } })).capsule?.proxy?.ca).toEqual({ validityYears: 20, generation: 3 });
  });

  test.each([
    [{ chartVersion: 'latest' }, /capsule\.chartVersion: "latest" must be a pinned chart version/],
    [{ certManager: { chartVersion: '1.19' } }, /capsule\.certManager\.chartVersion: "1.19" must be a pinned chart version/],
    [{ proxy: { chartVersion: '~0.14.0' } }, /capsule\.proxy\.chartVersion: "~0.14.0" must be a pinned/],
    [{ certificates: 'letsencrypt' }, /capsule\.certificates: "letsencrypt"/],
    [{ proxy: { dnsLabel: 'Capsule_Proxy' } }, /capsule\.proxy\.dnsLabel: "Capsule_Proxy" must be 3-63 lowercase letters/],
    [{ proxy: { hostnames: ['capsule example'] } }, /capsule\.proxy\.hostnames\.0: "capsule example" must be a DNS name/],
    [{ proxy: { customCertificate: { certFile: 'a.pem' } } }, /capsule\.proxy\.customCertificate\.keyFile: is required/],
    [{ proxy: { allowedIpRanges: ['10.0.0.0/33'] } }, /capsule\.proxy\.allowedIpRanges\.0: "10.0.0.0\/33" must be an IPv4 or IPv6 CIDR/],
    [{ proxy: { dnslabel: 'x' } }, /unknown key "dnslabel" \(did you mean "dnsLabel"\?\)/],
    [{ capsuleUserGroups: ['x'] }, /capsule\.capsuleUserGroups.*unknown key/],
    [{ proxy: { ca: { validityYears: 2 } } }, /capsule\.proxy\.ca\.validityYears: 2 /],
    [{ proxy: { ca: { generation: 0 } } }, /capsule\.proxy\.ca\.generation: 0 /],
    [{ proxy: { ca: { generation: 2 }, customCertificate: { certFile: 'a.pem', keyFile: 'b.pem' } } }, /capsule\.proxy\.ca: .*is only for the CA this project makes/],
    [{ replicas: 0 }, /capsule\.replicas: 0 /],
    [{ proxy: { replicas: 11 } }, /capsule\.proxy\.replicas: 11 /],
  ])('rejects %j', (capsule, message) => {
    const problems = problemsOf(withCapsule(capsule));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
