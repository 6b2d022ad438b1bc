import * as fs from 'fs';
import * as path from 'path';
import { isMap, isSeq, LineCounter, parseDocument, YAMLMap } from 'yaml';
import { z } from 'zod';
import { crossEnvironmentProblems } from './collisions';
import { EnvironmentError } from './environment-config';
import { EnvironmentConfig, environmentSchema } from './schema';
import { ProtectedRecord, protectedRecordFile, protectedRecordSchema } from './protected-record';
import { isPlainObject } from '../constructs/validation';

export { EnvironmentError } from './environment-config';

/** Environment names (file names): they prefix stack and resource names. */
export const ENV_NAME_RE = /^[a-z][a-z0-9-]{0,19}$/;
export const ENV_NAME_ALLOWED = 'must be 1-20 lowercase letters, digits and "-", starting with a letter (it prefixes stack and resource names)';

/** Largest environment file read (a file with thousands of tenants is well below). */
export const MAX_ENVIRONMENT_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Environment files parsed and validated before: the result of {@link parseEnvironment} for a name and text, when
 * it succeeded. The app keeps them between synths (app/parse-cache.ts); it must answer only for exactly this name
 * and text, parsed by exactly this code.
 */
export interface ParsedEnvironments {
  lookup(name: string, text: string): EnvironmentConfig | undefined;
  store(name: string, text: string, env: EnvironmentConfig): void;
}

/** Options of {@link loadEnvironments}. */
export interface LoadOptions {
  /**
   * Where valid files parsed before are looked up, and newly parsed ones stored.
   * @default undefined: every file is parsed and validated
   */
  readonly parsed?: ParsedEnvironments;
  /**
   * Only the environment of this name (its file and protected record); the other files are not read, and the
   * checks across environments are left out (the operator scripts need one environment, whatever the others hold).
   * @default undefined: every environment file
   */
  readonly only?: string;
}

/**
 * Reads and validates every `*.yaml` / `*.yml` file of a directory. Throws {@link EnvironmentError} listing all problems.
 * Only regular files, or symbolic links to regular files in the same directory, are read: a directory, FIFO,
 * socket or device named `*.yaml`, a dangling link or a link out of the directory is a problem (never opened, so a
 * FIFO cannot block the synth).
 */
export function loadEnvironments(dir: string, options: LoadOptions = {}): EnvironmentConfig[] {
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch (err) {
    throw new EnvironmentError([`${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the environments directory does not exist' : `cannot read the environments directory (${errorCode(err)})`}`]);
  }
  if (!dirStat.isDirectory()) throw new EnvironmentError([`${dir}: is ${kindOf(dirStat)}, not the directory of environment files`]);
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
  } catch (err) {
    throw new EnvironmentError([`${dir}: cannot read the environments directory (${errorCode(err)})`]);
  }
  if (files.length === 0) throw new EnvironmentError([`${dir}: no environment files (*.yaml)`]);
  const problems: string[] = [];
  const envs: EnvironmentConfig[] = [];
  const loaded: { file: string; env: EnvironmentConfig }[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const rel = shown(path.join(dir, file));
    const name = file.replace(/\.ya?ml$/i, '');
    if (options.only !== undefined && name !== options.only) continue;
    // A bad or clashing name is reported, and the content is still validated, so that every problem comes at once.
    let nameOk = true;
    const clash = byName.get(name.toLowerCase());
    if (clash !== undefined) {
      problems.push(`${rel}: environment name "${name}" clashes with ${clash} (names must differ in more than case)`);
      nameOk = false;
    } else byName.set(name.toLowerCase(), rel);
    if (!ENV_NAME_RE.test(name)) {
      problems.push(`${rel}: file name "${name}" is not a valid environment name: ${ENV_NAME_ALLOWED}`);
      nameOk = false;
    }
    const text = readEnvironmentFile(dir, file, rel);
    if (typeof text !== 'string') {
      problems.push(text.problem);
      continue;
    }
    const known = options.parsed?.lookup(name, text);
    const result = known ? { env: known } : parseEnvironment(rel, name, text);
    if (!known && 'env' in result) options.parsed?.store(name, text, result.env);
    if ('problems' in result) problems.push(...result.problems);
    else {
      const recordFile = path.join(dir, protectedRecordFile(name));
      const record = readProtectedRecord(recordFile, name);
      if ('problem' in record) problems.push(record.problem);
      const sourceFiles = { environment: rel, protectedRecord: shown(recordFile) };
      const env = { ...result.env, ...('record' in record && record.record ? { protectedRecord: record.record } : {}), sourceFiles };
      loaded.push({ file: rel, env });
      if (nameOk) envs.push(env);
    }
  }
  // Two files that would create the same Azure / Entra names or share state (e.g. a verbatim copy).
  problems.push(...crossEnvironmentProblems(loaded));
  if (problems.length) throw new EnvironmentError(problems);
  return envs;
}

