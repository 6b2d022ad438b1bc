import { z } from 'zod';

/** The `capsule` section: Capsule and capsule-proxy (the `<env>-capsule` stack). */
export const capsuleSchema = z.strictObject({
  forceTenantPrefix: z.boolean().optional(),
});

export type CapsuleConfig = z.infer<typeof capsuleSchema>;
