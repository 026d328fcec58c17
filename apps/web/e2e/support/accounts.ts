import { randomUUID } from 'node:crypto';
import { createClient, type Client } from '@enclave/client';
import { baseUrl } from './environment';

// Arranging through the API, with the typed client, what a test does not mean to test in
// the browser (more accounts, many tasks).

export interface Account {
  email: string;
  password: string;
}

/** A new account's details: each test makes its own users, so tests run in parallel. */
export function newAccount(name = 'user'): Account {
  return {
    email: `${name}-${randomUUID().slice(0, 8)}@example.com`,
    password: 'correct horse battery staple',
  };
}

/**
 * The same account details every run, for the tests whose screenshots show the email: each
 * run has a database of its own (global-setup.ts), so the pictures change only with the app.
 * One test per name.
 */
export function namedAccount(name: string): Account {
  return { email: `${name}@example.com`, password: 'correct horse battery staple' };
}

/** Registers `account` and signs it in: its id, tokens and a client acting as it. */
export async function registered(account: Account = newAccount()) {
  const anonymous = createClient({ baseUrl: baseUrl() });
  const created = await anonymous.auth.register({ body: account });
  if (created.status !== 201) throw new Error(`register answered ${created.status}`);
  const login = await anonymous.auth.login({ body: account });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const client: Client = createClient({ baseUrl: baseUrl(), token: login.body.access_token });
  return { ...account, userId: created.body.id, tokens: login.body, client };
}
