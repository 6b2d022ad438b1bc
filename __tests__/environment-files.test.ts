import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { baseEnv, ENV_DIR, Json, renamedEnv } from './helpers';

// Files that are not environment files, and output that cannot be written: one clear line naming the file or
// setting, exit 1, no stack trace, no waiting (the real app command, as `npm run synth` runs it).
const ROOT = path.join(__dirname, '..');
const poc = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8');

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function synth(envDir: string, out = path.join(tmp('out-'), 'cdktf.out'), env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-app.cjs')], {
    env: { ...process.env, CAPSULE_AKS_ENVIRONMENTS: envDir, CDKTF_OUTDIR: out, ...env },
    encoding: 'utf8',
    timeout: 30000,
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout, out };
}

/** exit 1, the expected problem line, and no stack trace. */
function expectRefused(r: ReturnType<typeof synth>, line: RegExp) {
  expect(r.signal).toBeNull();
  expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.status).toBe(1);
}

describe('only regular files (or links to them) in the environments directory are read', () => {
  test('a directory named x.yaml', () => {
    const dir = tmp('envs-');
    fs.writeFileSync(path.join(dir, 'poc.yaml'), poc);
    fs.mkdirSync(path.join(dir, 'x.yaml'));
    expectRefused(synth(dir), /^ {2}- .*x\.yaml: is a directory, not an environment file \(only regular files are read\)$/m);
  });

  test('a dangling symbolic link', () => {
    const dir = tmp('envs-');
    fs.symlinkSync(path.join(dir, 'gone.yaml.bak'), path.join(dir, 'lab.yaml'));
    expectRefused(synth(dir), /^ {2}- .*lab\.yaml: is a link to a missing file \(ENOENT\)$/m);
  });

  test('a FIFO named x.yaml is not opened (no hang)', () => {
    const dir = tmp('envs-');
    fs.writeFileSync(path.join(dir, 'poc.yaml'), poc);
    expect(spawnSync('mkfifo', [path.join(dir, 'x.yaml')]).status).toBe(0);
    expectRefused(synth(dir), /^ {2}- .*x\.yaml: is a FIFO \(named pipe\), not an environment file/m);
  });

  test('a link to a file outside the directory is refused; a link to a file inside is read', () => {
    const dir = tmp('envs-');
    fs.writeFileSync(path.join(dir, 'poc.yaml'), poc);
    fs.symlinkSync(path.join(ENV_DIR, 'production.yaml'), path.join(dir, 'prod.yaml'));
    expectRefused(synth(dir), /^ {2}- .*prod\.yaml: is a link to .*production\.yaml, outside the environments directory/m);
    fs.unlinkSync(path.join(dir, 'prod.yaml'));
    fs.renameSync(path.join(dir, 'poc.yaml'), path.join(dir, 'poc.source'));
    fs.symlinkSync('poc.source', path.join(dir, 'poc.yaml'));
    const r = synth(dir);
    expect(r.stderr).toBe('');
    expect(fs.existsSync(path.join(r.out, 'poc.md'))).toBe(true);
  });

  test('a YAML alias bomb', () => {
    const dir = tmp('envs-');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    fs.writeFileSync(path.join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    expectRefused(synth(dir), /^ {2}- .*bomb\.yaml: YAML aliases expand too much/m);
  });

  test('a " in customCertificate.caFile (it would end the Terraform string)', () => {
    const dir = tmp('envs-');
    const env = baseEnv() as Json;
    env.capsule.proxy.customCertificate = { certFile: 'certs/fullchain.pem', keyFile: 'certs/privkey.pem', caFile: 'certs/ca".pem' };
    fs.writeFileSync(path.join(dir, 'poc.yaml'), stringify(env));
    expectRefused(synth(dir), /^ {2}- .*poc\.yaml:\d+: capsule\.proxy\.customCertificate\.caFile: "certs\/ca\\".pem" must be a file path without "/m);
  });

  test('${...} in customCertificate.certFile is refused too', () => {
    const dir = tmp('envs-');
    const env = baseEnv() as Json;
    env.capsule.proxy.customCertificate = { certFile: 'certs/${path.root}.pem', keyFile: 'certs/privkey.pem' };
    fs.writeFileSync(path.join(dir, 'poc.yaml'), stringify(env));
    expectRefused(synth(dir), /capsule\.proxy\.customCertificate\.certFile: .* must be a file path without/);
  });
});

describe('output that cannot be written', () => {
  test('an output directory whose parent does not exist', () => {
    const out = path.join(tmp('out-'), 'missing', 'cdktf.out');
    const r = synth(ENV_DIR, out);
    expectRefused(r, /cdktf\.out: the output directory \(CDKTF_OUTDIR \/ cdktf synth --output\) cannot be created: .*missing does not exist$/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.dirname(out))).toBe(false);
  });

  test('an output path that is a file', () => {
    const out = path.join(tmp('out-'), 'file');
    fs.writeFileSync(out, 'x');
    expectRefused(synth(ENV_DIR, out), /file: the output directory \(CDKTF_OUTDIR \/ cdktf synth --output\) is not a directory$/m);
  });
});

