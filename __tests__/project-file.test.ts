import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectFileProblem } from '../config/fields';
import { baseEnv, problemsOf } from './helpers';

function withCertFile(certFile: string): string[] {
  const env = baseEnv() as { capsule: { proxy: Record<string, unknown> } };
  env.capsule.proxy.customCertificate = { certFile, keyFile: 'certs/privkey.pem' };
  return problemsOf(env);
}

describe('certificate paths must resolve inside the project directory', () => {
  test('a path that climbs out of the project is refused with the field named', () => {
    expect(withCertFile('../../etc/passwd')).toEqual([expect.stringMatching(/^test\.yaml:\d+: capsule\.proxy\.customCertificate\.certFile: "\.\.\/\.\.\/etc\/passwd" must resolve inside the project directory/)]);
  });

  test('an absolute path is refused', () => {
    expect(withCertFile('/etc/passwd')).toEqual([expect.stringMatching(/capsule\.proxy\.customCertificate\.certFile: "\/etc\/passwd" must be a path relative to the project directory/)]);
  });

  test('characters Terraform or a shell would read as syntax are refused', () => {
    expect(withCertFile('certs/a"b.pem')).toEqual([expect.stringMatching(/certFile: .* must be a relative path of letters, digits/)]);
    expect(withCertFile('certs/%{x}.pem')).toEqual([expect.stringMatching(/certFile: .* must be a relative path of letters, digits/)]);
  });

  test('a relative path inside the project (existing or not yet) is accepted', () => {
    expect(withCertFile('certs/fullchain.pem')).toEqual([]);
    expect(withCertFile('certs/../certs/fullchain.pem')).toEqual([]);
  });

  describe('symbolic links are followed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'project-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    fs.writeFileSync(path.join(outside, 'key.pem'), 'x');
    fs.mkdirSync(path.join(root, 'certs'));
    fs.symlinkSync(path.join(outside, 'key.pem'), path.join(root, 'certs', 'link.pem'));
    fs.symlinkSync(outside, path.join(root, 'dirlink'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'certs', 'dangling.pem'));
    fs.writeFileSync(path.join(root, 'certs', 'ok.pem'), 'x');
    afterAll(() => [root, outside].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

    test('a link to a file outside is refused', () => {
      expect(projectFileProblem('certs/link.pem', root)).toMatch(/must resolve inside the project directory .* it is .*key\.pem/);
    });
    test('a path through a linked directory outside is refused, even for a file that does not exist yet', () => {
      expect(projectFileProblem('dirlink/new.pem', root)).toMatch(/must resolve inside the project directory/);
    });
    test('a broken link is refused', () => {
      expect(projectFileProblem('certs/dangling.pem', root)).toMatch(/broken symbolic link/);
    });
    test('a plain file inside is fine', () => {
      expect(projectFileProblem('certs/ok.pem', root)).toBeUndefined();
    });
  });
});
