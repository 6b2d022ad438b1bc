import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { stringify } from 'yaml';
import { loadEnvironments } from '../config/load';
import { EnvironmentConfig } from '../config/schema';
import { createEnvironmentStacks, stackNames } from '../stacks/environment-stacks';
import { baseEnv, ENV_DIR, envFrom, Json, renamedEnv, runApp, withRecord } from './helpers';

/** Synthesizes environments into a fresh directory, as `cdktf synth` does; returns the directory. */
function synthToDir(envs: EnvironmentConfig[]): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
  const app = new App({ outdir });
  for (const env of envs) createEnvironmentStacks(app, env);
  app.synth();
  return outdir;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function manifest(outdir: string): Json {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
}

function stackJson(outdir: string, stack: string): Json {
  return JSON.parse(fs.readFileSync(path.join(outdir, manifest(outdir).stacks[stack].synthesizedStackPath), 'utf8'));
}

/** Every resource and data source of a stack by address (`type.name`, `data.type.name`), without metadata. */
function addresses(json: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const [kind, prefix] of [['resource', ''], ['data', 'data.']] as const) {
    for (const [type, byName] of Object.entries<Json>(json[kind] ?? {})) {
      for (const [name, body] of Object.entries<Json>(byName)) {
        const { ['//']: _metadata, ...rest } = body;
        void _metadata;
        out.set(`${prefix}${type}.${name}`, JSON.stringify(rest));
      }
    }
  }
  return out;
}

