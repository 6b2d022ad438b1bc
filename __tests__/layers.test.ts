/**
 * The layout is the architecture: each room imports only downwards. Read from the import statements (static
 * imports, re-exports, require and import() calls) of every source file, so a new upward import fails here.
 *
 *   entry (index.ts) ─┐
 *   app (main.ts, app/) → stacks → constructs        scripts/, bench/: commands users run (may use any layer)
 *                         ↘ config ↗  policy (beside constructs, an Aspect over whole stacks)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

type Room = 'entry' | 'app' | 'commands' | 'stacks' | 'config' | 'policy' | 'constructs';

/** Which rooms each room may import from (besides itself). */
export const MAY_IMPORT: Readonly<Record<Room, readonly Room[]>> = {
  constructs: [],
  policy: ['constructs'],
  config: ['policy', 'constructs'],
  stacks: ['config', 'policy', 'constructs'],
  app: ['stacks', 'config', 'policy', 'constructs'],
  entry: ['stacks', 'config', 'policy', 'constructs'],
  commands: ['app', 'stacks', 'config', 'policy', 'constructs'],
};

/** The room of a project file (path relative to the root, posix), undefined outside the layered sources. */
export function roomOf(file: string): Room | undefined {
  if (file === 'index.ts' || file === 'validation.ts') return 'entry';
  if (file === 'main.ts') return 'app';
  const top = file.split('/')[0];
  if (top === 'app') return 'app';
  if (top === 'scripts' || top === 'bench') return 'commands';
  if (top === 'stacks' || top === 'config' || top === 'policy' || top === 'constructs') return top;
  return undefined;
}

/** The upward (or sideways) imports of one file, as `file -> import (room -> room)`. */
export function layerViolations(file: string, text: string): string[] {
  const from = roomOf(file);
  if (!from) return [];
  const imports = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).filter((f) => f.startsWith('.'));
  const problems: string[] = [];
  for (const spec of imports) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const to = roomOf(target.endsWith('.ts') ? target : `${target}.ts`) ?? roomOf(`${target}/index.ts`);
    if (to === undefined || to === from) continue;
    if (!MAY_IMPORT[from].includes(to)) problems.push(`${file} -> ${spec} (${from} -> ${to})`);
  }
  return problems;
}

function sourceFiles(): string[] {
  const out: string[] = ['main.ts', 'index.ts', 'validation.ts'];
  for (const dir of ['app', 'scripts', 'bench', 'stacks', 'config', 'policy', 'constructs']) {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, d), { withFileTypes: true })) {
        const rel = `${d}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (/\.(ts|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
      }
    };
    if (fs.existsSync(path.join(ROOT, dir))) walk(dir);
  }
  return out;
}

describe('layers import downwards only', () => {
  const files = sourceFiles();

  test('the rooms exist and hold the sources', () => {
    for (const f of ['index.ts', 'main.ts', 'app/report.ts', 'policy/policy-checks.ts', 'constructs/aks-cluster.ts', 'stacks/cluster-stack.ts', 'config/schema.ts']) {
      expect(files).toContain(f);
    }
    // scripts/ holds only commands users run (package.json scripts), no code the app imports.
    expect(files.filter((f) => f.startsWith('scripts/') && /report/.test(f))).toEqual([]);
  });

  test('no file imports a room above (or beside) its own', () => {
    expect(files.flatMap((f) => layerViolations(f, fs.readFileSync(path.join(ROOT, f), 'utf8')))).toEqual([]);
  });

  test('nothing imports the package entry or main.ts (only consumers and tests do)', () => {
    const importers = files.filter((f) => {
      const specs = ts.preProcessFile(fs.readFileSync(path.join(ROOT, f), 'utf8'), true, true).importedFiles.map((i) => i.fileName);
      return specs.some((s) => ['index', 'validation', 'main'].includes(path.posix.normalize(path.posix.join(path.posix.dirname(f), s)).replace(/\.ts$/, '')));
    });
    expect(importers).toEqual([]);
  });

  test.each([
    ['constructs/x.ts', "import { ClusterStack } from '../stacks/cluster-stack';", 'constructs -> stacks'],
    ['constructs/x.ts', "export * from '../config/schema';", 'constructs -> config'],
    ['constructs/x.ts', "const p = require('../policy/policy-checks');", 'constructs -> policy'],
    ['stacks/x.ts', "type R = import('../app/report').SynthesizedStack;", 'stacks -> app'],
    ['policy/x.ts', "import { CapsulePlatform } from '../stacks/capsule-platform';", 'policy -> stacks'],
    ['config/x.ts', "import { ClusterStack } from '../stacks/cluster-stack';", 'config -> stacks'],
    ['app/x.ts', "import { run } from '../scripts/kubeconfig';", 'app -> commands'],
  ])('an upward import is reported: %s %s', (file, text, edge) => {
    expect(layerViolations(file, text)).toEqual([expect.stringContaining(`(${edge})`)]);
  });

  test('downward imports are allowed', () => {
    expect(layerViolations('stacks/x.ts', "import { AksCluster } from '../constructs/aks-cluster';\nimport { EnvironmentConfig } from '../config/schema';")).toEqual([]);
    expect(layerViolations('policy/x.ts', "import { reportedFindings } from '../constructs/policy-finding';")).toEqual([]);
  });
});
