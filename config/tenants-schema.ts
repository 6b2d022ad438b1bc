import { z } from 'zod';
import { guid, key, upn } from './fields';

/** A tenant owner: a group or user of the `entra` section by key, or an existing group / user. */
export const tenantOwnerSchema = z.union([
  z.strictObject({ group: key }),
  z.strictObject({ user: key }),
  z.strictObject({ groupObjectId: guid }),
  z.strictObject({ userPrincipalName: upn }),
]);

export const tenantSchema = z.strictObject({
  owners: z.array(tenantOwnerSchema),
});

export type TenantOwnerConfig = z.infer<typeof tenantOwnerSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
