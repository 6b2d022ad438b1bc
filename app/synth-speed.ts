import { Aspects, DefaultTokenResolver, IAspect, TerraformDataSource, TerraformOutput, TerraformResource, TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Speed-ups of cdktf's synth for the app (main.ts); the constructs and stacks do not use them, and they change no
 * byte of the output (__tests__/synth-speed.test.ts compares with cdktf alone).
 *
 * 1. A faster walk for cdktf's token resolution, for the app (main.ts); the constructs and stacks do not use it.
 *
 * cdktf resolves every synthesized value three times (prepareStack, the element, the whole stack: cdktf
 * lib/terraform-stack.js prepareStack/toTerraform), and its resolve (lib/tokens/private/resolve.js, `resolve`) makes
 * a resolution context with two closures, a copy of the options and of the key path, and joins the key path, for
 * every value, object key and array element, tokens or not. With hundreds of tenants that walk is a third of the
 * synth time. {@link installFastResolve} puts a walk in front of it that returns plain values (strings without a
 * token marker or an encoded number, numbers that are not token doubles, booleans, null) as cdktf would, walks plain
 * arrays and objects itself, and hands everything else to cdktf's own resolve with the options and key path cdktf
 * would have given it: tokens, token strings, list and map tokens, constructs, functions, values deeper than cdktf's
 * limit. The written JSON is the same (tested in __tests__/synth-speed.test.ts against cdktf's resolve).
 *
 * cdktf 0.21.0 is the final release (the project pins it exactly), so its internals do not move.
 */

/**
 * 2. {@link withSynthCaches}, from the last construct to the end of synth (main.ts wraps the policy checks and
 * `app.synth()`), unless an aspect that may change resources is in the tree:
 * - the configuration of a resource, data source or output (`toTerraform()`: attributes in snake case, meta
 *   arguments, overrides; tokens not resolved) is built once instead of three times (policy checks, cdktf's
 *   prepareStack and stack toTerraform);
 * - the resolved configuration of such an element from cdktf's preparing pass (lib/terraform-stack.js prepareStack, the
 *   only `resolve(…, true)` in cdktf) is handed to the stack's toTerraform (lib/terraform-stack.js:276), which would
 *   resolve the same object in the same stack again. The preparing pass resolves every reference as the second pass
 *   does: a cross-stack reference records its identifier for the resolving stack before it returns it
 *   (lib/tfExpression.js Reference.resolve), and elements that pass adds (cross-stack outputs, remote state) are
 *   not in the cache and are resolved as usual;
 * - the value of each token in text (string-fragments.js mapTokens) is remembered per stack, token and the context
 *   fields its value depends on (preparing, braces, escapes, iterator), and reused: hundreds of tenants'
 *   kubeconfigs and owners share the same references and function calls ({@link withTokenValuesPerStack}: also
 *   while the policy checks run);
 * - text with tokens is resolved once per stack and pass where a stack resolve meets it (see `StackPass`): the
 *   same reference in a thousand role assignments, each kubeconfig in its secret and its output;
 * - plain subtrees that resolve to themselves are not copied (see `StackPass`).
 * Only results made of pure tokens are reused (cdktf's references, expressions and complex attributes, whose value
 * depends on the stack and the context alone): a Lazy or another resolvable may give another value per pass, per
 * use or per scope, and is resolved every time as cdktf would.
 */

/**
 * 3. {@link skipTokenCreationTraces}: cdktf records a full stack trace for every token it creates, only to print it
 * if that token later fails to resolve; with hundreds of tenants that is a third of the synth time and much of its
 * memory. Errors keep their own stack traces; set CAPSULE_AKS_TOKEN_TRACES=1 to get the token creation traces back
 * while debugging.
 *
 * 4. {@link skipTerraformVersionCheck}: cdktf validates `terraform_data` resources (and imports, moves) by running
 * `terraform version` during synth: a synth would then need the terraform binary on the PATH (without it: a stack
 * trace) and start a process per check. Terraform checks its own version when it runs these stacks (terraform_data
 * needs >= 1.4; the README requires >= 1.7), so synth skips that one check
 * (cdktf/lib/validations/validate-terraform-version.js); the others stay.
 *
 * main.ts uses all four; the jest setup (__tests__/setup.ts) uses 3 and 4, so that the tests synthesize as the app
 * does (and need no terraform binary) while the constructs are tested on cdktf's own resolve.
 */

/** cdktf's resolve options (lib/tokens/private/resolve.d.ts, IResolveOptions). */
interface ResolveOptions {
  readonly prefix?: string[];
  readonly previousContext?: unknown;
  readonly [other: string]: unknown;
}
type ResolveFn = (obj: unknown, options: ResolveOptions) => unknown;

/* eslint-disable @typescript-eslint/no-require-imports */
const resolveModule = require('cdktf/lib/tokens/private/resolve') as { resolve: ResolveFn };
const encoding = require('cdktf/lib/tokens/private/encoding') as { extractTokenDouble(x: number, list: boolean): number | undefined };
/** cdktf's string resolution context (lib/tokens/resolvable.d.ts, IResolveContext): the fields a token's value depends on. */
interface ResolveContext {
  readonly scope: object;
  readonly preparing: boolean;
  suppressBraces?: boolean;
  ignoreEscapes?: boolean;
  warnEscapes?: boolean;
  iteratorContext?: string;
  resolve(x: unknown): unknown;
}
const fragmentsModule = require('cdktf/lib/tokens/string-fragments') as { TokenizedStringFragments: { prototype: { mapTokens(context: ResolveContext): unknown } } };
/** cdktf's resolve for synthesis (lib/_tokens.js), called as a property of this module by lib/terraform-stack.js. */
const tokensModule = require('cdktf/lib/_tokens') as { resolve: (scope: unknown, obj: unknown, preparing?: boolean) => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every cdktf token marker (string `${TfToken[`, list `#{TfToken[`, map `&{TfToken[`) contains this. */
const MARKER = 'TfToken[';
/** cdktf's concatenated-number-token pattern (lib/tokens/private/encoding.js, NUMBER_TOKEN_REGEX). */
const NUMBER_TOKEN_RE = /[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)/g;
/** Key path parts of array elements (no new string per element and pass). */
const INDEX = Array.from({ length: 256 }, (_, i) => `${i}`);
/** cdktf's depth limit (resolve.js: `prefix.length > 200` throws). */
const MAX_DEPTH = 200;

/**
 * A string cdktf's resolve returns unchanged: no token marker, not a map token value, and no text matching cdktf's
 * number pattern that is an encoded number token (cdktf splits such text at every match, looks each up as a number
 * token (TokenMap.lookupNumberToken(parseFloat(match))) and joins the pieces again: text that is no token comes back
 * as it was; a long kubeconfig often has such text).
 */
function plainString(s: string): boolean {
  if (s.includes(MARKER) || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE) return false;
  NUMBER_TOKEN_RE.lastIndex = 0;
  for (let m = NUMBER_TOKEN_RE.exec(s); m; m = NUMBER_TOKEN_RE.exec(s)) {
    if (encoding.extractTokenDouble(parseFloat(m[0]), false) !== undefined) return false;
  }
  return true;
}

/** {@link plainString} of object keys, remembered: a few hundred attribute names recur in every element. */
const PLAIN_KEYS = new Map<string, boolean>();
function plainKey(k: string): boolean {
  let plain = PLAIN_KEYS.get(k);
  if (plain === undefined) {
    plain = plainString(k);
    // Keys with a token or an encoded number are rare and not remembered (a token's text is unique).
    if (plain && PLAIN_KEYS.size < 100_000) PLAIN_KEYS.set(k, true);
  }
  return plain;
}

/** A number cdktf's resolve returns unchanged. */
function plainNumber(n: number): boolean {
  return n !== Token.NUMBER_MAP_TOKEN_VALUE && encoding.extractTokenDouble(n, false) === undefined;
}

let original: ResolveFn | undefined;
/** Resolved text per stack (the resolve's scope), then per pass (0: final, 1: preparing): see {@link rememberedText}. */
type TextTable = WeakMap<object, Map<string, string>[]>;
/**
 * What the top-level resolve of one of cdktf's stack resolves under {@link withSynthCaches} may do; undefined in
 * any other resolve, and in a resolve that a token makes while it is resolved (its caller may change the result).
 * - `share`: a plain array or object whose values all resolve to themselves is returned as it is instead of as a
 *   copy: the same JSON, without copying every resource's configuration on every pass. cdktf merges and writes such
 *   a result without changing it (lib/terraform-stack.js toTerraform, lib/util.js deepMerge); false in a stack with
 *   overrides of its elements (`stack.addOverride('resource.…')`: deepMerge would write them into the shared lists).
 * - `texts`: text with tokens is resolved once per stack and pass (see {@link rememberedText}): the same text
 *   (hundreds of role assignments' `scope`, each kubeconfig in its Key Vault secret and its output).
 */
interface StackPass {
  readonly share: boolean;
  readonly texts: TextTable;
}
let pass: StackPass | undefined;
/** Set by {@link withSynthCaches} just before it calls cdktf's resolve; taken by the next top-level resolve. */
let nextPass: StackPass | undefined;
/** Top-level resolves (Tokenization.resolve) in progress: 1 inside a stack resolve or a policy check's resolve. */
let resolveDepth = 0;

/** Puts the walk in front of cdktf's resolve (once per process). */
export function installFastResolve(): void {
  if (original) return;
  const cdktfResolve = resolveModule.resolve;
  original = cdktfResolve;
  resolveModule.resolve = (obj, options) => {
    const outer = pass;
    pass = nextPass;
    nextPass = undefined;
    resolveDepth++;
    try {
      return walk(cdktfResolve, obj, options, [...(options.prefix ?? [])]);
    } finally {
      resolveDepth--;
      pass = outer;
    }
  };
}

/** Restores cdktf's own resolve (tests). */
export function uninstallFastResolve(): void {
  if (original) resolveModule.resolve = original;
  original = undefined;
}

/**
 * Resolves `obj` at key path `path` as cdktf's resolve(obj, { ...options, prefix: path }) would. `path` is used as a
 * stack (pushed and popped), copied only when handed to cdktf.
 */
function walk(cdktf: ResolveFn, obj: unknown, options: ResolveOptions, path: string[]): unknown {
  if (path.length > MAX_DEPTH) return cdktf(obj, { ...options, prefix: [...path] });
  switch (typeof obj) {
    case 'undefined':
      return undefined;
    case 'string':
      if (plainString(obj)) return obj;
      return pass && options.previousContext === undefined ? rememberedText(cdktf, obj, options, path, pass.texts) : cdktf(obj, { ...options, prefix: [...path] });
    case 'number':
      return plainNumber(obj) ? obj : cdktf(obj, { ...options, prefix: [...path] });
    case 'object':
      break;
    case 'function':
      return cdktf(obj, { ...options, prefix: [...path] });
    default:
      return obj; // boolean, bigint, symbol: as they are
  }
  if (obj === null) return null;
  if (obj instanceof Date) return obj;
  if (Array.isArray(obj)) {
    // List tokens (a marker string or a list-token number as an element): cdktf's resolver handles the list.
    for (const x of obj) {
      if ((typeof x === 'string' && x.includes(MARKER)) || (typeof x === 'number' && encoding.extractTokenDouble(x, true) !== undefined)) {
        return cdktf(obj, { ...options, prefix: [...path] });
      }
    }
    let out: unknown[] | undefined = pass?.share && Object.getPrototypeOf(obj) === Array.prototype ? undefined : [];
    for (let i = 0; i < obj.length; i++) {
      path.push(i < INDEX.length ? INDEX[i] : `${i}`);
      const v = walk(cdktf, obj[i], options, path);
      path.pop();
      if (out) {
        if (v !== undefined) out.push(v);
      } else if (v === undefined || v !== obj[i]) {
        out = obj.slice(0, i);
        if (v !== undefined) out.push(v);
      }
    }
    return out ?? obj;
  }
  const o = obj as Record<string, unknown>;
  const keys = Object.keys(o);
  // Tokens (resolvables), map tokens, keys that are or hold tokens, constructs (cdktf throws): cdktf decides.
  let plain = typeof o.resolve !== 'function' && (o._children === undefined || o._metadata === undefined);
  for (let i = 0; plain && i < keys.length; i++) plain = plainKey(keys[i]);
  if (!plain) return cdktf(obj, { ...options, prefix: [...path] });
  let out: Record<string, unknown> | undefined = pass?.share && Object.getPrototypeOf(o) === Object.prototype && !keys.includes('__proto__') ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    path.push(key);
    const v = walk(cdktf, o[key], options, path);
    path.pop();
    if (out) {
      if (v !== undefined) out[key] = v;
    } else if (v === undefined || v !== o[key]) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]] = o[keys[j]];
      if (v !== undefined) out[key] = v;
    }
  }
  return out ?? o;
}

