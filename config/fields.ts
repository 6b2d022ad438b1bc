import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { AZURE_LOCATIONS, AZURE_NAMES, DOMAIN_RE, GUID_RE, isCidr, UPN_RE, PINNED_VERSION_ALLOWED, PINNED_VERSION_RE } from '../constructs/validation';
import { containsTokenMarker, isTokenNumber } from '../constructs/terraform-literal';

/** Field schemas shared by the environment file sections. Each message says what is allowed. */

export const guid = z.string().regex(GUID_RE, { message: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' });

/** A stable key: names Terraform resources and is referred to from other sections. */
export const key = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: 'must be 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit',
});

export const domain = z.string().regex(DOMAIN_RE, { message: 'must be a DNS domain such as contoso.onmicrosoft.com' });
export const upn = z.string().regex(UPN_RE, { message: 'must be a user principal name such as alice@contoso.onmicrosoft.com' });
export const cidr = z.string().refine(isCidr, { message: 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24' });

export const location = z.enum(AZURE_LOCATIONS, {
  message: 'must be an Azure region name such as francecentral, westeurope or eastus2',
});

export function azureName(rule: keyof typeof AZURE_NAMES): z.ZodString {
  return z.string().regex(AZURE_NAMES[rule].re, { message: `must be ${AZURE_NAMES[rule].allowed}` });
}

/** A pinned semantic version, no ranges: `1.2.3` (optionally with a leading `v` or a pre-release). */
export const pinnedVersion = z.string().regex(PINNED_VERSION_RE, { message: PINNED_VERSION_ALLOWED });

/**
 * Text that spells a cdktf token marker (`${TfToken[…]}`, `#{TfToken[…]}`, `&{TfToken[…]}`) or a number that is
 * a cdktf number token: cdktf would replace it by another value of the program (e.g. a generated password), so
 * it is refused in every string, key and number of an environment file, whatever the field. (Other `${…}` and
 * `%{…}` text is allowed: the constructs escape it, see constructs/terraform-literal.ts.)
 */
export function tokenMarkerIssues(raw: unknown, path: (string | number)[] = []): { path: (string | number)[]; input: unknown; message: string }[] {
  const message = 'looks like a cdktf token marker, which cdktf would replace by another value of the program; environment files must not contain "${TfToken[", "#{TfToken[" or "&{TfToken["';
  if (typeof raw === 'string') return containsTokenMarker(raw) ? [{ path, input: raw, message }] : [];
  if (typeof raw === 'number') return isTokenNumber(raw) ? [{ path, input: raw, message: 'is a cdktf number token (an encoded reference); use a plain number' }] : [];
  if (Array.isArray(raw)) return raw.flatMap((v, i) => tokenMarkerIssues(v, [...path, i]));
  if (typeof raw !== 'object' || raw === null) return [];
  return Object.entries(raw).flatMap(([k, v]) => [
    ...(containsTokenMarker(k) ? [{ path: [...path, k], input: k, message: `key ${message}` }] : []),
    ...tokenMarkerIssues(v, [...path, k]),
  ]);
}

/**
 * Why a file path (relative to the project root `root`, or absolute) is refused, or undefined when it is fine: it
 * must resolve inside the project directory after following symbolic links (on the part of the path that exists
 * now). Certificate files are read by Terraform at apply time, into a Secret and the state: a path outside the
 * project (`../../etc/passwd`, `/etc/passwd`, a link to a file outside) would read any file of the machine.
 */
export function projectFileProblem(file: string, root: string): string | undefined {
  const rootReal = fs.realpathSync(root);
  // Component by component, as the kernel resolves it: a link is followed before a later "..".
  let real = path.isAbsolute(file) ? path.parse(path.resolve(file)).root : rootReal;
  for (const seg of file.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      real = path.dirname(real);
      continue;
    }
    const next = path.join(real, seg);
    let link = false;
    try {
      link = fs.lstatSync(next).isSymbolicLink();
    } catch {
      // Does not exist (yet): nothing to follow.
    }
    try {
      real = link ? fs.realpathSync(next) : next;
    } catch {
      return 'must not go through a broken symbolic link';
    }
  }
  const inside = real === rootReal || real.startsWith(rootReal + path.sep);
  return inside ? undefined : `must resolve inside the project directory ${rootReal} (after following symbolic links it is ${real})`;
}

/**
 * A file path that is written into a Terraform expression (`${file("<path>")}`), relative to the project root or
 * absolute: no `"` or `\` (they would end or escape the string), no `${` / `%{` (Terraform would evaluate them) and
 * no control characters.
 */
export const filePath = z
  .string()
  .min(1)
  .regex(/^(?![\s\S]*[$%]\{)[^"\\\u0000-\u001f\u007f]+$/, { message: 'must be a file path without ", \\, "${", "%{" or control characters (it is written into a Terraform expression)' });
