import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, Aspects, DefaultTokenResolver, Fn, IAspect, Lazy, StringConcat, TerraformLocal, TerraformOutput, TerraformResource, TerraformStack, Token, Tokenization } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { loadEnvironments } from '../config/load';
import { installFastResolve, preparedConfiguration, prepareStacks, uninstallFastResolve, withSynthCaches, withTokenValuesPerStack } from '../app/synth-speed';
import { applyPolicyChecks, policyErrors } from '../policy/policy-checks';
import { annotatesOnly } from '../constructs/policy-finding';
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

/** withSynthCaches as main.ts calls it. */
function withAppCaches<T>(app: App, fn: () => T): T {
  return withSynthCaches(app, fn, annotatesOnly);
}

/**
 * Synthesizes a new App made by `build` as main.ts does (same outdir depth), with cdktf alone or with the app's
 * speed-ups (the fast walk from the start, the synth caches around synth): its files, or its error's first line.
 */
function synthOnce(fast: boolean, build: (app: App) => void, context: Record<string, unknown> = {}): { files?: Record<string, string>; error?: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'speed-cases-'));
  if (fast) installFastResolve();
  try {
    const app = new App({ outdir, stackTraces: false, context });
    build(app);
    if (fast) withAppCaches(app, () => app.synth());
    else app.synth();
    return { files: tree(outdir) };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  } finally {
    uninstallFastResolve();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The environments of the given directories, synthesized by {@link synthOnce}. */
function synthesize(dirs: string[], fast: boolean): Record<string, string> {
  const r = synthOnce(fast, (app) => {
    for (const dir of dirs) for (const env of loadEnvironments(dir)) addEnvironmentStacks(app, env);
  }, { [PROJECT_ROOT_CONTEXT]: path.join(__dirname, '..') });
  if (!r.files) throw new Error(r.error);
  return r.files;
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
  const build = (app: App) => {
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
  };
  const cdktf = synthOnce(false, build);
  expect(cdktf.files?.['stacks/b/cdk.tf.json']).toContain('cross-stack-output');
  expect(synthOnce(true, build)).toEqual(cdktf);
});

/** A resource whose attributes are its config object (as hand-written resources do). */
class Res extends TerraformResource {
  constructor(scope: Construct, id: string, public config: Record<string, unknown> = {}, type = 'null_resource') {
    super(scope, id, { terraformResourceType: type });
  }
  protected override synthesizeAttributes(): Record<string, unknown> {
    return this.config;
  }
}

class TagWithOverride implements IAspect {
  visit(node: IConstruct) {
    if (TerraformResource.isTerraformResource(node)) node.addOverride('tags.managed_by', 'cdktf');
  }
}
class ProtectOutputs implements IAspect {
  visit(node: IConstruct) {
    if (TerraformOutput.isTerraformOutput(node)) node.sensitive = true;
  }
}
const FROZEN_RULES = Object.freeze([Object.freeze({ port: 443, protocol: 'tcp' })]);