/** A string with tokens, resolved by cdktf at the top level of a stack resolve, remembered when only pure tokens made it. */
function rememberedText(cdktf: ResolveFn, s: string, options: ResolveOptions, path: string[], table: TextTable): unknown {
  const scope = options.scope as object;
  let byPass = table.get(scope);
  if (!byPass) table.set(scope, (byPass = [new Map(), new Map()]));
  const known = byPass[options.preparing ? 1 : 0];
  const hit = known.get(s);
  if (hit !== undefined) return hit;
  const before = impureTokens;
  const value = cdktf(s, { ...options, prefix: [...path] });
  if (typeof value === 'string' && impureTokens === before) known.set(s, value);
  return value;
}

/**
 * Runs `fn` (main.ts: the policy checks and `app.synth()`) with the caches of 2. above: each resource's, data
 * source's and output's `toTerraform()` computed once and reused (the same unresolved object: cdktf and the policy
 * checks only read it), the stack's second resolve of that object taking the preparing pass's result, and token
 * values in text remembered. Resources must not change while `fn` runs, so when any construct under `root` has an
 * aspect for which `annotatesOnly` is false (an aspect may change resources during synth, after the caches were
 * filled), `fn` runs without the caches.
 *
 * What is reused comes only from tokens whose value depends on nothing but the stack and the resolve context:
 * cdktf's references and expressions (Intrinsic, TFExpression and its subclasses: Reference, FunctionCall, …) and
 * its complex attribute lists and maps. A resolve that meets any other token (a Lazy, a custom IResolvable, an
 * iterator) is not remembered: such a token may give another value, or throw, in the next pass.
 */
