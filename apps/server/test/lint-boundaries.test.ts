// The boundaries of DESIGN.md are ESLint rules (eslint.config.js); this shows that each rule
// fires on what it forbids, for every spelling, and stays quiet where the design allows.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// The fixtures live at paths where no file exists, and the type-aware parser wants every file
// in a tsconfig project: the plain parser serves, as the boundary rules read syntax only.
const eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

const IMPORTS = 'no-restricted-imports';
const SYNTAX = 'no-restricted-syntax';
type BoundaryRule = typeof IMPORTS | typeof SYNTAX;

interface Report {
  ruleId: string;
  message: string;
}

/** What the boundary rules report on `code` linted as if it were the file at `filePath`. */
async function boundaryReports(filePath: string, code: string): Promise<Report[]> {
  // An ignored or unparsable fixture would report nothing and pass every "allowed" case.
  expect(await eslint.isPathIgnored(filePath)).toBe(false);
  const [result] = await eslint.lintText(code, { filePath });
  const messages = result?.messages ?? [];
  expect(messages.filter((message) => message.fatal === true)).toEqual([]);
  return messages
    .filter(({ ruleId }) => ruleId === IMPORTS || ruleId === SYNTAX)
    .map(({ ruleId, message }) => ({ ruleId: ruleId ?? '', message }));
}

const reported = (ruleId: BoundaryRule, text: string) => ({
  ruleId,
  message: expect.stringContaining(text) as string,
});

const READS_ENV = 'Only apps/server/src/config.ts reads the environment';
const HTTP_PACKAGE = 'Only http/, routers and app.ts know HTTP';
const HTTP_FOLDER = 'import from http/';
const ROUTER = 'import routers';

describe('only config.ts reads the environment', () => {
  it.each([
    ['process.env', 'export const port = process.env.PORT;'],
    ['optional chaining', 'export const port = process?.env.PORT;'],
    ['a string key', "export const port = process['env'].PORT;"],
    ['a template key', 'export const port = process[`env`].PORT;'],
    ['a computed key', "const key = 'env';\nexport const port = process[key];"],
    ['destructuring', 'const { env } = process;\nexport const port = env.PORT;'],
    ['destructuring, renamed', 'const { env: e } = process;\nexport const port = e.PORT;'],
    ['destructuring, assigned', 'let env;\n({ env } = process);\nexport const port = env;'],
    ['a default parameter', 'export const port = ({ env } = process) => env.PORT;'],
    ['an alias of process', 'const p = process;\nexport const port = p.env.PORT;'],
    ['globalThis', 'export const port = globalThis.process.env.PORT;'],
    ['an alias of globalThis.process', 'const p = globalThis.process;\nexport const e = p.env;'],
    ['a type assertion', 'export const port = (process as NodeJS.Process).env.PORT;'],
    ['a non-null assertion', 'export const port = process!.env.PORT;'],
    ['Reflect.get', "export const env = Reflect.get(process, 'env') as NodeJS.ProcessEnv;"],
    ['Object.entries', 'export const all = Object.entries(process);'],
    ['import { env }', "import { env } from 'node:process';\nexport const port = env.PORT;"],
    ['import { env as e }', "import { env as e } from 'process';\nexport const port = e.PORT;"],
    ['re-exporting env', "export { env } from 'node:process';"],
    [
      'the default import, as process',
      "import process from 'node:process';\nexport const port = process.env.PORT;",
    ],
    [
      'the default import, renamed',
      "import proc from 'node:process';\nexport const port = proc.env.PORT;",
    ],
    ['a namespace import', "import * as proc from 'process';\nexport const port = proc.env.PORT;"],
    ['a dynamic import', "export const { env } = await import('node:process');"],
    ['require', "export const port = (require('process') as NodeJS.Process).env.PORT;"],
  ])('catches %s', async (_spelling, code) => {
    expect(await boundaryReports('apps/server/src/tasks/fixture.ts', code)).toEqual([
      reported(SYNTAX, READS_ENV),
    ]);
  });

  it.each([
    'apps/server/src/db/fixture.ts',
    'apps/server/src/http/fixture.ts',
    'apps/server/src/main.ts',
    'apps/server/src/config.test.ts',
    'apps/server/test/fixture.ts',
    'packages/contract/src/fixture.ts',
    'packages/client/src/fixture.ts',
    'scripts/fixture.mjs',
    'eslint.config.js',
  ])('applies in %s', async (filePath) => {
    expect(await boundaryReports(filePath, 'export const port = process.env.PORT;')).toEqual([
      reported(SYNTAX, READS_ENV),
    ]);
  });

  it.each(['apps/server/src/config.ts', 'apps/server/test/global-setup.ts', 'vitest.config.ts'])(
    'lets %s read it',
    async (filePath) => {
      const code = 'const { env } = process;\nexport const port = env.PORT ?? process.env.HOST;';
      expect(await boundaryReports(filePath, code)).toEqual([]);
    },
  );

  it('leaves the rest of process alone', async () => {
    const code = [
      "import process from 'node:process';",
      "import { argv, exit } from 'node:process';",
      "process.on('SIGTERM', () => process.exit(0));",
      "process.stdout.write(process.argv[2] ?? '');",
      'export const pid = process.pid;',
      'export const stop = () => exit(argv.length);',
    ].join('\n');
    expect(await boundaryReports('apps/server/src/tasks/fixture.ts', code)).toEqual([]);
  });
});

