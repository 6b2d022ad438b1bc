import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentError, loadEnvironments } from '../config/load';
import { PROTECTED_RECORD_UPDATE_CONTEXT, protectedRecordFile } from '../config/protected-record';
import { ValidationError } from '../constructs/validation';
import { addEnvironmentStacks } from '../stacks/environment-stacks';
import { PROJECT_ROOT_CONTEXT } from '../stacks/project-paths';
import { currentRecord, recordChanges } from '../stacks/protected-record';

// npm run protected-record -- <env>
// Writes environments/<env>.protected.json, the record of a protected environment's protected resources (tenants and
// their replication objects, the cluster and its resource group, created groups and users), from the current
// configuration. The only way the record changes: commit the file. It refuses what synth refuses (a recorded resource
// dropped without policy.allowRemoval). Run it when you add protected resources, and AFTER deploying a rename or a
// removal, or before (every earlier address is kept in `previous`, oldest first, so the moved blocks follow any number
// of renames). A protected environment's synth fails while its record is missing or out of date.
//
// npm run protected-record -- <env> --unprotect
// Deletes the record of an environment whose file no longer says `protected: true`: the one way to drop protection,
// in a change that reviewers see as the deletion of environments/<env>.protected.json.

/** Returns the exit code; `dir`: the environments directory. */
export function main(argv: string[], dir = process.env.CAPSULE_AKS_ENVIRONMENTS ?? path.join(__dirname, '..', 'environments')): number {
  const [name, ...rest] = argv;
  const unprotect = rest.length === 1 && rest[0] === '--unprotect';
  if (!name || name.startsWith('-') || (rest.length && !unprotect)) {
    console.error('usage: npm run protected-record -- <env> [--unprotect]');
    return 1;
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-record-'));
  try {
    const env = loadEnvironments(dir).find((e) => e.name === name);
    if (!env) throw new EnvironmentError([`"${name}" is not an environment of ${dir}`]);
    const file = path.join(dir, protectedRecordFile(name));
    const shown = path.relative(process.cwd(), file) || file;
    if (unprotect) {
      if (env.protected) throw new EnvironmentError([`environment "${name}" is still protected: set protected: false in its file first, then run --unprotect to delete ${shown}`]);
      if (!env.protectedRecord) throw new EnvironmentError([`environment "${name}" has no record (${shown}): nothing to delete`]);
      fs.rmSync(file);
      console.log(`deleted ${shown}: "${name}" is no longer protected once this change (protected: false and the deleted record) is merged`);
      return 0;
    }
    if (!env.protected) throw new EnvironmentError([`environment "${name}" is not protected (its file does not set protected: true): it has no record`]);
    const app = new App({ outdir, context: { [PROJECT_ROOT_CONTEXT]: path.resolve(__dirname, '..'), [PROTECTED_RECORD_UPDATE_CONTEXT]: true } });
    const { stacks } = addEnvironmentStacks(app, env);
    const list = [stacks.cluster, stacks.capsule, stacks.tenants];
    const changes = recordChanges(env, list);
    const record = currentRecord(env, list);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) {
      console.log(`${shown} is current: ${Object.keys(record.resources).length} protected resources, nothing to change`);
      return 0;
    }
    fs.writeFileSync(file, text);
    console.log(`wrote ${shown}: ${Object.keys(record.resources).length} protected resources`);
    for (const [label, items] of [
      ['added', changes.added],
      ['removed', changes.removed],
      ['renamed (moved blocks)', changes.renamed],
      ['changed in place', changes.changedInPlace],
      ['earlier addresses forgotten (deploy a rename before reusing its key)', changes.forgotten],
    ] as const) {
      if (items.length) console.log(`  ${label}: ${items.join(', ')}`);
    }
    if (changes.removed.length) console.log('  remove them from policy.allowRemoval now, so that a later removal needs a new decision');
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