export function withSynthCaches<T>(root: IConstruct, fn: () => T, annotatesOnly: (aspect: IAspect) => boolean): T {
  if (root.node.findAll().some((c) => Aspects.of(c).all.some((a) => !annotatesOnly(a)))) return fn();
  const built = new WeakMap<object, unknown>();
  const restore: (() => void)[] = [];
  for (const proto of [TerraformResource.prototype, TerraformDataSource.prototype, TerraformOutput.prototype]) {
    const own = Object.getOwnPropertyDescriptor(proto, 'toTerraform');
    if (!own) continue;
    Object.defineProperty(proto, 'toTerraform', {
      ...own,
      value: function toTerraform(this: object) {
        if (!built.has(this)) built.set(this, (own.value as () => unknown).call(this));
        return built.get(this);
      },
    });
    restore.push(() => Object.defineProperty(proto, 'toTerraform', own));
  }
  // Counts the tokens resolved that are not known to be pure (see above).
  const resolver = DefaultTokenResolver.prototype;
  const resolveToken = resolver.resolveToken;
  resolver.resolveToken = function countImpure(this: DefaultTokenResolver, t, context, postProcessor) {
    if (!isPureToken(t)) impureTokens++;
    return resolveToken.call(this, t, context, postProcessor);
  };
  restore.push(() => (resolver.resolveToken = resolveToken));
  const cdktfResolve = tokensModule.resolve;
  const prepared = new WeakMap<object, { scope: unknown; value: unknown }>();
  const texts: TextTable = new WeakMap();
  const stackResolve = (scope: unknown, obj: unknown, preparing: boolean): unknown => {
    inStackResolve++;
    nextPass = { share: !hasElementOverrides(scope), texts };
    try {
      return cdktfResolve(scope, obj, preparing);
    } finally {
      inStackResolve--;
      nextPass = undefined;
    }
  };
  tokensModule.resolve = (scope, obj, preparing = false) => {
    if (obj === null || typeof obj !== 'object') return stackResolve(scope, obj, preparing);
    if (preparing) {
      const before = impureTokens;
      const value = stackResolve(scope, obj, true);
      if (impureTokens === before) prepared.set(obj, { scope, value });
      return value;
    }
    const hit = prepared.get(obj);
    if (hit && hit.scope === scope) {
      prepared.delete(obj);
      return hit.value;
    }
    return stackResolve(scope, obj, false);
  };
  restore.push(() => (tokensModule.resolve = cdktfResolve));
  // The preparing pass's result of an element, for the policy checks (see preparedConfiguration).
  preparedOf = (element) => {
    const obj = built.get(element);
    const hit = typeof obj === 'object' && obj !== null ? prepared.get(obj) : undefined;
    return hit && hit.scope === stackOf(element) ? hit.value : undefined;
  };
  restore.push(() => (preparedOf = undefined));
  // Token values in text, remembered per scope, token and context (see 2. above).
  const fragments = fragmentsModule.TokenizedStringFragments.prototype;
  const mapTokens = fragments.mapTokens;
  const values: TokenValues = new WeakMap();
  fragments.mapTokens = function memoMapTokens(this: unknown, context: ResolveContext) {
    // Only in the top-level resolve of cdktf's stack resolves (the scope is the stack) or of the policy checks (the
    // scope is the element; values are remembered per stack, in a table of their own, see withTokenValuesPerStack).
    const table = resolveDepth !== 1 ? undefined : inStackResolve > 0 ? values : checkValues;
    const key = table === values ? context.scope : table ? stackOf(context.scope) : undefined;
    if (!table || !key) return mapTokens.call(this, context);
    let byToken = table.get(key);
    if (!byToken) table.set(key, (byToken = new Map()));
    const resolveOne = context.resolve;
    context.resolve = (token: unknown) => {
      const known = byToken.get(token);
      const field = `${context.preparing}|${context.suppressBraces}|${context.ignoreEscapes}|${context.warnEscapes}|${context.iteratorContext}`;
      const hit = known?.get(field);
      if (hit !== undefined) return hit;
      const before = impureTokens;
      const value = resolveOne.call(context, token);
      if (typeof value === 'string' && impureTokens === before) {
        if (known) known.set(field, value);
        else byToken.set(token, new Map([[field, value]]));
      }
      return value;
    };
    try {
      return mapTokens.call(this, context);
    } finally {
      context.resolve = resolveOne;
    }
  };
  restore.push(() => (fragments.mapTokens = mapTokens));
  try {
    return fn();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

/** The lookup of {@link preparedConfiguration} while {@link withSynthCaches} runs. */
let preparedOf: ((element: IConstruct) => unknown) | undefined;

/**
 * The configuration of a resource, data source or output (its `toTerraform()`) as cdktf's preparing pass resolved it
 * under {@link withSynthCaches}, which is what synth writes (the stack's second resolve takes this very value, see
 * 2. above); undefined when there is none: outside the caches, before the stack was prepared, for elements that
 * pass added, and for resolves that met a token other than a pure one. main.ts gives it to the policy checks, which
 * then read it instead of resolving each value they check once more (policy/policy-checks.ts policyErrors).
 */
export function preparedConfiguration(element: IConstruct): unknown {
  return preparedOf?.(element);
}

/**
 * 5. Runs cdktf's preparing pass now, as App.synth would (lib/app.js synth: `prepareStack()` on every stack of the
 * app, in the order of `findAll`, before any stack is synthesized), and makes App.synth skip it for these stacks:
 * main.ts runs the policy checks between the two, as cdktf runs aspects after the preparing pass (lib/synthesize/
 * synthesizer.js synthesize: invokeAspects). The checks then see the elements that pass adds (cross-stack outputs)
 * and, under {@link withSynthCaches}, read its results ({@link preparedConfiguration}). Nothing may change the
 * resources between this call and App.synth (the checks only annotate).
 */
export function prepareStacks(app: IConstruct): void {
  for (const stack of app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c))) {
    stack.prepareStack();
    // App.synth calls it again: this stack is prepared.
    Object.defineProperty(stack, 'prepareStack', { value: () => undefined, configurable: true, writable: true });
  }
}