/** The text of one environment file, or why it is not read (see {@link loadEnvironments}). */
function readEnvironmentFile(dir: string, file: string, rel: string): string | { problem: string } {
  const full = path.join(dir, file);
  let real: string;
  try {
    const link = fs.lstatSync(full);
    real = link.isSymbolicLink() ? fs.realpathSync(full) : full;
    if (link.isSymbolicLink() && path.dirname(real) !== fs.realpathSync(dir)) {
      return { problem: `${rel}: is a link to ${real}, outside the environments directory; only files in it (or links to files in it) are read` };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: `${rel}: ${code === 'ENOENT' || code === 'ELOOP' ? `is a link to a missing file (${code})` : `cannot be read (${errorCode(err)})`}` };
  }
  let fd: number | undefined;
  try {
    const before = fs.statSync(real);
    if (!before.isFile()) return { problem: `${rel}: is ${kindOf(before)}, not an environment file (only regular files are read)` };
    // O_NONBLOCK: if the file was swapped for a FIFO since the check above, opening it does not wait for a writer.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { problem: `${rel}: is ${kindOf(st)}, not an environment file (only regular files are read)` };
    if (st.size > MAX_ENVIRONMENT_FILE_BYTES) return { problem: `${rel}: is ${st.size} bytes; environment files are at most ${MAX_ENVIRONMENT_FILE_BYTES} bytes` };
    return fs.readFileSync(fd, 'utf8');
  } catch (err) {
    return { problem: `${rel}: cannot be read (${errorCode(err)})` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return st.isFile() ? 'a file' : 'not a regular file';
}

function errorCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').split(',')[0]}` : String(e.message ?? err);
}

/** Parses and validates one environment file's text. `file` is used in messages only. */
export function parseEnvironment(file: string, name: string, text: string): { env: EnvironmentConfig } | { problems: string[] } {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below with their path ("duplicate tenant"), so the parser accepts them here.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length) {
    // Only the first parse error: the parser reports one more for nearly every token after it (one unquoted
    // `${...}` in a flow mapping gave 168), which buries the cause.
    const [e] = doc.errors;
    const pos = e.linePos?.[0];
    const more = doc.errors.length > 1 ? ` (the parser stopped making sense of the file here; ${doc.errors.length - 1} more error${doc.errors.length > 2 ? 's' : ''} after it, usually caused by this one)` : '';
    return { problems: [`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: malformed YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${more}`] };
  }
  let data: unknown;
  try {
    // The parser's guard against alias bombs (yaml's maxAliasCount, default 100) throws; report it as a problem.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { problems: [`${file}: YAML aliases expand too much (${(err as Error).message}); write the values out instead of nesting aliases`] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { problems: [`${file}: must be a YAML mapping of settings (see environments/poc.yaml), got ${describe(data)}`] };
  }
  const duplicates = duplicateKeys(file, doc.contents, lineCounter);
  const parsed = environmentSchema.safeParse(data, { reportInput: true, jitless: true });
  if (!parsed.success || duplicates.length) {
    return { problems: [...duplicates, ...(parsed.error?.issues ?? []).flatMap((issue) => formatIssue(file, doc.contents, lineCounter, issue))] };
  }
  return { env: { ...parsed.data, name } };
}

