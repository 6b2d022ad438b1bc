import { IConstruct } from 'constructs';
import { Token, Tokenization } from 'cdktf';
import { invalid } from './validation';

/**
 * Text is data: every string a construct hands to Terraform reaches it as a literal.
 *
 * Terraform evaluates `${…}` (interpolation) and `%{…}` (template directives) in every string of `cdk.tf.json`,
 * object keys of map values included, and cdktf writes literal text unchanged. So a display name, tag, label or
 * annotation holding `${file("/etc/hostname")}` would be code. {@link terraformLiterals} escapes the literal text
 * (`$${`, `%%{`: Terraform prints them as `${`, `%{`) and keeps the tokens the program created (references,
 * `Fn.*` calls), which cdktf turns into real interpolations. The constructs call it on the configuration of every
 * Terraform element they create, so no caller can forget it; escaping happens once, where the element is made.
 *
 * What it cannot tell apart: text that spells a cdktf token marker (`${TfToken[TOKEN.12]}`) of a token that
 * exists in the program looks exactly like that token. Environment files refuse such text (config/fields.ts,
 * {@link containsTokenMarker}); a library user must not pass untrusted text that contains it either. Markers of
 * tokens that do not exist are refused here, with the field named.
 */

/** A cdktf token marker in a string: string `${TfToken[…]}`, list `#{TfToken[…]}` or map `&{TfToken[…]}`. */
export const TOKEN_MARKER_RE = /[$#&]\{TfToken\[/;
/** The string token markers cdktf resolves inside strings (cdktf lib/tokens/private/encoding.js, STRING_TOKEN_REGEX). */
const STRING_TOKEN_SPLIT_RE = /(\$\{TfToken\[[a-zA-Z0-9:._-]+\]\})/;
/** Template sequences of Terraform's string templates (HCL template syntax: `${` interpolation, `%{` directive). */
const TEMPLATE_START_RE = /([$%])\{/g;

/** True when a string contains a cdktf token marker (string, list or map token). */
export function containsTokenMarker(text: string): boolean {
  return TOKEN_MARKER_RE.test(text);
}

/** True when a number is a cdktf number token (an encoded double cdktf would replace by another value). */
export function isTokenNumber(value: number): boolean {
  return Token.isUnresolved(value);
}

/**
 * Escapes text that holds no token so that Terraform reads it as itself: `${` becomes `$${` and `%{` becomes
 * `%%{` (a `$` or `%` before them stays a literal character in HCL, so escaping twice is never needed and
 * already-escaped text keeps its meaning).
 */
export function escapeTemplateText(text: string): string {
  return text.replace(TEMPLATE_START_RE, (_m, c: string) => `${c}${c}{`);
}

/** Escaped template sequences (`$${`, `%%{`) as {@link escapeTemplateText} writes them. */
const ESCAPED_TEMPLATE_START_RE = /([$%])\1\{/g;

/**
 * Text as Terraform reads it: `$${` is `${` and `%%{` is `%{` (the inverse of {@link escapeTemplateText}); an
 * interpolation `${…}` is left as it is.
 */
export function unescapeTemplateText(text: string): string {
  return text.replace(ESCAPED_TEMPLATE_START_RE, '$1{');
}

/**
 * True when Terraform would evaluate something in the text: an interpolation `${` or a directive `%{` that is not
 * escaped (`$${`, `%%{`).
 */
export function hasInterpolation(text: string): boolean {
  const unescaped = text.replace(ESCAPED_TEMPLATE_START_RE, '');
  return unescaped.includes('${') || unescaped.includes('%{');
}

/**
 * The string with its literal parts escaped and its token markers kept. A marker of a token that does not exist
 * in the program (text that merely spells one) is refused: `invalid(scope, field, …)`.
 */
export function terraformLiteral(scope: IConstruct, field: string, text: string): string {
  if (!text.includes('{')) return text;
  const parts = text.split(STRING_TOKEN_SPLIT_RE);
  if (parts.length > 1) {
    try {
      Tokenization.reverseString(text);
    } catch {
      invalid(scope, field, text, 'must not contain text that looks like a cdktf token marker (${TfToken[...]}) of no token of this program');
    }
  }
  return parts.map((p, i) => (i % 2 === 1 ? p : escapeTemplateText(p))).join('');
}

/**
 * A copy of a value (Terraform element configuration) with every string and every object key made literal by
 * {@link terraformLiteral}. Arrays and plain objects are walked; tokens the program created (list and map tokens,
 * lazy values, numbers) and class instances (constructs in `dependsOn`, providers) are kept as they are.
 */
export function terraformLiterals<T>(scope: IConstruct, field: string, value: T): T {
  return walk(scope, field, value) as T;
}

function walk(scope: IConstruct, field: string, value: unknown): unknown {
  if (typeof value === 'string') return terraformLiteral(scope, field, value);
  if (Array.isArray(value)) {
    if (Token.isUnresolved(value)) return value; // a list token
    return value.map((v, i) => walk(scope, `${field}[${i}]`, v));
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // constructs, resolvables, class instances
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const at = field ? `${field}.${k}` : k;
    out[terraformLiteral(scope, `${at} (key)`, k)] = walk(scope, at, v);
  }
  return out;
}
