'use strict';
// `npm test`'s first step: the lint (`npm run lint`) and the type check (`npm run typecheck`) at the same time, each a
// single-threaded process (about 5 s each). Each one's output is printed whole when it ends, under its name; the
// exit code is 1 when either fails.
const { spawn } = require('child_process');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const checks = ['lint', 'typecheck'];

const runs = checks.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', (err) => resolve({ name, status: 1, output: `${output}${err.message}\n` }));
      child.on('close', (code, signal) => resolve({ name, status: code === 0 ? 0 : 1, output: signal ? `${output}killed by ${signal}\n` : output }));
    }),
);

Promise.all(runs).then((results) => {
  for (const r of results) {
    if (r.output.trim()) process.stdout.write(`> npm run ${r.name}\n${r.output}${r.output.endsWith('\n') ? '' : '\n'}`);
    if (r.status !== 0) console.error(`npm run ${r.name} failed`);
  }
  process.exitCode = results.some((r) => r.status !== 0) ? 1 : 0;
});
