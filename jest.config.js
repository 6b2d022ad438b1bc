/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  testTimeout: 60000,
  // One worker per core: jest's default (cores - 1) runs the suite in a single process on a 2-core machine.
  maxWorkers: '100%',
  // The last line of the output is "jest: N passed, M failed" (CI reads it).
  reporters: ['default', '<rootDir>/__tests__/summary-reporter.js'],
};