/** Literal secrets: what must never be in a synthesized file. Each pattern names what it found. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['literal secret field', /"(password|client_secret|client_key|client_certificate|access_key|primary_access_key|private_key|private_key_pem|token|sas_token)"\s*:\s*"(?!\$\{)[^"]+"/i],
  ['kubeconfig credential', /(client-key-data|client-certificate-data|token)\s*:\s*[A-Za-z0-9+/=._-]{16,}/],
  ['storage account key', /(AccountKey=|SharedAccessSignature=|[?&]sig=)|\b[A-Za-z0-9+/]{86}==/],
  ['admin kubeconfig', /kube_admin_config/],
];

function secretsIn(text: string): string[] {
  return SECRET_PATTERNS.filter(([, re]) => re.test(text)).map(([what]) => what);
}

describe('bundled environments, synthesized as cdktf synth does', () => {
  const envs = loadEnvironments(ENV_DIR);
  const outdir = synthToDir(envs);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  describe('secrets', () => {
    test('the scanner finds planted secrets (so the scan below can fail)', () => {
      const planted = [
        '-----BEGIN RSA PRIVATE KEY-----',
        '"password": "Hunter2!"',
        'client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk',
        'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl',
        `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${'a'.repeat(86)}==`,
        '"value": "${azurerm_kubernetes_cluster.aks.kube_admin_config_raw}"',
      ];
      for (const p of planted) expect(secretsIn(p)).not.toEqual([]);
      expect(secretsIn('"password": "${random_password.p.result}"')).toEqual([]);
    });

    test('no synthesized file of any bundled environment contains a secret-looking literal', () => {
      const files = filesUnder(outdir);
      expect(files.filter((f) => f.endsWith('cdk.tf.json')).length).toBe(envs.length * 3);
      const found = files.flatMap((f) => secretsIn(fs.readFileSync(f, 'utf8')).map((what) => `${path.relative(outdir, f)}: ${what}`));
      expect(found).toEqual([]);
    });

    test('generated passwords come from the random provider and are output only as sensitive', () => {
      const cluster = stackJson(outdir, 'poc-cluster');
      const users = Object.values<Json>(cluster.resource.azuread_user ?? {});
      expect(users.length).toBeGreaterThan(0);
      for (const u of users) expect(u.password).toMatch(/^\$\{random_password\.[\w-]+\.result\}$/);
      const outputs = Object.entries<Json>(cluster.output ?? {}).filter(([, o]) => /random_password|password|kube_config|client_key/.test(JSON.stringify(o.value)));
      expect(outputs.length).toBeGreaterThan(0);
      for (const [name, o] of outputs) expect({ name, sensitive: o.sensitive }).toEqual({ name, sensitive: true });
    });

    test('a custom TLS key is read at apply time: the key file exists, its text is not in any synthesized file', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
      const keyText = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC${'x'.repeat(40)}\n-----END PRIVATE KEY-----\n`;
      fs.writeFileSync(path.join(dir, 'privkey.pem'), keyText);
      fs.writeFileSync(path.join(dir, 'fullchain.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const e = baseEnv() as Json;
      e.capsule.proxy.customCertificate = { certFile: path.join(dir, 'fullchain.pem'), keyFile: path.join(dir, 'privkey.pem') };
      const out = synthToDir([envFrom(e, 'tls')]);
      try {
        const texts = filesUnder(out).map((f) => fs.readFileSync(f, 'utf8'));
        expect(texts.some((t) => t.includes('privkey.pem'))).toBe(true);
        expect(texts.filter((t) => t.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC') || secretsIn(t).length > 0)).toEqual([]);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('every output of every stack that carries a secret or a cluster credential is sensitive', () => {
      for (const stack of Object.keys(manifest(outdir).stacks)) {
        for (const [name, o] of Object.entries<Json>(stackJson(outdir, stack).output ?? {})) {
          if (/random_password|\.password|kube_config|client_key|private_key|client_secret/.test(JSON.stringify(o.value))) {
            expect({ stack, name, sensitive: o.sensitive }).toEqual({ stack, name, sensitive: true });
          }
        }
      }
    });
  });

  describe('destroy safety', () => {
    test('stack dependencies: each stack of an environment depends on the previous one (destroy runs in reverse)', () => {
      const m = manifest(outdir);
      let pairs = 0;
      for (const env of envs) {
        const order = Object.values(stackNames(env.name));
        // cluster, capsule, tenants: all synthesized, each depending on the one before.
        expect(order.filter((s) => m.stacks[s] !== undefined)).toEqual(order);
        for (let i = 1; i < order.length; i++) {
          expect({ stack: order[i], dependencies: m.stacks[order[i]].dependencies }).toEqual({ stack: order[i], dependencies: expect.arrayContaining([order[i - 1]]) });
          pairs++;
        }
        // Nothing earlier depends on something later (no cycle, cluster destroyed last).
        for (let i = 0; i < order.length; i++) {
          for (const later of order.slice(i + 1)) expect(m.stacks[order[i]].dependencies).not.toContain(later);
        }
      }
      expect(pairs).toBe(envs.length * 2);
    });

    test('protected environment: prevent_destroy on the cluster; prevent_destroy and preventDeletion on every Tenant', () => {
      const prod = envs.find((e) => e.protected);
      expect(prod).toBeDefined();
      const m = manifest(outdir);
      const stacks = Object.values(stackNames(prod!.name)).filter((s) => m.stacks[s] !== undefined);
      const all = stacks.map((s) => stackJson(outdir, s));
      const clusters = all.flatMap((j) => Object.values<Json>(j.resource?.azurerm_kubernetes_cluster ?? {}));
      expect(clusters.length).toBe(1);
      for (const c of clusters) expect(c.lifecycle?.prevent_destroy).toBe(true);
      const tenants = all.flatMap((j) => Object.values<Json>(j.resource?.kubernetes_manifest ?? {})).filter((r) => r.manifest?.kind === 'Tenant');
      expect(tenants.length).toBe(Object.keys(prod!.tenants ?? {}).length);
      expect(tenants.length).toBeGreaterThan(0);
      for (const t of tenants) {
        expect(t.lifecycle?.prevent_destroy).toBe(true);
        expect(t.manifest.spec.preventDeletion).toBe(true);
      }
    });

    test('unprotected environment: no prevent_destroy on the cluster (it can be torn down)', () => {
      const poc = stackJson(outdir, 'poc-cluster');
      for (const c of Object.values<Json>(poc.resource.azurerm_kubernetes_cluster)) expect(c.lifecycle?.prevent_destroy).toBeUndefined();
    });
  });
});

describe('resource addresses are stable', () => {
  /** The POC with tenants, groups and users in reverse order, plus one new group, user and tenant. */
  function reorderedPlusOne(): Json {
    const e = baseEnv() as Json;
    const reverse = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
    e.entra.groups = { qa: { displayName: 'capsuleQaGroup' }, ...reverse(e.entra.groups) };
    e.entra.users = { 'capsule-user-qa': { displayName: 'Capsule user qa', memberOf: ['qa'] }, ...reverse(e.entra.users) };
    e.tenants = { qa: { owners: [{ group: 'qa' }, { user: 'capsule-user-qa' }] }, ...reverse(e.tenants) };
    for (const t of Object.values<Json>(e.tenants)) t.owners = [...t.owners].reverse();
    return e;
  }

  test('reordering tenants, groups, users and owners, and adding one of each, keeps every existing address and its content', () => {
    const before = synthToDir([envFrom(baseEnv(), 'poc')]);
    const changed = reorderedPlusOne();
    expect(Object.keys(changed.tenants)).not.toEqual(Object.keys((baseEnv() as Json).tenants));
    const after = synthToDir([envFrom(changed, 'poc')]);
    try {
      const stacks = Object.keys(manifest(before).stacks);
      expect(stacks.sort()).toEqual(Object.values(stackNames('poc')).sort());
      let compared = 0;
      let added = 0;
      for (const stack of stacks) {
        const a = addresses(stackJson(before, stack));
        const b = addresses(stackJson(after, stack));
        if (stack === 'poc-tenants') expect([...a.keys()].some((k) => k.startsWith('kubernetes_manifest.'))).toBe(true);
        for (const [address, content] of a) {
          // Capsule's users list every tenant owner (issue 12.5): a new owner adds an entry, and only that changes.
          if (address.startsWith('helm_release.capsule_release')) {
            const users = (c: string | undefined) => (JSON.parse(c ?? '{}').values?.[0] ?? '').split('\n').filter((l: string) => /^\s+(- kind|name):/.test(l));
            expect(users(b.get(address)).length).toBeGreaterThan(users(content).length);
            expect(users(b.get(address))).toEqual(expect.arrayContaining(users(content)));
            const rest = (c: string | undefined) => (JSON.parse(c ?? '{}').values?.[0] ?? '').split('\n').filter((l: string) => !/^\s+(- kind|name):/.test(l));
            expect(rest(b.get(address))).toEqual(rest(content));
            compared++;
            continue;
          }
          expect({ stack, address, content: b.get(address) }).toEqual({ stack, address, content });
          compared++;
        }
        added += [...b.keys()].filter((k) => !a.has(k)).length;
      }
      expect(compared).toBeGreaterThan(10);
      expect(added).toBeGreaterThan(0);
    } finally {
      fs.rmSync(before, { recursive: true, force: true });
      fs.rmSync(after, { recursive: true, force: true });
    }
  });
});