/** cdktf stack resolves in progress under {@link withSynthCaches}. */
let inStackResolve = 0;
/** Tokens resolved under {@link withSynthCaches} that are not known to be pure: a resolve that saw one is not reused. */
let impureTokens = 0;
/* eslint-disable @typescript-eslint/no-require-imports */
const PURE_TOKEN_PROTOTYPES: object[] = [
  (require('cdktf/lib/tokens/private/intrinsic') as { Intrinsic: { prototype: object } }).Intrinsic.prototype,
  // ComplexResolvable (not exported): resolves to its attribute's reference.
  Object.getPrototypeOf((require('cdktf/lib/complex-computed-list') as { StringMap: { prototype: object } }).StringMap.prototype) as object,
];
/* eslint-enable @typescript-eslint/no-require-imports */

/** A cdktf reference, expression or complex attribute: its value depends only on the stack and the context. */
function isPureToken(t: unknown): boolean {
  return typeof t === 'object' && t !== null && PURE_TOKEN_PROTOTYPES.some((p) => p.isPrototypeOf(t));
}

/** A stack with overrides outside its `terraform` block (`stack.addOverride('resource.…', …)`). */
function hasElementOverrides(scope: unknown): boolean {
  const raw = (scope as { rawOverrides?: Record<string, unknown> }).rawOverrides;
  return raw !== undefined && Object.keys(raw).some((k) => k !== 'terraform');
}

