// Everything the browser tests read from the environment, in one place (the one e2e file
// eslint.config.js lets read it).

/** Debian's Chromium by default: `npx playwright install` cannot download browsers here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A PostgreSQL server to make the run's database on; none: the embedded database. */
export const POSTGRES_URL = given(process.env.TEST_DATABASE_URL) ?? given(process.env.DATABASE_URL);

/** Chromium's sandbox needs user namespaces that root in a container rarely has. */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

export const IN_CI = given(process.env.CI) !== undefined;

/** Where the server process finds programs; nothing else of this environment is passed on. */
export const SEARCH_PATH = process.env.PATH ?? '';

// Set by global-setup.ts for the test workers (they inherit its environment).
const BASE_URL_VARIABLE = 'ENCLAVE_E2E_BASE_URL';

export function publishBaseUrl(url: string): void {
  process.env[BASE_URL_VARIABLE] = url;
}

/** The server global-setup.ts started. */
export function baseUrl(): string {
  const url = process.env[BASE_URL_VARIABLE];
  if (url === undefined) throw new Error('no server: run the tests with `npm run test:e2e`');
  return url;
}

// Set by global-setup.ts too: the folder the run's SMTP server writes each mail it receives to.
const MAILBOX_VARIABLE = 'ENCLAVE_E2E_MAILBOX';

export function publishMailbox(folder: string): void {
  process.env[MAILBOX_VARIABLE] = folder;
}

/** The folder of the mails the server sent (support/mailbox.ts). */
export function mailboxFolder(): string {
  const folder = process.env[MAILBOX_VARIABLE];
  if (folder === undefined) throw new Error('no mailbox: run the tests with `npm run test:e2e`');
  return folder;
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
