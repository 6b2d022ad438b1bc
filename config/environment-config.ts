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
  /**
   * The files the app read this environment from (paths as the loader showed them, relative to the working
   * directory), named by the checks of the protected record; left out by library users (CapsulePlatform).
   */
  readonly sourceFiles?: EnvironmentSourceFiles;
}

/** See {@link EnvironmentConfig.sourceFiles}. */
export interface EnvironmentSourceFiles {
  /** The environment file, e.g. `environments/production.yaml`. */
  readonly environment: string;
  /** Its protected record, read if it exists, e.g. `environments/production.protected.json`. */
  readonly protectedRecord: string;
}

/** One or more problems in the environment files (or a CapsulePlatform config); the message lists them all. */
export class EnvironmentError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid environment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}