/** The stack of a scope, or undefined when it is in none. */
function stackOf(scope: unknown): TerraformStack | undefined {
  try {
    return TerraformStack.of(scope as IConstruct);
  } catch {
    return undefined;
  }
}

/** Token values in text, per scope (see 2. above), then per token, then per context key. */
type TokenValues = WeakMap<object, Map<unknown, Map<string, string>>>;
/** The table of {@link withTokenValuesPerStack} while it runs. */
let checkValues: TokenValues | undefined;

/**
 * Runs `fn` (main.ts: the policy checks, inside {@link withSynthCaches}) with token values in text remembered per
 * stack, as in cdktf's stack resolves: the checks resolve each element's values with the element as the scope, and
 * hundreds of tenants share the same references and function calls. A token's value depends on the stack it is
 * resolved in (a reference to another stack's element becomes a remote state reference there: tfExpression.js
 * Reference.resolve, TerraformStack.of(scope)), not on the element; this project's only Lazy (the Capsule Helm
 * values) ignores its scope. The table lives only while `fn` runs: the preparing pass later changes what cross-stack
 * references resolve to.
 */
export function withTokenValuesPerStack<T>(fn: () => T): T {
  checkValues = new WeakMap();
  try {
    return fn();
  } finally {
    checkValues = undefined;
  }
}

/** See 3. above. */
export function skipTokenCreationTraces(): void {
  if (process.env.CAPSULE_AKS_TOKEN_TRACES === '1') return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: () => string[] }).captureStackTrace = () => [];
}

/** See 4. above. */
export function skipTerraformVersionCheck(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('cdktf/lib/validations/validate-terraform-version') as { ValidateTerraformVersion: { prototype: { validate: () => string[] } } }).ValidateTerraformVersion.prototype.validate = () => [];
}
