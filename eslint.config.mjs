import tseslint from 'typescript-eslint';

const providerRoots = ['azurerm', 'azuread', 'helm', 'kubernetes', 'random'].map((p) => ({
  name: `@cdktf/provider-${p}`,
  message: `Import provider classes by deep path (@cdktf/provider-${p}/lib/<resource>): the package root is slow and memory-hungry.`,
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdktf.out/**', 'dist/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: providerRoots }],
      'no-console': ['error', { allow: ['error', 'warn', 'log'] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    // Plain CommonJS scripts run by node without a build (scripts/run-app.cjs, the cdktf app command).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-undef': 'error' },
  },
  {
    files: ['constructs/**/*.ts', 'policy/**/*.ts', 'stacks/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...providerRoots,
            { name: 'fs', message: 'Constructs and stacks never read files: main.ts loads the environments.' },
            { name: 'node:fs', message: 'Constructs and stacks never read files: main.ts loads the environments.' },
          ],
        },
      ],
    },
  },
);