/** What a key of a map is, by the map's path, for "duplicate tenant "dev"" rather than "duplicate key". */
const KEY_NOUNS: Record<string, string> = { tenants: 'tenant', 'entra.groups': 'group', 'entra.users': 'user' };

/** Keys given twice in the same mapping (YAML would silently keep the last one), with both lines. */
function duplicateKeys(file: string, root: unknown, lines: LineCounter): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, p: string[]) => {
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...p, String(i)]));
    if (!isMap(node)) return;
    const first = new Map<string, number | undefined>();
    for (const pair of (node as YAMLMap).items) {
      const keyNode = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const k = String(keyNode?.value ?? keyNode);
      const line = keyNode?.range ? lines.linePos(keyNode.range[0]).line : undefined;
      if (first.has(k)) {
        const where = p.length ? p.join('.') : '(top level)';
        const noun = KEY_NOUNS[p.join('.')] ?? 'key';
        const was = first.get(k);
        problems.push(`${file}${line ? `:${line}` : ''}: ${where}: duplicate ${noun} "${k}"${was ? ` (first defined on line ${was})` : ''}; each ${noun} must appear once`);
      } else first.set(k, line);
      walk(pair.value, [...p, k]);
    }
  };
  walk(root, []);
  return problems;
}

/**
 * Validates an environment given as an object (library use, see CapsulePlatform) with the same schema and
 * messages as the files; `label` stands where a file name would (no line numbers).
 */
export function validateEnvironment(label: string, name: string, data: unknown): { env: EnvironmentConfig } | { problems: string[] } {
  if (!ENV_NAME_RE.test(name)) return { problems: [`${label}: environment name ${JSON.stringify(name)} ${ENV_NAME_ALLOWED}`] };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { problems: [`${label}: must be an object of settings, got ${describe(data)}`] };
  const parsed = environmentSchema.safeParse(data, { reportInput: true, jitless: true });
  if (!parsed.success) return { problems: parsed.error.issues.flatMap((issue) => formatIssue(label, undefined, new LineCounter(), issue)) };
  return { env: { ...parsed.data, name } };
}

function formatIssue(file: string, root: unknown, lines: LineCounter, issue: z.core.$ZodIssue): string[] {
  const where = (p: PropertyKey[]) => {
    const node = nodeAt(root, p);
    const range = node?.range;
    const pos = range ? lines.linePos(range[0]) : undefined;
    return `${file}${pos ? `:${pos.line}` : ''}: ${p.length ? p.map(String).join('.') : '(top level)'}`;
  };
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(issue.path);
    return issue.keys.map((k) => {
      const hint = closest(k, allowed);
      return `${where([...issue.path, k])}: unknown key "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`;
    });
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got furthest, rather than "invalid input".
    const branches = issue.errors ?? [];
    const best = branches.reduce<z.core.$ZodIssue[] | undefined>((a, b) => (!a || b.length < a.length ? b : a), undefined);
    const inputKeys = isObject(issue.input) ? Object.keys(issue.input) : [];
    const options = branches.map((b) => b.filter((i) => i.code === 'unrecognized_keys').length).some((n) => n > 0);
    if (options || !best) {
      const known = allowedKeys(issue.path);
      const hints = inputKeys.filter((k) => !known.includes(k)).flatMap((k) => {
        const hint = closest(k, known);
        return hint ? [`"${k}" -> "${hint}"`] : [];
      });
      return [
        `${where(issue.path)}: ${show(issue.input)} matches none of the allowed forms${inputKeys.length ? ` (keys: ${inputKeys.join(', ')})` : ''}: ${unionForms(branches)}${hints.length ? `; did you mean ${hints.join(', ')}?` : ''}`,
      ];
    }
    return best.flatMap((i) => formatIssue(file, root, lines, { ...i, path: [...issue.path, ...i.path] }));
  }
  if (issue.code === 'invalid_key') {
    return [`${where(issue.path)}: key ${show(issue.input)} ${issue.issues.map((i) => i.message).join('; ')}`];
  }
  const input = 'input' in issue ? issue.input : undefined;
  const missing = input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  return [`${where(issue.path)}: ${missing ? 'is required' : `${show(input)} ${issue.message}`}`];
}