describe('main with a policy error', () => {
  test('exits 1 with the check id and the construct path, and leaves cdktf.out untouched', () => {
    const envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
    const e = baseEnv() as Json;
    e.cluster.localAccountsEnabled = true;
    e.protected = true;
    e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    fs.writeFileSync(path.join(envDir, 'lab.yaml'), stringify(e));
    const record = withRecord(envFrom(e, 'lab')).protectedRecord;
    fs.writeFileSync(path.join(envDir, 'lab.protected.json'), JSON.stringify(record));
    const { res, out } = runApp(envDir);
    expect(res.status).toBe(1);
    // Every error at once: local accounts and the public API server of a protected environment.
    expect(res.stderr).toMatch(/Policy checks failed/);
    expect(res.stderr).toMatch(/\[lab-cluster\/aks\/cluster\] \[CAKS001\]/);
    expect(res.stderr).toMatch(/\[CAKS003\]/);
    // The app states the fixes in environment-file keys (app/policy-fixes.ts), not in construct props.
    expect(res.stderr).toMatch(/\[CAKS001\] .*Fix: keep local_account_disabled = true, or opt in with policy\.allowLocalAccounts: <reason>$/m);
    expect(res.stderr).toMatch(/\[CAKS003\] .*Fix: set cluster\.authorizedIpRanges \(or make the cluster private\)$/m);
    expect(fs.readdirSync(out)).toEqual(['marker']);
  });
});

describe('main prints the findings when run without the cdktf CLI (npm run synth)', () => {
  test('a warning and an acknowledged finding are printed in the CLI form; under the CLI they are left to it', () => {
    const envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
    const e = baseEnv() as Json;
    e.policy = { acknowledge: { CAKS010: 'lab cluster reachable from anywhere on purpose' } };
    fs.writeFileSync(path.join(envDir, 'lab.yaml'), stringify(e));
    const { res } = runApp(envDir);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^INFO \[lab-cluster\/aks\]: \[CAKS010\] .*\(acknowledged: lab cluster reachable/m);
    const cli = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'run-app.cjs')], {
      env: { ...process.env, CAPSULE_AKS_ENVIRONMENTS: envDir, CDKTF_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'out-')), CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true' },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(0);
    expect(cli.stdout).not.toMatch(/CAKS010/);
  });
});

describe('main with construct-level errors', () => {
  test('reports the first problem of every environment at once, exits 1, leaves cdktf.out untouched', () => {
    const envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
    const a = baseEnv() as Json;
    a.capsule.proxy.hostnames = ['capsule.example.com', 'capsule.example.com'];
    const b = renamedEnv('bbb');
    b.entra.groups.dev.displayName = '   ';
    fs.writeFileSync(path.join(envDir, 'aaa.yaml'), stringify(a));
    fs.writeFileSync(path.join(envDir, 'bbb.yaml'), stringify(b));
    const { res, out } = runApp(envDir);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/environment "aaa": aaa-capsule\/capsule-proxy: hostnames .* must not repeat a name/);
    expect(res.stderr).toMatch(/environment "bbb": bbb-cluster\/entra: groups\.dev\.displayName "   " is invalid: must not be empty/);
    expect(fs.readdirSync(out)).toEqual(['marker']);
  });
});