describe('code that is not HTTP code imports no HTTP', () => {
  const forbidden = [
    ["import express from 'express';", HTTP_PACKAGE],
    ["import type { Request } from 'express';", HTTP_PACKAGE],
    ["import rateLimit from 'express-rate-limit';", HTTP_PACKAGE],
    ["import { initServer } from '@ts-rest/express';", HTTP_PACKAGE],
    ["import type { AppRoute } from '@ts-rest/core';", HTTP_PACKAGE],
    ["import swaggerUi from 'swagger-ui-express';", HTTP_PACKAGE],
    ["import { pinoHttp } from 'pino-http';", HTTP_PACKAGE],
    ["import { createServer } from 'node:http';", HTTP_PACKAGE],
    ["import { sendError } from '../http/errors.js';", HTTP_FOLDER],
    ["import { x } from './http/x.js';", HTTP_FOLDER],
    ["import { rateLimit } from '../../http/rate-limit/rate-limits.js';", HTTP_FOLDER],
    ["export { sendError } from '../http/errors.js';", HTTP_FOLDER],
    ["import { accountsRouter } from '../accounts/accounts.router.js';", ROUTER],
    ["import type { ServedResource } from './resource.router.js';", ROUTER],
  ] as const;

  // Data code by folder or name, data code with no tell-tale name (the login throttle was
  // one), and code of any other kind: every file but HTTP code is held to the rule.
  const notHttp = [
    'apps/server/src/db/fixture.ts',
    'apps/server/src/db/tables/account-tables.ts',
    'apps/server/src/accounts/accounts.tables.ts',
    'apps/server/src/tasks/tasks.table.ts',
    'apps/server/src/tasks/tasks.repository.ts',
    'apps/server/src/accounts/login-throttle.ts',
    'apps/server/src/auth/fixture.ts',
    'apps/server/src/new-helper.ts',
    // A data name or folder wins over an HTTP one.
    'apps/server/src/http/cache.repository.ts',
    'apps/server/src/db/fixture.router.ts',
  ];

  it.each(notHttp.flatMap((filePath) => forbidden.map(([code, text]) => [filePath, code, text])))(
    'in %s: %s',
    async (filePath, code, text) => {
      expect(await boundaryReports(filePath, code)).toEqual([reported(IMPORTS, text)]);
    },
  );

  it.each([
    "import { sql } from 'kysely';",
    "import type { Db } from '../db/schema.js';",
    "import { createHash } from 'node:crypto';",
    "import { tasks } from '@enclave/contract';",
    "import { z } from 'zod';",
    "import { x } from './https-only.js';",
    "import { y } from '../http-like/y.js';",
  ])('allows data code %s', async (code) => {
    expect(await boundaryReports('apps/server/src/tasks/tasks.repository.ts', code)).toEqual([]);
  });

  it.each([
    [
      'apps/server/src/http/fixture.ts',
      "import express from 'express';\nimport { sendError } from './errors.js';",
    ],
    [
      'apps/server/src/http/rate-limit/fixture.ts',
      "import type { Request } from 'express';\nimport { sendError } from '../errors.js';",
    ],
    [
      'apps/server/src/tasks/tasks.router.ts',
      "import { initServer } from '@ts-rest/express';\nimport { authenticatedUser } from '../http/auth.js';",
    ],
    [
      'apps/server/src/app.ts',
      "import express from 'express';\nimport { errorHandler } from './http/errors.js';\nimport { accountsRouter } from './accounts/accounts.router.js';",
    ],
    [
      'apps/server/src/main.ts',
      "import { createHttpServer } from './http/server.js';\nimport { accountsRouter } from './accounts/accounts.router.js';",
    ],
    [
      'apps/server/src/config.ts',
      "import { DEFAULT_HTTP_TIMEOUTS } from './http/http-timeouts.js';",
    ],
    [
      'apps/server/src/db/fixture.test.ts',
      "import express from 'express';\nimport { sendError } from '../http/errors.js';",
    ],
  ])('allows %s its imports', async (filePath, code) => {
    expect(await boundaryReports(filePath, code)).toEqual([]);
  });

  it.each(['apps/server/src/main.ts', 'apps/server/src/config.ts'])(
    'keeps the HTTP packages out of the wiring in %s',
    async (filePath) => {
      expect(await boundaryReports(filePath, "import express from 'express';")).toEqual([
        reported(IMPORTS, HTTP_PACKAGE),
      ]);
    },
  );
});

describe('the packages import only what they may', () => {
  it.each([
    ['packages/contract/src/fixture.ts', "import express from 'express';", 'contract imports only'],
    ['packages/contract/src/fixture.ts', "import pg from 'pg';", 'contract imports only'],
    [
      'packages/client/src/fixture.ts',
      "import { readFile } from 'node:fs';",
      'client imports only',
    ],
    ['packages/client/src/fixture.ts', "import { z } from 'zod';", 'client imports only'],
  ])('%s refuses %s', async (filePath, code, text) => {
    expect(await boundaryReports(filePath, code)).toEqual([reported(IMPORTS, text)]);
  });

  it('refuses the environment to the client twice over: a node: import, and an env read', async () => {
    const code = "import { env } from 'node:process';\nexport const url = env.API_URL;";
    expect(await boundaryReports('packages/client/src/fixture.ts', code)).toEqual([
      reported(IMPORTS, 'client imports only'),
      reported(SYNTAX, READS_ENV),
    ]);
  });

  it.each([
    ['packages/contract/src/fixture.ts', "import { z } from 'zod';\nimport { x } from './x.js';"],
    ['packages/contract/src/fixture.ts', "import { initContract } from '@ts-rest/core';"],
    ['packages/client/src/fixture.ts', "import { contract } from '@enclave/contract';"],
    ['packages/client/src/fixture.ts', "import { initClient } from '@ts-rest/core';"],
  ])('%s allows %s', async (filePath, code) => {
    expect(await boundaryReports(filePath, code)).toEqual([]);
  });
});
