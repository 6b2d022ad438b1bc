'use strict';
// Used by scripts/run-app.cjs (the app command); __tests__/stable-json.test.ts checks it against the real module.
const Module = require('module');

/**
 * cdktf writes every cdk.tf.json and its manifest with json-stable-stringify (`stringify(value, { space: 2 })`,
 * cdktf/lib/synthesize/synthesizer.js, lib/manifest.js): keys sorted, two-space indentation, and empty objects and
 * arrays written over two lines (`{` newline indentation `}`). That module walks the value in JavaScript and
 * concatenates strings: 0.07 s for the 4 MB of stacks of 500 tenants. {@link stableJson} writes the same text with
 * the engine's JSON.stringify: a copy of the value with its keys in sorted order, then the empty objects and arrays
 * rewritten as json-stable-stringify writes them. Whatever it cannot copy faithfully (an object with toJSON, a
 * class instance, a function or BigInt, a key that is an array index (the engine would put it first), `__proto__`,
 * a cycle, nesting deeper than the stack allows), and any other options, go to json-stable-stringify itself.
 *
 * {@link installStableJson} hands {@link stableJson} to cdktf in place of json-stable-stringify (only cdktf's own
 * require of it). The app command installs it unless CAPSULE_AKS_CDKTF_RESOLVE=1 (cdktf alone, to compare).
 */

/** Thrown while copying: the value goes to json-stable-stringify. */
const DELEGATE = Symbol('delegate');
const INDEX_KEY = /^(0|[1-9]\d*)$/;

/** `v` with the keys of every object in sorted order (UTF-16 order, as Array.prototype.sort). */
function sortedCopy(v, ancestors) {
  // Functions and BigInts: JSON.stringify would call a toJSON of theirs without sorting its result.
  if (typeof v === 'function' || typeof v === 'bigint') throw DELEGATE;
  if (v === null || typeof v !== 'object') return v;
  if (typeof v.toJSON === 'function' || ancestors.has(v)) throw DELEGATE;
  ancestors.add(v);
  let out;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw DELEGATE;
    out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = sortedCopy(v[i], ancestors);
  } else {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw DELEGATE;
    out = {};
    for (const k of Object.keys(v).sort()) {
      if (k === '__proto__' || (k.charCodeAt(0) <= 57 && INDEX_KEY.test(k))) throw DELEGATE;
      out[k] = sortedCopy(v[k], ancestors);
    }
  }
  ancestors.delete(v);
  return out;
}

/**
 * JSON.stringify's `{}` and `[]` (an empty object or array ends its line, maybe before a comma; text in a string
 * never does, it ends with `"`) as json-stable-stringify writes them: the opening bracket, a newline, the line's
 * indentation, the closing bracket.
 */
function expandEmpty(text) {
  const next = (at) => {
    const a = text.indexOf('{}', at);
    const b = text.indexOf('[]', at);
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  };
  let out = '';
  let from = 0;
  for (let i = next(0); i >= 0; i = next(i + 2)) {
    const end = i + 2;
    const after = text.charCodeAt(end);
    const endsLine = end === text.length || after === 10 || (after === 44 && (end + 1 === text.length || text.charCodeAt(end + 1) === 10));
    if (!endsLine) continue;
    const lineStart = text.lastIndexOf('\n', i) + 1;
    let indentEnd = lineStart;
    while (text.charCodeAt(indentEnd) === 32) indentEnd++;
    out += `${text.slice(from, i + 1)}\n${text.slice(lineStart, indentEnd)}${text[i + 1]}`;
    from = end;
  }
  return out + text.slice(from);
}

/** json-stable-stringify's result for `(value, opts)`; `real` loads that module (for what is delegated). */
function stableJson(real, value, opts) {
  const twoSpaces = arguments.length === 3 && opts !== null && typeof opts === 'object' && Object.keys(opts).length === 1 && opts.space === 2;
  if (!twoSpaces) return real()(...Array.prototype.slice.call(arguments, 1));
  let text;
  try {
    text = JSON.stringify(sortedCopy(value, new Set()), null, 2);
  } catch (err) {
    // Delegated, or nested deeper than this copy and the engine's JSON.stringify reach (the real module recurses
    // less per level; cdktf refuses values deeper than 200 levels anyway).
    if (err === DELEGATE || err instanceof RangeError) return real()(value, opts);
    throw err;
  }
  return text === undefined ? undefined : expandEmpty(text);
}

/** Gives cdktf {@link stableJson} when it requires json-stable-stringify (see the top of the file). */
function installStableJson() {
  const load = Module._load;
  const fromCdktf = (parent) => parent && /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/.test(parent.filename || '');
  Module._load = function stableJsonLoad(request, parent) {
    if (request === 'json-stable-stringify' && fromCdktf(parent)) {
      let module;
      const real = () => (module ??= load.call(Module, request, parent, false));
      return function stableStringify(...args) {
        return stableJson(real, ...args);
      };
    }
    return load.apply(this, arguments);
  };
}

module.exports = { stableJson, installStableJson };
