// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Boundary 3: only config.ts reads the environment, however it is spelled. One syntax rule,
// imports of `env` included, so its exceptions are a single `off` and the import boundaries
// below need not repeat it. apps/server/test/lint-boundaries.test.ts lints every spelling.
const processModule = '/^(node:)?process$/';
const envOnly =
  'Only apps/server/src/config.ts reads the environment; take configuration as a parameter.';
const environmentReads = [
  {
    // process.env, process?.env, (process as X).env, process!.env, globalThis.process.env
    selector:
      "MemberExpression[computed=false][property.name='env']:matches([object.name='process'], [object.expression.name='process'], [object.property.name='process'], [object.property.value='process'])",
    message: envOnly,
  },
  {
    // process['env'], process[`env`], process[key]: a computed name hides what is read.
    selector:
      "MemberExpression[computed=true]:matches([object.name='process'], [object.property.name='process'])",
    message: `${envOnly} (process[...] hides what is read)`,
  },
  {
    // const { env } = process, const p = process, ({ env } = process), f({ env } = process)
    selector:
      ":matches(VariableDeclarator[init.name='process'], VariableDeclarator[init.property.name='process'], AssignmentExpression[right.name='process'], AssignmentPattern[right.name='process'])",
    message: `${envOnly} (a copy or destructuring of process hides what is read)`,
  },
  {
    // Reflect.get(process, 'env'), Object.entries(process), Object.getOwnPropertyDescriptor(...)
    selector: `CallExpression[callee.object.name=/^(Reflect|Object)$/] > Identifier[name='process']`,
    message: `${envOnly} (reflection on process hides what is read)`,
  },
  {
    // import { env } from 'node:process', import { env as e } from 'process', export { env } from
    selector: `:matches(ImportDeclaration, ExportNamedDeclaration)[source.value=${processModule}] > :matches(ImportSpecifier[imported.name='env'], ImportSpecifier[imported.value='env'], ExportSpecifier[local.name='env'])`,
    message: envOnly,
  },
  {
    // import proc from 'node:process', import * as p from 'process': under another name, the
    // member selector above could not see `proc.env`.
    selector: `ImportDeclaration[source.value=${processModule}] > :matches(ImportDefaultSpecifier, ImportNamespaceSpecifier)[local.name!='process']`,
    message: `${envOnly} (import the process module as \`process\`, if at all)`,
  },
  {
    // await import('node:process'), require('process')
    selector: `:matches(ImportExpression[source.value=${processModule}], CallExpression[callee.name='require'][arguments.0.value=${processModule}])`,
    message: `${envOnly} (load the process module statically, as \`process\`)`,
  },
];

// Boundary 2: what counts as HTTP. Node's own http modules too: only http/ serves requests.
const httpPackages = {
  regex:
    '^((node:)?https?|(node:)?http2|express|express-.*|@ts-rest/.*|swagger-ui-express|pino-http)(/.*)?$',
  message: 'Only http/, routers and app.ts know HTTP: keep express, ts-rest and the like out.',
};
const httpFolder = {
  regex: '^\\.{1,2}/(.+/)?http(/|$)',
  message: 'Only HTTP code and the wiring around it import from http/ (see eslint.config.js).',
};
const routers = {
  regex: '\\.router(\\.js)?$',
  message: 'Only HTTP code and the wiring around it import routers (see eslint.config.js).',
};
const forbid = (...patterns) => ['error', { patterns }];

const server = 'apps/server/src';
const tests = ['**/*.test.ts'];

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
      'no-restricted-syntax': ['error', ...environmentReads],
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
    ignores: tests,
    rules: {
      'no-restricted-imports': forbid({
        regex: '^(?!zod$|@ts-rest/core$|\\.{1,2}/)',
        message: 'contract imports only zod and @ts-rest/core',
      }),
    },
  },
  {
    files: ['packages/client/src/**/*.ts'],
    ignores: tests,
    rules: {
      'no-restricted-imports': forbid({
        regex: '^(?!@enclave/contract$|@ts-rest/core$|\\.{1,2}/)',
        message: 'client imports only the contract and @ts-rest/core',
      }),
    },
  },
  // Boundary 2, by path rather than by name, so a new file is held to it unless it says what it
  // is. The server is HTTP code (http/**, *.router.ts, and app.ts, which mounts them) or not;
  // code that is not imports no HTTP package, nothing from http/ and no router. Tests are
  // exempt: they drive the code through HTTP to check it.
  {
    files: [`${server}/**/*.ts`],
    ignores: [...tests, `${server}/http/**`, `${server}/**/*.router.ts`, `${server}/app.ts`],
    rules: { 'no-restricted-imports': forbid(httpPackages, httpFolder, routers) },
  },
  {
    // The wiring joins HTTP to the rest without being HTTP itself: main.ts starts the server and
    // config.ts parses the HTTP settings (http-timeouts.ts, rate-limit-config.ts).
    files: [`${server}/main.ts`, `${server}/config.ts`],
    rules: { 'no-restricted-imports': forbid(httpPackages) },
  },
  {
    // Data code stays data code wherever it lies and whatever else its name says.
    files: [`${server}/db/**/*.ts`, `${server}/**/*.{table,tables,repository}.ts`],
    ignores: tests,
    rules: { 'no-restricted-imports': forbid(httpPackages, httpFolder, routers) },
  },
  {
    // Boundary 3's exceptions: config.ts itself, and the test run's setup, which starts before
    // any configuration is loaded.
    files: ['apps/server/src/config.ts', 'apps/server/test/global-setup.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The web app's tooling, which runs in Node: its build config (NODE_ENV for the build) and
    // the browser tests' one reader of their environment (CHROMIUM_PATH, TEST_DATABASE_URL).
    files: ['apps/web/vite.config.ts', 'apps/web/e2e/support/environment.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
