import { randomUUID } from 'node:crypto';
import type { Client, TokenPair } from '@enclave/client';
import { fieldSpecOf, resources } from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { TEST_RESOURCES } from '../../test/test-schema.js';
import { deletionOrder } from '../user-data/deletion-order.js';

let server: TestServer;
let anonymous: Client;

const PER_ACCOUNT = 4;

beforeAll(async () => {
  server = await startTestServer({
    accounts: { throttle: { maxFailuresPerAccount: PER_ACCOUNT } },
  });
  anonymous = server.clientWithToken(undefined);
});

afterAll(async () => {
  await server.close();
});

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const newEmail = () => `user-${randomUUID()}@example.com`;

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function login(email: string, password = PASSWORD, userAgent = 'test-agent/1.0') {
  const res = await server.fetch('/auth/login', {
    method: 'POST',
    ...json({ email, password }, { 'user-agent': userAgent }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as TokenPair;
}

async function newAccount() {
  const email = newEmail();
  const made = await anonymous.auth.register({ body: { email, password: PASSWORD } });
  if (made.status !== 201) throw new Error(`register answered ${made.status}`);
  const pair = await login(email);
  return { id: made.body.id, email, pair, client: server.clientWithToken(pair.access_token) };
}

const hashOf = (id: string) =>
  server.db.selectFrom('accounts').select('password_hash').where('id', '=', id).execute();
const refresh = (token: string) => anonymous.auth.refresh({ body: { refresh_token: token } });
const me = (token: string) => server.clientWithToken(token).auth.me();

const everyResource = [...Object.values(resources), ...TEST_RESOURCES];

/** One item of every served resource for `userId`, references pointing at the user's own. */
async function fillAll(userId: string, token: string) {
  const made: Record<string, number> = {};
  for (const resource of [...deletionOrder(everyResource)].reverse()) {
    const body: Record<string, unknown> = { ...resource.example };
    for (const [field, schema] of Object.entries(resource.fields)) {
      const target = fieldSpecOf(schema as never)?.references;
      if (target !== undefined) body[field] = made[target] ?? null;
    }
    const res = await server.fetch(`/api/${userId}/${resource.name}`, {
      method: 'POST',
      ...json(body, { authorization: `Bearer ${token}` }),
    });
    expect(res.status, resource.name).toBe(201);
    made[resource.name] = ((await res.json()) as { id: number }).id;
  }
  return made;
}

async function rowsOf(userId: string) {
  const counts: Record<string, number> = {};
  for (const table of [...everyResource.map(({ name }) => name), 'idempotency_keys', 'changes']) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)} where user_id = ${userId}`.execute(
      server.db,
    );
    counts[table] = rows[0]!.n;
  }
  return counts;
}

describe('POST /auth/password', () => {
  it('changes the password, keeps this session and signs every other one out', async () => {
    const account = await newAccount();
    const other = await login(account.email);
    const answer = await account.client.auth.changePassword({
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(answer.status).toBe(204);
    // The old password no longer signs in; the new one does.
    expect(
      (await anonymous.auth.login({ body: { email: account.email, password: PASSWORD } })).status,
    ).toBe(401);
    await login(account.email, NEW_PASSWORD);
    // This session: its access token and its refresh token still work.
    expect((await me(account.pair.access_token)).status).toBe(200);
    expect((await refresh(account.pair.refresh_token)).status).toBe(200);
    // The other: its access token is refused at once on this instance, its refresh token too.
    expect((await me(other.access_token)).status).toBe(401);
    expect((await refresh(other.refresh_token)).status).toBe(401);
  });

  it('answers 401 to a wrong current password, changes nothing, and throttles like a sign-in', async () => {
    const account = await newAccount();
    const [before] = await hashOf(account.id);
    const wrong = () =>
      account.client.auth.changePassword({
        body: { current_password: 'not the password', new_password: NEW_PASSWORD },
      });
    for (let i = 0; i < PER_ACCOUNT; i += 1) {
      const answer = await wrong();
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: 'Unauthorized', status_code: 401 });
    }
    const throttled = await wrong();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right one, from this address, waits out the window.
    const right = await account.client.auth.changePassword({
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    expect(right.status).toBe(429);
    const [after] = await hashOf(account.id);
    expect(after).toEqual(before);
    expect((await me(account.pair.access_token)).status).toBe(200);
  });

  it('refuses a new password that breaks the rules, and the email as the password', async () => {
    const account = await newAccount();
    for (const new_password of ['short', account.email.toUpperCase()]) {
      const answer = await account.client.auth.changePassword({
        body: { current_password: PASSWORD, new_password },
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ details: [{ path: 'body.new_password' }] });
    }
    await login(account.email);
  });

  it('needs a bearer token, and answers 404 to a user with no built-in account', async () => {
    const body = { current_password: PASSWORD, new_password: NEW_PASSWORD };
    expect((await anonymous.auth.changePassword({ body })).status).toBe(401);
    const stranger = server.clientFor(newUserId());
    expect((await stranger.auth.changePassword({ body })).status).toBe(404);
  });
});

describe('sessions', () => {
  it("lists the account's sessions with the current one marked, and signs one out", async () => {
    const account = await newAccount();
    const phone = await login(account.email, PASSWORD, 'phone-browser/2.0');
    const listed = await account.client.auth.sessions();
    expect(listed.status).toBe(200);
    const sessions = listed.status === 200 ? listed.body.sessions : [];
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((session) => session.current);
    expect(current).toHaveLength(1);
    expect(current[0]!.user_agent).toBe('test-agent/1.0');
    const other = sessions.find((session) => !session.current)!;
    expect(other.user_agent).toBe('phone-browser/2.0');
    for (const session of sessions) {
      expect(Date.parse(session.expires_at) - Date.parse(session.created_at)).toBe(90 * 86_400_000);
      expect(Date.parse(session.last_used_at)).toBeGreaterThanOrEqual(
        Date.parse(session.created_at),
      );
    }
    // A refresh is a use: the session's id stays, its last use moves.
    const rotated = await refresh(phone.refresh_token);
    expect(rotated.status).toBe(200);
    const after = await account.client.auth.sessions();
    const again = after.status === 200 ? after.body.sessions : [];
    expect(again.map(({ id }) => id).sort()).toEqual(sessions.map(({ id }) => id).sort());

    expect((await account.client.auth.endSession({ params: { id: other.id } })).status).toBe(204);
    expect((await refresh((rotated.body as TokenPair).refresh_token)).status).toBe(401);
    const left = await account.client.auth.sessions();
    expect(left.status === 200 ? left.body.sessions.map(({ id }) => id) : []).toEqual([
      current[0]!.id,
    ]);
    expect((await account.client.auth.endSession({ params: { id: other.id } })).status).toBe(404);
  });

  it("cannot see or end another account's session (404), nor take a malformed id", async () => {
    const [ann, bob] = [await newAccount(), await newAccount()];
    const bobs = await bob.client.auth.sessions();
    const bobSession = bobs.status === 200 ? bobs.body.sessions[0]!.id : '';
    const answer = await ann.client.auth.endSession({ params: { id: bobSession } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'Not Found', status_code: 404 });
    expect((await refresh(bob.pair.refresh_token)).status).toBe(200);
    const annList = await ann.client.auth.sessions();
    expect(
      annList.status === 200 ? annList.body.sessions.map(({ id }) => id) : ['?'],
    ).not.toContain(bobSession);
    expect((await ann.client.auth.endSession({ params: { id: 'not-a-uuid' } })).status).toBe(400);
  });

  it('signs out everywhere: every refresh token and every access token issued before', async () => {
    const account = await newAccount();
    const second = await login(account.email);
    expect((await account.client.auth.endAllSessions()).status).toBe(204);
    for (const pair of [account.pair, second]) {
      expect((await me(pair.access_token)).status).toBe(401);
      expect((await refresh(pair.refresh_token)).status).toBe(401);
    }
    // Signing in again afterwards works at once.
    const fresh = await login(account.email);
    expect((await me(fresh.access_token)).status).toBe(200);
  });

  it('ends a session at its absolute lifetime however often it is refreshed', async () => {
    const account = await newAccount();
    // The session began long ago: its absolute end is a second away.
    await server.db
      .updateTable('refresh_tokens')
      .set({ absolute_expires_at: new Date(Date.now() + 1000) })
      .where('user_id', '=', account.id)
      .execute();
    const rotated = await refresh(account.pair.refresh_token);
    expect(rotated.status).toBe(200);
    const [row] = await server.db
      .selectFrom('refresh_tokens')
      .select(['expires_at', 'absolute_expires_at'])
      .where('user_id', '=', account.id)
      .where('spent_at', 'is', null)
      .execute();
    // Refreshing did not grant the idle lifetime (an hour here) past the absolute end.
    expect(row!.expires_at.getTime()).toBe(row!.absolute_expires_at.getTime());
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await refresh((rotated.body as TokenPair).refresh_token)).status).toBe(401);
  });
});

describe('DELETE /auth/me', () => {
  it("deletes the account and every row of every resource it owned, in one go, and no one else's", async () => {
    const [ann, bob] = [await newAccount(), await newAccount()];
    await fillAll(ann.id, ann.pair.access_token);
    await fillAll(bob.id, bob.pair.access_token);
    // A stored Idempotency-Key answer is Ann's too.
    const keyed = await ann.client.notes.create({
      params: { user_id: ann.id },
      body: { body: 'kept answer' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(keyed.status).toBe(201);
    const bobBefore = await rowsOf(bob.id);

    const wrong = await ann.client.auth.deleteAccount({ body: { password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(Object.values(await rowsOf(ann.id)).every((count) => count > 0)).toBe(true);

    expect((await ann.client.auth.deleteAccount({ body: { password: PASSWORD } })).status).toBe(
      204,
    );
    expect(Object.values(await rowsOf(ann.id))).toEqual(everyResource.map(() => 0).concat(0, 0));
    const accountRows = await server.db
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', ann.id)
      .execute();
    expect(accountRows).toEqual([]);
    const sessions = await server.db
      .selectFrom('refresh_tokens')
      .select('token_hash')
      .where('user_id', '=', ann.id)
      .execute();
    expect(sessions).toEqual([]);
    expect(await rowsOf(bob.id)).toEqual(bobBefore);

    // Her tokens are refused, so nothing can be written under her id again with them.
    expect((await ann.client.tasks.list({ params: { user_id: ann.id } })).status).toBe(401);
    expect((await refresh(ann.pair.refresh_token)).status).toBe(401);
    // The email is free again.
    const again = await anonymous.auth.register({ body: { email: ann.email, password: PASSWORD } });
    expect(again.status).toBe(201);
    expect(again.status === 201 && again.body.id).not.toBe(ann.id);
  });

  it('needs the password in the body and a bearer token', async () => {
    const account = await newAccount();
    const res = await server.fetch('/auth/me', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${account.pair.access_token}` },
    });
    expect(res.status).toBe(400);
    expect((await anonymous.auth.deleteAccount({ body: { password: PASSWORD } })).status).toBe(401);
    expect((await me(account.pair.access_token)).status).toBe(200);
  });
});