// Trees that break a cache that is not careful (found by a review of the speed-ups; each failed before the fix):
// the output and the error must be what cdktf alone gives.
const TREES: Record<string, (app: App) => void> = {
  'an aspect that overrides resource attributes during synth (caches are not used then)': (app) => {
    const s = new TerraformStack(app, 's');
    new Res(s, 'a', { name: 'n' });
    Aspects.of(s).add(new TagWithOverride());
  },
  'an aspect that makes outputs sensitive during synth': (app) => {
    const s = new TerraformStack(app, 's');
    new TerraformOutput(s, 'o', { value: new Res(s, 'a').getStringAttribute('id') });
    Aspects.of(s).add(new ProtectOutputs());
  },
  "a Lazy listing the stack's outputs (a later stack's preparing pass adds a cross-stack output)": (app) => {
    const a = new TerraformStack(app, 'a');
    const r = new Res(a, 'r', { name: 'n' });
    new Res(a, 'inventory', { outputs: Lazy.listValue({ produce: () => a.node.findAll().filter(TerraformOutput.isTerraformOutput).map((o) => o.friendlyUniqueId) }) });
    new Res(new TerraformStack(app, 'b'), 'user', { ref: r.getStringAttribute('id') });
  },
  'the same text with a Lazy that gives another value each time, in two resources (text is remembered only when made of pure tokens)': (app) => {
    const s = new TerraformStack(app, 's');
    let n = 0;
    const text = `v-${Lazy.stringValue({ produce: () => String(n++) })}-${Fn.upper('x')}`;
    new Res(s, 'a', { x: text });
    new Res(s, 'b', { x: text });
  },
  'a Lazy that renders a placeholder while preparing': (app) => {
    new Res(new TerraformStack(app, 's'), 'a', { x: Lazy.stringValue({ produce: (c) => (c.preparing ? 'placeholder' : 'final') }) });
  },
  'a Lazy that fails only in the final resolve': (app) => {
    new Res(new TerraformStack(app, 's'), 'a', {
      x: Lazy.stringValue({
        produce: (c) => {
          if (!c.preparing) throw new Error('x is required at synth');
          return 'placeholder';
        },
      }),
    });
  },
  'a Lazy that adds a warning each time it is used (manifest.json annotations)': (app) => {
    const s = new TerraformStack(app, 's');
    const legacy = Lazy.stringValue({
      produce: (c) => {
        Annotations.of(c.scope).addWarning('legacyName is deprecated');
        return 'legacy';
      },
    });
    new Res(s, 'a', { name: legacy });
    new Res(s, 'b', { name: `${legacy}-b` });
  },
  'a Lazy giving a new value each time, used in two locals': (app) => {
    const s = new TerraformStack(app, 's');
    let next = 0;
    const seq = Lazy.stringValue({ produce: () => `n${next++}` });
    new TerraformLocal(s, 'first', `x-${seq}`);
    new TerraformLocal(s, 'second', `x-${seq}`);
  },
  'two resources sharing one rule object, and a stack override changing one of them': (app) => {
    const s = new TerraformStack(app, 's');
    const rule = { port: 80, protocol: 'tcp' };
    new Res(s, 'a', { ingress: [rule] });
    new Res(s, 'b', { ingress: [rule] });
    s.addOverride('resource.null_resource.a.ingress.0.port', 8080);
  },
  'a frozen constant list, and a stack override into it': (app) => {
    const s = new TerraformStack(app, 's');
    new Res(s, 'a', { ingress: FROZEN_RULES });
    s.addOverride('resource.null_resource.a.ingress.0.port', 8443);
  },
  'a Lazy that resolves an object shared with another resource and adds a field to the result': (app) => {
    const s = new TerraformStack(app, 's');
    const base = { name: 'n', labels: { a: 'b' } };
    const withDefaults = Lazy.anyValue({
      produce: (c) => {
        const r = Tokenization.resolve(base, { scope: c.scope, resolver: new DefaultTokenResolver(new StringConcat()), preparing: c.preparing }) as { labels: Record<string, string> };
        r.labels.managed = 'yes';
        return r;
      },
    });
    new Res(s, 'a', { spec: withDefaults });
    new Res(s, 'b', { plain: base });
  },
};

test.each(Object.keys(TREES))('app speed-ups, as cdktf alone: %s', (name) => {
  const cdktf = synthOnce(false, TREES[name]);
  expect(synthOnce(true, TREES[name])).toEqual(cdktf);
});

test('app speed-ups: a stack override appending to a list inside a shared list leaves the constant alone (a second App gets the same output)', () => {
  const base = [{ port: 443, cidrs: ['10.0.0.0/8'] }];
  const build = (app: App) => {
    const s = new TerraformStack(app, 's');
    new Res(s, 'a', { ingress: base });
    s.addOverride('resource.null_resource.a.ingress.0.cidrs', ['192.168.0.0/16']);
  };
  const first = synthOnce(true, build);
  expect(synthOnce(true, build)).toEqual(first);
  expect(base).toEqual([{ port: 443, cidrs: ['10.0.0.0/8'] }]);
  expect(first).toEqual(synthOnce(false, build));
});

test('policy checks with token values per stack find what they find without: a Lazy reading its own scope is resolved per element', () => {
  const build = () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'speed-policy-')), stackTraces: false });
    const s = new TerraformStack(app, 's');
    applyPolicyChecks(s);
    const version = Lazy.stringValue({ produce: (c) => String(c.scope.node.tryGetContext('chartVersion')) });
    for (const [team, v] of [['pinned', '1.2.3'], ['floating', 'latest']]) {
      const scope = new Construct(s, team);
      scope.node.setContext('chartVersion', v);
      new Res(scope, 'release', { name: team, chart: 'c', version }, 'helm_release');
    }
    return app;
  };
  const cdktf = policyErrors(build());
  expect(cdktf.join('\n')).toContain('floating');
  installFastResolve();
  try {
    const app = build();
    expect(withAppCaches(app, () => withTokenValuesPerStack(() => policyErrors(app)))).toEqual(cdktf);
  } finally {
    uninstallFastResolve();
  }
});

