// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const httpModules = ['express', 'express-*', '@ts-rest/*', 'swagger-ui-express', 'pino-http'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message:
            'Only apps/server/src/config.ts reads process.env; take configuration as a parameter.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Boundary 1: the contract is zod + ts-rest/core only; the client adds only the contract
    // and must run in browsers (no node:*).
    files: ['packages/contract/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|@ts-rest/core$|\\.{1,2}/)',
              message: 'contract imports only zod and @ts-rest/core',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/client/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@enclave/contract$|@ts-rest/core$|\\.{1,2}/)',
              message: 'client imports only the contract and @ts-rest/core',
            },
          ],
        },
      ],
    },
  },
  {
    // Boundary 2: the data layer knows nothing of HTTP.
    files: [
      'apps/server/src/db/**/*.ts',
      'apps/server/src/**/*.table.ts',
      'apps/server/src/**/*.repository.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: httpModules, message: 'db, tables and repositories must not know HTTP' },
          ],
        },
      ],
    },
  },
  {
    // Boundary 3: configuration enters through config.ts; entry points and test setup may read it.
    files: ['apps/server/src/config.ts', 'apps/server/test/global-setup.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