describe('DELETE /api/{user_id}', () => {
  it("deletes every row of a provider's user (no built-in account), and only theirs", async () => {
    const [gone, stays] = [newUserId(), newUserId()];
    await fillAll(gone, server.tokenFor(gone));
    await fillAll(stays, server.tokenFor(stays));
    const before = await rowsOf(stays);
    expect(
      (await server.clientFor(stays).userData.remove({ params: { user_id: gone } })).status,
    ).toBe(403);
    expect(
      (await server.clientFor(gone).userData.remove({ params: { user_id: gone } })).status,
    ).toBe(204);
    expect(Object.values(await rowsOf(gone)).every((count) => count === 0)).toBe(true);
    expect(await rowsOf(stays)).toEqual(before);
  });

  it('sends a built-in account to DELETE /auth/me (403), deleting nothing', async () => {
    const account = await newAccount();
    await fillAll(account.id, account.pair.access_token);
    const answer = await account.client.userData.remove({ params: { user_id: account.id } });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ status_code: 403 });
    expect((answer.body as { message: string }).message).toContain('DELETE /auth/me');
    const counts = await rowsOf(account.id);
    for (const { name } of everyResource) expect(counts[name]).toBe(1);
  });
});

describe('Cache-Control', () => {
  it('is no-store on every answer that carries a token, and on the other /auth answers', async () => {
    const email = newEmail();
    const registered = await server.fetch('/auth/register', {
      method: 'POST',
      ...json({ email, password: PASSWORD }),
    });
    expect(registered.headers.get('cache-control')).toBe('no-store');
    const pair = await login(email);
    const refreshed = await server.fetch('/auth/refresh', {
      method: 'POST',
      ...json({ refresh_token: pair.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    const failed = await server.fetch('/auth/login', {
      method: 'POST',
      ...json({ email, password: 'wrong password' }),
    });
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });
});

describe('logs', () => {
  it('never hold a password or a token of these routes', async () => {
    const account = await newAccount();
    const second = await login(account.email);
    await account.client.auth.changePassword({
      body: { current_password: 'a wrong password x', new_password: NEW_PASSWORD },
    });
    await account.client.auth.changePassword({
      body: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    await account.client.auth.sessions();
    await account.client.auth.deleteAccount({ body: { password: NEW_PASSWORD } });
    const written = JSON.stringify(server.logs);
    expect(written).toContain('account_deleted');
    for (const secret of [
      PASSWORD,
      NEW_PASSWORD,
      'a wrong password x',
      account.pair.access_token,
      account.pair.refresh_token,
      second.access_token,
      second.refresh_token,
      server.jwt.secret!,
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});
