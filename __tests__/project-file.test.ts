import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { projectFileProblem } from '../config/fields';
import { CapsuleStack } from '../stacks/capsule-stack';
import { ClusterStack } from '../stacks/cluster-stack';
import { PROJECT_ROOT_CONTEXT } from '../stacks/project-paths';
import { baseEnv, envFrom, Json } from './helpers';

/** Certificate files are read by Terraform at apply time into a Secret and the state: only files of the project. */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
fs.writeFileSync(path.join(outside, 'key.pem'), 'x');
fs.mkdirSync(path.join(root, 'certs'));
fs.mkdirSync(path.join(outside, 'sub'));
fs.symlinkSync(path.join(outside, 'key.pem'), path.join(root, 'certs', 'link.pem'));
fs.symlinkSync(path.join(outside, 'sub'), path.join(root, 'dirlink'));
fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'certs', 'dangling.pem'));
fs.writeFileSync(path.join(root, 'certs', 'ok.pem'), 'x');
afterAll(() => [root, outside].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function synthWith(certFile: string): void {
  const e = baseEnv() as Json;
  e.capsule.proxy.customCertificate = { certFile, keyFile: 'certs/ok.pem' };
  const app = new App({ outdir: path.join(root, 'cdktf.out'), context: { [PROJECT_ROOT_CONTEXT]: root } });
  const cluster = new ClusterStack(app, 'poc-cluster', { env: envFrom(e, 'poc') });
  new CapsuleStack(app, 'poc-capsule', { cluster });
}

describe('certificate paths must resolve inside the project directory', () => {
  test('a path that climbs out of the project is refused with the field named', () => {
    expect(() => synthWith('../../etc/passwd')).toThrow(/poc-capsule: capsule\.proxy\.customCertificate\.certFile "\.\.\/\.\.\/etc\/passwd" is invalid: must resolve inside the project directory/);
  });
  test('an absolute path outside the project is refused', () => {
    expect(() => synthWith('/etc/passwd')).toThrow(/customCertificate\.certFile "\/etc\/passwd" is invalid: must resolve inside the project directory/);
  });
  test('an absolute path inside the project and a relative one (existing or not yet) are accepted', () => {
    expect(() => synthWith(path.join(root, 'certs', 'ok.pem'))).not.toThrow();
    expect(() => synthWith('certs/not-yet.pem')).not.toThrow();
    expect(() => synthWith('certs/../certs/ok.pem')).not.toThrow();
  });
  test('a link to a file outside is refused', () => {
    expect(() => synthWith('certs/link.pem')).toThrow(/certFile "certs\/link\.pem" is invalid: must resolve inside the project directory .* it is .*key\.pem/);
  });
  test('a path through a linked directory outside is refused, even for a file that does not exist yet', () => {
    expect(projectFileProblem('dirlink/new.pem', root)).toMatch(/must resolve inside the project directory/);
  });
  test('".." after a link is taken from the link\'s target, as the kernel does (dirlink/../key.pem is outside)', () => {
    expect(projectFileProblem('dirlink/../key.pem', root)).toMatch(/must resolve inside the project directory .* it is .*outside-.*key\.pem/);
  });
  test('a broken link is refused', () => {
    expect(projectFileProblem('certs/dangling.pem', root)).toMatch(/broken symbolic link/);
  });
});