describe('output of environments that no longer exist', () => {
  test('their reports and stack directories are removed; other files are kept', () => {
    const dir = tmp('envs-');
    const lab = renamedEnv('lab');
    fs.writeFileSync(path.join(dir, 'poc.yaml'), poc);
    fs.writeFileSync(path.join(dir, 'lab.yaml'), stringify(lab));
    const first = synth(dir);
    expect(first.stderr).toBe('');
    expect(fs.existsSync(path.join(first.out, 'lab.md'))).toBe(true);
    fs.writeFileSync(path.join(first.out, 'notes.md'), '# my notes\n');
    fs.unlinkSync(path.join(dir, 'lab.yaml'));
    const second = synth(dir, first.out);
    expect(second.status).toBe(0);
    expect(fs.readdirSync(first.out).sort()).toEqual(['manifest.json', 'notes.md', 'poc.md', 'stacks']);
    expect(fs.readdirSync(path.join(first.out, 'stacks')).sort()).toEqual(['poc-capsule', 'poc-cluster', 'poc-tenants']);
  });
});

describe('state and certificate files do not depend on the output or working directory', () => {
  // Terraform runs in <outdir>/stacks/<stack> and resolves relative paths from there.
  function files(out: string, cwd: string) {
    const dir = tmp('envs-');
    const env = baseEnv() as Json;
    env.capsule.proxy.customCertificate = { certFile: 'certs/fullchain.pem', keyFile: 'certs/privkey.pem', caFile: 'certs/ca.pem' };
    fs.writeFileSync(path.join(dir, 'poc.yaml'), stringify(env));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-app.cjs')], { cwd, env: { ...process.env, CAPSULE_AKS_ENVIRONMENTS: dir, CDKTF_OUTDIR: out }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const outdir = path.resolve(cwd, out);
    const json = (stack: string): Json => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    const from = (stack: string, p: string) => path.resolve(outdir, 'stacks', stack, p);
    const capsule = json('poc-capsule');
    const secret = Object.values(capsule.resource.kubernetes_secret_v1 as Record<string, Json>)[0];
    return {
      state: from('poc-cluster', json('poc-cluster').terraform.backend.local.path),
      remoteState: from('poc-capsule', capsule.data.terraform_remote_state['cross-stack-reference-input-poc-cluster'].config.path),
      key: from('poc-capsule', /file\("([^"]+)"\)/.exec(secret.data['tls.key'])![1]),
      ca: from('poc-capsule', /file\("([^"]+)"\)/.exec(secret.data['ca.crt'])![1]),
    };
  }
  const expected = {
    state: path.join(ROOT, 'terraform.poc-cluster.tfstate'),
    remoteState: path.join(ROOT, 'terraform.poc-cluster.tfstate'),
    key: path.join(ROOT, 'certs', 'privkey.pem'),
    ca: path.join(ROOT, 'certs', 'ca.pem'),
  };

  test('an output directory elsewhere and deeper (cdktf synth --output build/out)', () => {
    const build = path.join(tmp('out-'), 'build');
    fs.mkdirSync(build);
    expect(files(path.join(build, 'out'), ROOT)).toEqual(expected);
  });

  test('a relative output directory from another working directory', () => {
    const cwd = tmp('cwd-');
    expect(files('out', cwd)).toEqual(expected);
  });
});

describe('what synth writes', () => {
  test('cdktf synth --hcl (SYNTH_HCL_OUTPUT=true) is refused in one line before anything is written: the reports and CI checks read cdk.tf.json', () => {
    const out = path.join(tmp('out-'), 'cdktf.out');
    const r = synth(ENV_DIR, out, { SYNTH_HCL_OUTPUT: 'true' });
    expectRefused(r, /^HCL output \(cdktf synth --hcl, SYNTH_HCL_OUTPUT\) is not supported: .*synthesize without --hcl$/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('CAPSULE_AKS_CDKTF_RESOLVE=1 (cdktf alone, no speed-ups) writes the same files as the app with its speed-ups', () => {
    const read = (dir: string): Record<string, string> =>
      Object.fromEntries(
        fs
          .readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => {
            const f = path.relative(dir, path.join(d.parentPath, d.name));
            return [f, fs.readFileSync(path.join(dir, f), 'utf8')];
          }),
      );
    const fast = synth(ENV_DIR);
    const plain = synth(ENV_DIR, path.join(path.dirname(fast.out), 'plain'), { CAPSULE_AKS_CDKTF_RESOLVE: '1' });
    expect([fast.status, plain.status]).toEqual([0, 0]);
    expect(Object.keys(read(fast.out)).length).toBeGreaterThan(8);
    expect(read(plain.out)).toEqual(read(fast.out));
  });
});

describe('what synth needs', () => {
  test('no terraform binary on the PATH: synth still works (no `terraform version` check at synth)', () => {
    const bin = tmp('bin-');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-app.cjs')], {
      env: { ...process.env, PATH: bin, CAPSULE_AKS_ENVIRONMENTS: ENV_DIR, CDKTF_OUTDIR: path.join(tmp('out-'), 'out') },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
