import { z } from 'zod';

/** The committed record of a protected environment's protected resources; the checks live in stacks/protected-record.ts. */

/** One protected resource: where Terraform has it. `previous`: its address before the last recorded rename. */
export const protectedEntrySchema = z.strictObject({ stack: z.string().min(1), address: z.string().min(1), previous: z.string().min(1).optional() });
export const protectedRecordSchema = z.strictObject({
  environment: z.string().min(1),
  /** How to update it (for the reader of the file). */
  comment: z.string().optional(),
  /** Protected resources by identity, e.g. `tenant/payments`, `group/capsule-dev`, `cluster/capsule-prod`. */
  resources: z.record(z.string(), protectedEntrySchema),
});
// The plain types of these schemas are generated into config/environment-types.ts (npm run config-types).
export type { ProtectedEntry, ProtectedRecord } from './environment-types';

/** File name of an environment's record, next to its environment file. */
export function protectedRecordFile(env: string): string {
  return `${env}.protected.json`;
}

export const PROTECTED_RECORD_COMMENT = 'Protected resources of this environment (README, "Destroy safety"). Do not edit by hand: npm run protected-record -- <env>';

