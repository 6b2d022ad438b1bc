import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformOutput, TerraformResource, TerraformStack, Token, Tokenization } from 'cdktf';
import { loadEnvironments } from '../config/load';
import { installFastResolve, uninstallFastResolve, withSynthCaches } from '../app/synth-speed';
import { addEnvironmentStacks } from '../stacks/environment-stacks';
import { PROJECT_ROOT_CONTEXT } from '../stacks/project-paths';
import { writeGeneratedEnvironment } from '../bench/generate';
import { ENV_DIR } from './helpers';

// app/synth-speed.ts walks plain values itself and hands tokens to cdktf's resolve: the result (or the error)
// must be what cdktf's resolve alone gives, value by value and for whole environments.

afterEach(() => uninstallFastResolve());

/** The result of resolving `value` (or the error message), with cdktf's walk alone or with the fast walk. */
function resolved(fast: boolean, scope: TerraformStack, value: () => unknown): { value?: unknown; error?: string } {
  if (fast) installFastResolve();
  else uninstallFastResolve();
  try {
    return { value: Tokenization.resolve(value(), { scope, resolver: new DefaultTokenResolver(new StringConcat()), preparing: false }) };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    uninstallFastResolve();
  }
}

describe('fast resolve: each value as cdktf resolves it', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'fast-resolve-')), stackTraces: false });
  const stack = new TerraformStack(app, 's');
  const lazyString = Lazy.stringValue({ produce: () => 'lazy ${text}' });
  const lazyObject = Lazy.anyValue({ produce: () => ({ nested: ['a', { b: lazyString }], n: 1 }) });
  let depth: unknown = 'bottom';
  for (let i = 0; i < 210; i++) depth = { d: depth };
  const cases: Record<string, () => unknown> = {
    'plain values': () => ({ a: 'x', b: 1, c: true, d: null, e: undefined, f: [1, undefined, 'y', [], {}], g: { h: { i: 'deep' } } }),
    'text with template sequences': () => ({ a: '${x}', b: '$${escaped}', c: '%{if}', d: 'a } b', e: '${TfToken[' }),
    'text that looks like a concatenated number token': () => ({ a: '1e5', b: 'some-ee', c: '-1.8881545897087626e+289', d: '1.0e-3' }),
    'string tokens': () => ({ a: lazyString, b: `pre ${lazyString} post`, c: Token.asString(lazyObject) }),
    'a token as an object key': () => ({ [lazyString]: 'v', plain: 'w' }),
    'a number token inside text (cdktf finds it by its digits)': () => ({ a: `n=${Token.asNumber(Lazy.numberValue({ produce: () => 42 }))} and 1e5` }),
    'number tokens': () => ({ a: Token.asNumber(Lazy.numberValue({ produce: () => 42 })), b: [1, Token.asNumber(Lazy.numberValue({ produce: () => 7 }))] }),
    'list tokens': () => ({ a: Token.asList(Lazy.listValue({ produce: () => ['p', 'q'] })), b: Lazy.listValue({ produce: () => ['r'] }) }),
    'map tokens': () => ({ a: Token.asStringMap(Lazy.anyValue({ produce: () => ({ k: 'v' }) })), b: Token.asAnyMap(Lazy.anyValue({ produce: () => ({ k: 1 }) })) }),
    'resolvables producing objects': () => ({ a: lazyObject, b: [lazyObject] }),
    'a Date': () => ({ a: new Date(0) }),
    'a map token value in string context (cdktf throws)': () => ({ a: Token.STRING_MAP_TOKEN_VALUE }),
    'a function (cdktf throws)': () => ({ a: () => 1 }),
    'a construct (cdktf throws)': () => ({ a: stack }),
    'deeper than 200 levels (cdktf throws)': () => depth,
  };
  test.each(Object.keys(cases))('%s', (name) => {
    const cdktf = resolved(false, stack, cases[name]);
    expect(resolved(true, stack, cases[name])).toEqual(cdktf);
  });
});

/** Every file of a directory tree: relative path -> content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  visit(dir);
  return out;
}

/**
 * Synthesizes environments as main.ts does (same outdir depth), with cdktf alone or with the app's speed-ups (the
 * fast walk, and the configuration and preparing-pass caches around synth).
 */
function synthesize(dirs: string[], fast: boolean): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-resolve-out-'));
  if (fast) installFastResolve();
  try {
    const app = new App({ outdir, stackTraces: false, context: { [PROJECT_ROOT_CONTEXT]: path.join(__dirname, '..') } });
    for (const dir of dirs) for (const env of loadEnvironments(dir)) addEnvironmentStacks(app, env);
    if (fast) withSynthCaches(() => app.synth());
    else app.synth();
    return tree(outdir);
  } finally {
    uninstallFastResolve();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test('app speed-ups: the bundled environments and a generated 3-tenant one synthesize to the same files as with cdktf alone', () => {
  const generated = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-resolve-env-'));
  writeGeneratedEnvironment(generated, 3);
  try {
    const cdktf = synthesize([ENV_DIR, generated], false);
    expect(Object.keys(cdktf).length).toBeGreaterThan(6);
    expect(synthesize([ENV_DIR, generated], true)).toEqual(cdktf);
  } finally {
    fs.rmSync(generated, { recursive: true, force: true });
  }
});

test('app speed-ups: one token used bare, inside function calls and after an escape, in its own stack and in another, synthesizes as with cdktf alone', () => {
  const build = (outdir: string) => {
    const app = new App({ outdir, stackTraces: false });
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    const r = new TerraformResource(a, 'r', { terraformResourceType: 'null_resource' });
    const id = r.getStringAttribute('id');
    const text = `bare ${id}; upper ${Fn.upper(id)}; joined ${Fn.join(',', [id, Fn.lower(id)])}; escaped $\${${id}} and \${${id}}; again ${id}`;
    for (const s of [a, b]) {
      new TerraformResource(s, 'user', { terraformResourceType: 'null_resource' }).addOverride('triggers', { text, id, list: [id, Fn.upper(id)] });
      new TerraformOutput(s, 'out', { value: text });
      new TerraformOutput(s, 'id', { value: id });
    }
    return app;
  };
  const synthesizeWith = (fast: boolean) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-resolve-tokens-'));
    try {
      if (fast) installFastResolve();
      const app = build(outdir);
      if (fast) withSynthCaches(() => app.synth());
      else app.synth();
      return tree(outdir);
    } finally {
      uninstallFastResolve();
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  const cdktf = synthesizeWith(false);
  expect(cdktf['stacks/b/cdk.tf.json']).toContain('cross-stack-output');
  expect(synthesizeWith(true)).toEqual(cdktf);
});