function unionForms(branches: z.core.$ZodIssue[][]): string {
  const forms = branches.map((b) => {
    const keys = b.filter((i) => i.code === 'invalid_type' && i.path.length === 1).map((i) => String(i.path[0]));
    return keys.length ? `{ ${keys.join(', ')} }` : 'another form';
  });
  return forms.join(' | ');
}

function allowedKeys(p: PropertyKey[]): string[] {
  let shape: z.ZodType | undefined = environmentSchema as unknown as z.ZodType;
  for (const seg of p) shape = childSchema(shape, seg);
  const obj = unwrap(shape);
  if (obj instanceof z.ZodObject) return Object.keys(obj.shape);
  // Union of objects (e.g. the state backends): every branch's keys.
  if (obj instanceof z.ZodUnion || obj instanceof z.ZodDiscriminatedUnion) {
    return [...new Set((obj.options as z.ZodType[]).flatMap((o) => (unwrap(o) instanceof z.ZodObject ? Object.keys((unwrap(o) as z.ZodObject).shape) : [])))];
  }
  return [];
}

function childSchema(s: z.ZodType | undefined, seg: PropertyKey): z.ZodType | undefined {
  const u = unwrap(s);
  if (u instanceof z.ZodObject) return (u.shape as Record<string, z.ZodType>)[String(seg)];
  if (u instanceof z.ZodRecord) return u.valueType as z.ZodType;
  if (u instanceof z.ZodArray) return u.element as z.ZodType;
  if (u instanceof z.ZodUnion || u instanceof z.ZodDiscriminatedUnion) {
    for (const o of u.options as z.ZodType[]) {
      const c = childSchema(o, seg);
      if (c) return c;
    }
  }
  return undefined;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur: z.ZodType | undefined = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
    else break;
  }
  return cur;
}

function nodeAt(root: unknown, p: PropertyKey[]): { range?: [number, number, number] } | undefined {
  let node: unknown = root;
  for (const seg of p) {
    if (isMap(node)) node = (node as YAMLMap).get(seg, true) ?? (node as YAMLMap).items.find((it) => String((it.key as { value?: unknown })?.value) === String(seg))?.key;
    else if (isSeq(node)) node = node.get(Number(seg), true);
    else return node as { range?: [number, number, number] };
    if (node === undefined) return undefined;
  }
  return node as { range?: [number, number, number] };
}

/** Closest known key by edit distance, when close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const isObject = isPlainObject;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describe(v: unknown): string {
  return v === null ? 'an empty file' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/** A path as messages show it: relative to the working directory. */
function shown(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** The committed record of an environment's protected resources (`file`: `<env>.protected.json` next to its file), if any. */
function readProtectedRecord(file: string, name: string): { record?: ProtectedRecord } | { problem: string } {
  const rel = shown(file);
  if (!fs.existsSync(file)) return {};
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { problem: `${rel}: not a valid protected record (${(err as Error).message.split('\n')[0]}); recreate it with: npm run protected-record -- ${name}` };
  }
  return parseProtectedRecord(data, rel, name, `recreate it with: npm run protected-record -- ${name}`);
}

/**
 * A protected record checked against its schema and environment name (`where`: the file, or the construct path and
 * prop of a library user's record; `remedy`: how to make a valid one).
 */
export function parseProtectedRecord(data: unknown, where: string, name: string, remedy: string): { record: ProtectedRecord } | { problem: string } {
  const parsed = protectedRecordSchema.safeParse(data);
  if (!parsed.success) return { problem: `${where}: not a valid protected record (${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}); ${remedy}` };
  if (parsed.data.environment !== name) return { problem: `${where}: is the record of environment "${parsed.data.environment}", not "${name}"` };
  return { record: parsed.data };
}
