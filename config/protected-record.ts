import { z } from 'zod';

/** The committed record of a protected environment's protected resources; the checks live in stacks/protected-record.ts. */

/**
 * One protected resource: where Terraform has it. `previous`: its earlier addresses in the same stack, oldest first
 * (every recorded rename; a single string, as older records wrote it, is read as a list of one). The program turns
 * them into one chain of moved blocks, oldest → … → `address` (stacks/protected-record.ts).
 */
export const protectedEntrySchema = z.strictObject({
  stack: z.string().min(1),
  address: z.string().min(1),
  previous: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1))]).optional(),
});
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

/**
 * App context key set by `npm run protected-record`: the stacks are built to write the record, so a record that is
 * missing or out of date is not an error (drops not allowed by policy.allowRemoval still are).
 */
export const PROTECTED_RECORD_UPDATE_CONTEXT = 'capsule-aks:protected-record-update';

export const PROTECTED_RECORD_COMMENT = 'Protected resources of this environment (README, "Destroy safety"). Do not edit by hand: npm run protected-record -- <env>';

