import * as fs from 'fs';
import * as path from 'path';
import { ENV_DIR, runApp } from './helpers';

const ROOT = path.join(__dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'capsule-aks');
const stamp = (): Record<string, number> => JSON.parse(fs.readFileSync(path.join(CACHE, 'app.js.inputs.json'), 'utf8'));

describe('the app command (scripts/run-app.cjs)', () => {
  test('is what cdktf.json runs', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')).app).toBe('node scripts/run-app.cjs');
  });

  test('synthesizes the bundled environments from a bundle it keeps with its inputs and a source map', () => {
    const { res, out } = runApp(ENV_DIR);
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(out, 'stacks', 'poc-tenants', 'cdk.tf.json'))).toBe(true);
    expect(fs.readFileSync(path.join(CACHE, 'app.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=app\.js\.map\s*$/);
    const inputs = Object.keys(stamp());
    // The project's own sources (node_modules is wiped by npm ci, which also wipes this cache).
    expect(inputs).toEqual(expect.arrayContaining(['main.ts', 'config/load.ts', 'constructs/capsule-tenant.ts', 'scripts/run-app.cjs']));
    expect(inputs.filter((f) => f.startsWith('node_modules/'))).toEqual([]);
  });

  test('bundles again when an input file changes', () => {
    runApp(ENV_DIR);
    const file = path.join(ROOT, 'constructs', 'validation.ts');
    const later = new Date(Math.ceil(fs.statSync(file).mtimeMs / 1000) * 1000 + 1000);
    fs.utimesSync(file, later, later); // same content, newer modification time
    const { res } = runApp(ENV_DIR);
    expect(res.status).toBe(0);
    expect(stamp()['constructs/validation.ts']).toBe(fs.statSync(file).mtimeMs);
  });
});
