/**
 * Tests mirror the code: one construct class per kebab-case file of constructs/, and a test file of the same name
 * (`constructs/<name>.ts` -> `__tests__/<name>.test.ts`) for each file that defines one.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const CONSTRUCT_CLASS_RE = /^export (?:abstract )?class (\w+) extends Construct\b/gm;

function constructFiles(): { file: string; classes: string[] }[] {
  return fs
    .readdirSync(path.join(ROOT, 'constructs'))
    .filter((f) => f.endsWith('.ts'))
    .map((file) => ({ file, classes: [...fs.readFileSync(path.join(ROOT, 'constructs', file), 'utf8').matchAll(CONSTRUCT_CLASS_RE)].map((m) => m[1]) }))
    .filter((f) => f.classes.length > 0);
}

describe('constructs/: one construct per file, a test file per construct', () => {
  const files = constructFiles();

  test('the check sees the constructs', () => {
    expect(files.map((f) => f.classes[0])).toEqual(expect.arrayContaining(['AksCluster', 'CapsuleOperator', 'CapsuleTenant', 'KubeconfigVault', 'PublishedKubeconfig']));
  });

  test('every file defines at most one construct class', () => {
    expect(files.filter((f) => f.classes.length > 1).map((f) => `${f.file}: ${f.classes.join(', ')}`)).toEqual([]);
  });

  test('every file with a construct has __tests__/<same name>.test.ts', () => {
    const missing = files.map((f) => f.file.replace(/\.ts$/, '.test.ts')).filter((t) => !fs.existsSync(path.join(__dirname, t)));
    expect(missing).toEqual([]);
  });
});
