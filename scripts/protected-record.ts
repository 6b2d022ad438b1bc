import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentError, loadEnvironments } from '../config/load';
import { protectedRecordFile } from '../config/protected-record';
import { ValidationError } from '../constructs/validation';
import { addEnvironmentStacks } from '../stacks/environment-stacks';
import { PROJECT_ROOT_CONTEXT } from '../stacks/project-paths';
import { currentRecord } from '../stacks/protected-record';

// npm run protected-record -- <env>
// Writes environments/<env>.protected.json, the record of a protected environment's protected resources (tenants and
// their replication objects, the cluster and its resource group, created groups and users), from the current
// configuration. The only way the record changes: commit the file. It refuses what synth refuses (a recorded resource
// dropped without policy.allowRemoval). Run it when you add protected resources, and AFTER deploying a rename or a
// removal (a rename's old address is kept as `previous`, so its moved block stays).

/** Returns the exit code; `dir`: the environments directory. */
export function main(argv: string[], dir = process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, '..', 'environments')): number {
  const [name, ...rest] = argv;
  if (!name || rest.length) {
    console.error('usage: npm run protected-record -- <env>');
    return 1;
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-record-'));
  try {
    const env = loadEnvironments(dir).find((e) => e.name === name);
    if (!env) throw new EnvironmentError([`"${name}" is not an environment of ${dir}`]);
    if (!env.protected) throw new EnvironmentError([`environment "${name}" is not protected (protected: true): it has no record`]);
    const app = new App({ outdir, context: { [PROJECT_ROOT_CONTEXT]: path.resolve(__dirname, '..') } });
    const { stacks } = addEnvironmentStacks(app, env);
    const record = currentRecord(env, [stacks.cluster, stacks.capsule, stacks.tenants]);
    const before = env.protectedRecord?.resources ?? {};
    const added = Object.keys(record.resources).filter((k) => !(k in before));
    const removed = Object.keys(before).filter((k) => !(k in record.resources));
    const moved = Object.keys(record.resources).filter((k) => k in before && before[k].address !== record.resources[k].address);
    const file = path.join(dir, protectedRecordFile(name));
    fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file) || file}: ${Object.keys(record.resources).length} protected resources`);
    for (const [label, list] of [['added', added], ['removed', removed], ['renamed (moved)', moved]] as const) if (list.length) console.log(`  ${label}: ${list.join(', ')}`);
    if (removed.length) console.log('  remove them from policy.allowRemoval now, so that a later removal needs a new decision');
    return 0;
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof ValidationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
