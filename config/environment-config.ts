import type { EnvironmentFile, ProtectedRecord } from './environment-types';

/**
 * A validated environment: the file's content plus its name (the file name without extension). Plain TypeScript
 * (no zod types), so that the stacks' public declarations compile in a consumer without skipLibCheck.
 */
export interface EnvironmentConfig extends EnvironmentFile {
  /** Environment name, from the file name: prefixes the stack names. */
  readonly name: string;
  /** The committed record of a protected environment's protected resources (`<env>.protected.json`), if any. */
  readonly protectedRecord?: ProtectedRecord;
}

/** One or more problems in the environment files (or a CapsulePlatform config); the message lists them all. */
export class EnvironmentError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid environment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}
