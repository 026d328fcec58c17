// The session's mail calls against the real server. No sender runs here: each mail waits in
// the outbox, where the test reads its link.
import { randomUUID } from 'node:crypto';
import { MAIL_TOKEN_INVALID_MESSAGE } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../apps/server/test/harness.js';
import { createSession } from './index.js';

const PASSWORD = 'correct horse battery staple';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

/** The token of the newest mail of `kind` to `email`, read from the outbox. */
async function tokenFor(email: string, kind: string): Promise<string> {
  const row = await server.db
    .selectFrom('mail_outbox')
    .select('text_body')
    .where('recipient', '=', email)
    .where('kind', '=', kind)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const token = /token=([A-Za-z0-9_-]+)/.exec(row.text_body ?? '')?.[1];
  if (token === undefined) throw new Error('no link in the mail');
  return token;
}

describe('the session by mail', () => {
  it('asks for a reset, resets once, and reports a spent token as a declared 400', async () => {
    const session = createSession({ baseUrl: server.baseUrl });
    const email = `session-mail-${randomUUID()}@example.com`;
    expect((await session.register(email, PASSWORD)).ok).toBe(true);
    expect(await session.requestPasswordReset(email)).toEqual({ ok: true });
    expect(await session.requestPasswordReset(`nobody-${randomUUID()}@example.com`)).toEqual({
      ok: true,
    });
    const token = await tokenFor(email, 'password_reset');
    expect(await session.resetPassword(token, 'a brand new passphrase')).toEqual({ ok: true });
    const again = await session.resetPassword(token, 'yet another passphrase');
    expect(again).toMatchObject({
      ok: false,
      status: 400,
      error: { message: MAIL_TOKEN_INVALID_MESSAGE },
    });
    expect((await session.signIn(email, 'a brand new passphrase')).ok).toBe(true);
  });

  it('verifies, and asks for a new link with its own access token (throttled, then 409)', async () => {
    const session = createSession({ baseUrl: server.baseUrl });
    const email = `session-mail-${randomUUID()}@example.com`;
    expect(await session.sendVerification()).toMatchObject({ ok: false, status: 401 });
    expect((await session.signUp(email, PASSWORD)).ok).toBe(true);
    // Registering sent one moments ago: a minute must pass.
    const soon = await session.sendVerification();
    expect(soon).toMatchObject({ ok: false, status: 429 });
    expect(soon.ok === false && soon.retryAfterSeconds).toBeGreaterThan(0);
    const token = await tokenFor(email, 'email_verification');
    expect(await session.verifyEmail(token)).toEqual({ ok: true });
    expect(await session.sendVerification()).toMatchObject({ ok: false, status: 409 });
  });
});
