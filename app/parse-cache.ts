import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { ParsedEnvironments } from '../config/load';
import { EnvironmentConfig } from '../config/schema';

/**
 * Valid environment files parsed by an earlier synth, kept next to the app bundle (scripts/run-app.cjs, one cache
 * directory per project root): a synth whose environment files did not change skips parsing the YAML and
 * validating it (about a tenth of the synth time with hundreds of tenants).
 *
 * An entry answers only for the same environment name and file content (SHA-256 of both), parsed by the same code:
 * `codeKey` is the bundle's key, which hashes every source file and bundled dependency (yaml, zod) that made it, the
 * lockfile, Node's version and the project root. Each entry stores its full key and is used only when that matches;
 * nothing else (paths, times) plays a part, so an edit, a copy or another checkout can never be given another
 * file's result. Invalid files are never stored: their messages always come from parsing them again.
 *
 * The cache only ever saves work: an entry that cannot be read or parsed is a miss, and an entry that cannot be
 * written is skipped silently (the synth goes on). Entries are named after the bundle's key, so scripts/run-app.cjs
 * removes them with their bundle when the code changes; of the entries of this code, the newest {@link MAX_ENTRIES}
 * and those used in the last {@link KEEP_USED_MS} are kept (a hit marks an entry used).
 */
export function environmentParseCache(dir: string, codeKey: string): ParsedEnvironments {
  const keyOf = (name: string, text: string) =>
    crypto
      .createHash('sha256')
      .update(JSON.stringify([FORMAT, codeKey, name]))
      .update('\0')
      .update(text)
      .digest('hex');
  // Named after the bundle: scripts/run-app.cjs removes them with it when the code changes.
  const fileOf = (key: string) => path.join(dir, `${codeKey}.env-${key.slice(0, 32)}.json`);
  return {
    lookup(name, text) {
      const key = keyOf(name, text);
      const file = fileOf(key);
      let env: EnvironmentConfig | undefined;
      try {
        const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown; env?: unknown };
        if (entry.key === key && typeof entry.env === 'object' && entry.env !== null) env = entry.env as EnvironmentConfig;
      } catch {
        return undefined;
      }
      if (env) {
        // Used now: pruning keeps it (see prune).
        try {
          const now = new Date();
          fs.utimesSync(file, now, now);
        } catch {
          // a read-only cache is still a cache
        }
      }
      return env;
    },
    store(name, text, env) {
      const key = keyOf(name, text);
      const entry = JSON.stringify({ key, env });
      // Only what JSON gives back as it was: YAML can also make binary data, dates, sets (`!!binary` in a loose
      // Kubernetes field), which an entry would turn into something else.
      if (!isDeepStrictEqual((JSON.parse(entry) as { env: unknown }).env, env)) return;
      const file = fileOf(key);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        // Write-then-rename: a synth running at the same time never reads half an entry.
        fs.writeFileSync(tmp, entry);
        fs.renameSync(tmp, file);
        prune(dir, codeKey);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    },
  };
}

/** Changes when the entries' layout changes. */
const FORMAT = 'capsule-aks-parsed-environment-1';
/** Entries kept per code version (a few environments, edited many times). */
export const MAX_ENTRIES = 32;

/** Entries used (looked up or stored) this recently are never pruned: a project with many environment files keeps them all. */
export const KEEP_USED_MS = 10 * 60 * 1000;

/** Removes the oldest entries of this code beyond {@link MAX_ENTRIES}, unless used within {@link KEEP_USED_MS}. */
function prune(dir: string, codeKey: string): void {
  const prefix = `${codeKey}.env-`;
  const entries = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((f) => ({ file: path.join(dir, f), mtime: fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  if (entries.length <= MAX_ENTRIES) return;
  entries.sort((a, b) => b.mtime - a.mtime);
  const unused = Date.now() - KEEP_USED_MS;
  for (const e of entries.slice(MAX_ENTRIES)) if (e.mtime < unused) fs.rmSync(e.file, { force: true });
}
