import { z } from 'zod';
import { AZURE_LOCATIONS, AZURE_NAMES, DOMAIN_RE, GUID_RE, isCidr, UPN_RE } from '../constructs/validation';

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
export const pinnedVersion = z.string().regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
  message: 'must be a pinned semantic version such as 0.14.0 (no ranges, no "latest")',
});

/**
 * A file path that is written into a Terraform expression (`${file("<path>")}`), relative to the project root or
 * absolute: no `"` or `\` (they would end or escape the string), no `${` / `%{` (Terraform would evaluate them) and
 * no control characters.
 */
export const filePath = z
  .string()
  .min(1)
  .regex(/^(?![\s\S]*[$%]\{)[^"\\\u0000-\u001f\u007f]+$/, { message: 'must be a file path without ", \\, "${", "%{" or control characters (it is written into a Terraform expression)' });
