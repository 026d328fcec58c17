import { randomUUID } from 'node:crypto';
import type { TokenPair } from '@enclave/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';
import { createLogger } from '../logger.js';
import { refusingRevoked, tokenRevocations } from './token-revocations.js';

// Two instances on one database, each with its own verified-token cache and its own map of
// revocations: what one revokes, the other refuses within its poll.
let one: TestServer;
let two: TestServer;
const POLL_MS = 500;

beforeAll(async () => {
  one = await startTestServer({ revocationPollMs: POLL_MS });
  two = await startTestServer({ db: one.db, jwt: one.jwt, revocationPollMs: POLL_MS });
});

afterAll(async () => {
  await two.close();
  await one.close();
});

const PASSWORD = 'correct horse battery staple';

async function signedIn(): Promise<{ email: string; pair: TokenPair }> {
  const email = `user-${randomUUID()}@example.com`;
  const anonymous = one.clientWithToken(undefined);
  expect((await anonymous.auth.register({ body: { email, password: PASSWORD } })).status).toBe(201);
  const login = await anonymous.auth.login({ body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  return { email, pair: login.body };
}

/** Milliseconds until `token` is refused on `server`, asking every 20 ms, at most 10 s. */
async function untilRefused(server: TestServer, token: string, since: number): Promise<number> {
  const client = server.clientWithToken(token);
  while (Date.now() - since < 10_000) {
    if ((await client.auth.me()).status === 401) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the token was never refused');
}

describe('revoked access tokens', () => {
  it('are refused on every instance sharing the database within seconds, cached verdicts included', async () => {
    const { pair } = await signedIn();
    // Both instances have verified (and cached) the token.
    for (const server of [one, two]) {
      expect((await server.clientWithToken(pair.access_token).auth.me()).status).toBe(200);
    }
    const since = Date.now();
    expect((await one.clientWithToken(pair.access_token).auth.endAllSessions()).status).toBe(204);
    // The instance that revoked refuses at once.
    expect((await one.clientWithToken(pair.access_token).auth.me()).status).toBe(401);
    const delay = await untilRefused(two, pair.access_token, since);
    expect(delay).toBeLessThan(5_000);
    const answer = await two.clientWithToken(pair.access_token).auth.me();
    expect(answer.body).toMatchObject({ message: 'Token has been revoked; sign in again' });
    expect(answer.headers.get('www-authenticate')).toContain('invalid_token');
    // On the resource routes too.
    const userId = JSON.parse(
      Buffer.from(pair.access_token.split('.')[1]!, 'base64url').toString(),
    ) as { sub: string };
    const list = await two
      .clientWithToken(pair.access_token)
      .tasks.list({ params: { user_id: userId.sub } });
    expect(list.status).toBe(401);
  });

  it('after a password change on one instance, refuses the other sessions on the other and keeps the current one', async () => {
    const { email, pair: current } = await signedIn();
    const anonymous = two.clientWithToken(undefined);
    const other = await anonymous.auth.login({ body: { email, password: PASSWORD } });
    if (other.status !== 200) throw new Error('login failed');
    const since = Date.now();
    const changed = await one.clientWithToken(current.access_token).auth.changePassword({
      body: { current_password: PASSWORD, new_password: 'another long passphrase' },
    });
    expect(changed.status).toBe(204);
    expect(await untilRefused(two, other.body.access_token, since)).toBeLessThan(5_000);
    expect((await two.clientWithToken(current.access_token).auth.me()).status).toBe(200);
  });

  it('are read from the database at start: a new instance refuses what was revoked before it', async () => {
    const { pair } = await signedIn();
    expect((await one.clientWithToken(pair.access_token).auth.endAllSessions()).status).toBe(204);
    const late = await startTestServer({ db: one.db, jwt: one.jwt });
    try {
      expect((await late.clientWithToken(pair.access_token).auth.me()).status).toBe(401);
    } finally {
      await late.close();
    }
  });
});

describe('tokenRevocations', () => {
  it('refuses tokens issued before the time, but for the kept session, and tokens that do not say when', async () => {
    const revocations = tokenRevocations(one.db, createLogger('silent'), { pollMs: 60_000 });
    await revocations.start();
    const userId = `user-${randomUUID()}`;
    const at = Date.now();
    await one.db
      .insertInto('token_revocations')
      .values({ user_id: userId, valid_after: new Date(at), except_session: 'kept' })
      .execute();
    expect(revocations.isRevoked({ userId, issuedAtMs: at - 1 })).toBe(false);
    await revocations.poll();
    revocations.stop();
    expect(revocations.isRevoked({ userId, issuedAtMs: at - 1 })).toBe(true);
    expect(revocations.isRevoked({ userId, issuedAtMs: at - 1, sessionId: 'other' })).toBe(true);
    expect(revocations.isRevoked({ userId, issuedAtMs: at })).toBe(false);
    expect(revocations.isRevoked({ userId, issuedAtMs: at - 1, sessionId: 'kept' })).toBe(false);
    expect(revocations.isRevoked({ userId })).toBe(true);
    expect(revocations.isRevoked({ userId: 'someone else', issuedAtMs: 0 })).toBe(false);
    const verify = refusingRevoked(
      () => Promise.resolve({ ok: true as const, userId, issuedAtMs: at - 1 }),
      revocations,
    );
    expect(await verify('token')).toEqual({
      ok: false,
      reason: 'Token has been revoked; sign in again',
    });
  });
});