/** Stacks whose findings cover every check that reads resolved values, with a Lazy (not reused) and a cross-stack reference. */
function policyApp(): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'speed-prepared-')), stackTraces: false });
  const a = new TerraformStack(app, 'a');
  const b = new TerraformStack(app, 'b');
  for (const s of [a, b]) applyPolicyChecks(s);
  const cluster = new Res(a, 'aks', { local_account_disabled: false, kube_admin_config_raw: 'x' }, 'azurerm_kubernetes_cluster');
  new Res(a, 'sub', { scope: '/subscriptions/00000000-0000-0000-0000-000000000001', role_definition_name: 'Owner' }, 'azurerm_role_assignment');
  new Res(a, 'chart', { name: 'c', chart: 'c', version: Lazy.stringValue({ produce: () => 'latest' }) }, 'helm_release');
  new Res(b, 'user', { password: 'Hunter2-literal!', group: cluster.getStringAttribute('id') }, 'azuread_user');
  new Res(b, 'tenant', { manifest: { apiVersion: 'capsule.clastix.io/v1beta2', kind: 'Tenant', metadata: { name: 't' }, spec: { owners: [] } } }, 'kubernetes_manifest');
  // A cross-stack reference to the admin kubeconfig: the output cdktf's preparing pass adds to stack a copies it
  // into b's state (terraform_remote_state); the checks run after that pass and see it.
  new TerraformOutput(b, 'admin', { value: cluster.getStringAttribute('kube_admin_config_raw'), sensitive: true });
  return app;
}

test('policy checks after prepareStacks: reading the preparing pass\'s results, they find what they find resolving each value', () => {
  // Every finding (errors, warnings), by construct path.
  const findings = (app: App) => app.node.findAll().flatMap((n) => n.node.metadata.filter((m) => /CAKS/.test(String(m.data))).map((m) => `${n.node.path} ${m.type} ${String(m.data)}`));
  const plain = policyApp();
  prepareStacks(plain);
  const cdktf = policyErrors(plain);
  expect(findings(plain).map((e) => e.match(/CAKS\d+/)![0]).sort()).toEqual(['CAKS001', 'CAKS002', 'CAKS004', 'CAKS005', 'CAKS008', 'CAKS008', 'CAKS009']);
  // The cross-stack output added by the preparing pass is checked.
  expect(cdktf.join('\n')).toContain('[a/cross-stack-output-azurerm_kubernetes_cluster.aks.kube_admin_config_raw] [CAKS008]');
  installFastResolve();
  try {
    const app = policyApp();
    let read = 0;
    const errors = withAppCaches(app, () => {
      prepareStacks(app);
      return withTokenValuesPerStack(() => policyErrors(app, { resolvedConfiguration: (e) => { const c = preparedConfiguration(e); if (c !== undefined) read++; return c; } }));
    });
    expect(errors).toEqual(cdktf);
    expect(findings(app)).toEqual(findings(plain));
    // Every element but the Lazy's and those the preparing pass added (the cross-stack output, the remote state).
    expect(read).toBe(5);
  } finally {
    uninstallFastResolve();
  }
});

test('prepareStacks: App.synth after it writes what App.synth alone writes, and prepares each stack once', () => {
  const build = (app: App) => {
    const a = new TerraformStack(app, 'a');
    const r = new Res(a, 'r', { name: 'n' });
    new Res(new TerraformStack(app, 'b'), 'user', { ref: r.getStringAttribute('id'), lazy: Lazy.stringValue({ produce: (c) => (c.preparing ? 'p' : 'final') }) });
  };
  const cdktf = synthOnce(false, build);
  expect(cdktf.files?.['stacks/b/cdk.tf.json']).toContain('cross-stack-reference-input-a');
  const spy = jest.spyOn(TerraformStack.prototype, 'prepareStack');
  try {
    for (const fast of [false, true]) {
      spy.mockClear();
      expect(synthOnce(fast, (app) => (build(app), prepareStacks(app)))).toEqual(cdktf);
      expect(spy).toHaveBeenCalledTimes(2);
    }
  } finally {
    spy.mockRestore();
  }
});

test('token values per stack: a value resolved with a scope outside any stack is resolved as cdktf does', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'speed-scope-')), stackTraces: false });
  const text = `x-${Fn.upper('y')}`;
  const run = () => Tokenization.resolve(text, { scope: app, resolver: new DefaultTokenResolver(new StringConcat()) });
  const cdktf = run();
  installFastResolve();
  try {
    expect(withAppCaches(app, () => withTokenValuesPerStack(run))).toBe(cdktf);
  } finally {
    uninstallFastResolve();
  }
});
