import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Client, TokenPair } from '@enclave/client';
import { PASSWORD_RULES } from '@enclave/contract';
import jwt from 'jsonwebtoken';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { refreshTokenHash } from './refresh-token.js';

let server: TestServer;
let anonymous: Client;

beforeAll(async () => {
  server = await startTestServer();
  anonymous = server.clientWithToken(undefined);
});

afterAll(async () => {
  await server.close();
});

const PASSWORD = 'correct horse battery staple';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A fresh, unregistered address, so tests sharing one database never collide. */
const newEmail = () => `user-${randomUUID()}@example.com`;

async function register(email = newEmail(), password = PASSWORD) {
  const reply = await anonymous.auth.register({ body: { email, password } });
  if (reply.status !== 201) throw new Error(`register answered ${reply.status}`);
  return { ...reply.body, password };
}

async function login(email: string, password = PASSWORD): Promise<TokenPair> {
  const reply = await anonymous.auth.login({ body: { email, password } });
  if (reply.status !== 200) throw new Error(`login answered ${reply.status}`);
  return reply.body;
}

const storedUsers = (email: string) =>
  server.db.selectFrom('accounts').selectAll().where('email', '=', email).execute();

describe('POST /auth/register', () => {
  it('creates an account under a normalised email and answers it without the password', async () => {
    const local = `Ann-${randomUUID()}`;
    const reply = await anonymous.auth.register({
      body: { email: `  ${local}@Example.COM `, password: PASSWORD },
    });
    expect(reply.status).toBe(201);
    const account = reply.body as { id: string; email: string; created_at: string };
    expect(Object.keys(account).sort()).toEqual(['created_at', 'email', 'email_verified', 'id']);
    expect(reply.body).toMatchObject({ email_verified: false });
    expect(account.id).toMatch(UUID);
    expect(account.email).toBe(`${local.toLowerCase()}@example.com`);
    expect(Date.parse(account.created_at)).toBeGreaterThan(Date.now() - 60_000);
    const [row] = await storedUsers(account.email);
    expect(row?.id).toBe(account.id);
  });

  it('stores an argon2id hash with the OWASP parameters, never the password', async () => {
    const account = await register();
    const [row] = await storedUsers(account.email);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row!.password_hash).not.toContain(PASSWORD);
    // A salt per hash: the same password never stores the same string twice.
    const other = await register();
    const [otherRow] = await storedUsers(other.email);
    expect(otherRow!.password_hash).not.toBe(row!.password_hash);
  });

  it('answers 409 for an email that differs from a registered one only in case and spaces', async () => {
    const account = await register();
    const reply = await anonymous.auth.register({
      body: { email: ` ${account.email.toUpperCase()}`, password: 'another long password' },
    });
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({
      error: 'Conflict',
      status_code: 409,
      details: [{ path: 'body.email', message: 'is already registered' }],
    });
    expect(await storedUsers(account.email)).toHaveLength(1);
  });

  it('lets exactly one of several concurrent registrations of one email succeed', async () => {
    const email = newEmail();
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        anonymous.auth.register({ body: { email, password: PASSWORD } }),
      ),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await storedUsers(email)).toHaveLength(1);
  });

  it.each([
    ['too short', 'x'.repeat(11)],
    ['too long', 'x'.repeat(129)],
    ['empty', ''],
    ['holding NUL', `${'x'.repeat(12)}\u0000`],
  ])('refuses a password that is %s, stating every rule', async (_label, password) => {
    const email = newEmail();
    const reply = await anonymous.auth.register({ body: { email, password } });
    expect(reply.status).toBe(400);
    const body = reply.body as { message: string; details: { path: string; message: string }[] };
    expect(body.details).toEqual([{ path: 'body.password', message: PASSWORD_RULES }]);
    expect(body.message).toContain('12 to 128 characters');
    expect(body.message).not.toContain(password.length > 0 ? password : '\u0000');
    expect(await storedUsers(email)).toHaveLength(0);
  });

  it('counts password length in characters, so 12 emoji are enough', async () => {
    const account = await register(newEmail(), '🔑'.repeat(12));
    expect(account.id).toMatch(UUID);
  });

  it('refuses the email address as the password', async () => {
    const email = newEmail();
    const reply = await anonymous.auth.register({ body: { email, password: email.toUpperCase() } });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      details: [{ path: 'body.password', message: PASSWORD_RULES }],
    });
  });

  it.each([
    ['not an email', { email: 'ann', password: PASSWORD }],
    [
      'an email over 254 characters',
      { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD },
    ],
    ['no password', { email: 'ann@example.com' }],
    ['an unknown field', { email: 'ann@example.com', password: PASSWORD, admin: true }],
    ['a number for the email', { email: 42, password: PASSWORD }],
  ])('answers 400 for %s', async (_label, body) => {
    const reply = await server.fetch('/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({ error: 'Bad Request', status_code: 400 });
  });
});

describe('POST /auth/login', () => {
  it('answers the token pair whose access token works on the resource routes', async () => {
    const account = await register();
    const pair = await login(account.email.toUpperCase());
    expect(Object.keys(pair).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const claims = jwt.verify(pair.access_token, server.jwt.secret!) as jwt.JwtPayload;
    expect(claims.sub).toBe(account.id);
    // `iat` carries milliseconds (revocations compare with it); `exp` whole seconds.
    expect(claims.exp! - Math.floor(claims.iat!)).toBe(900);
    expect(claims.sid).toEqual(expect.any(String));
    expect(pair.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const client = server.clientWithToken(pair.access_token);
    const created = await client.tasks.create({
      params: { user_id: account.id },
      body: { title: 'First task' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user_id: account.id, title: 'First task' });
    const me = await client.auth.me();
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: account.id,
      email: account.email,
      email_verified: false,
      created_at: account.created_at,
    });
    // The token is for this account's paths only.
    const elsewhere = await client.tasks.list({ params: { user_id: newUserId() } });
    expect(elsewhere.status).toBe(403);
  });

  it('stores only a hash of the refresh token', async () => {
    const account = await register();
    const pair = await login(account.email);
    const rows = await server.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('user_id', '=', account.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(refreshTokenHash(pair.refresh_token));
    expect(JSON.stringify(rows)).not.toContain(pair.refresh_token);
  });

  it('gives an unknown email and a wrong password the same answer', async () => {
    const account = await register();
    const wrong = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: 'not the password at all' }),
    });
    const unknown = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: newEmail(), password: 'not the password at all' }),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const bodies = [await wrong.text(), await unknown.text()];
    expect(bodies[0]).toBe(bodies[1]);
    expect(JSON.parse(bodies[0]!)).toEqual({
      error: 'Unauthorized',
      message: 'Email or password is incorrect',
      status_code: 401,
    });
    const headers = (res: Response) =>
      [...res.headers.keys()].filter((name) => !['date', 'x-request-id'].includes(name)).sort();
    expect(headers(wrong)).toEqual(headers(unknown));
  });

  it('spends a password check on an unknown email too, so timing does not tell them apart', async () => {
    const account = await register();
    const timeLogin = async (email: string) => {
      const started = performance.now();
      const reply = await anonymous.auth.login({
        body: { email, password: `wrong ${randomUUID()}` },
      });
      expect(reply.status).toBe(401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, and under the per-account limit: four wrong passwords for the account.
    for (let round = 0; round < 4; round += 1) {
      known.push(await timeLogin(account.email));
      unknown.push(await timeLogin(newEmail()));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    // Without the decoy check an unknown email answers in a small fraction of the time
    // (no argon2 at all); the bound is loose because the machine is shared.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });

  it('accepts the password in another Unicode normal form (NFKC)', async () => {
    const composed = 'caf\u00e9 au lait, bien s\u00fbr';
    const account = await register(newEmail(), composed);
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    await expect(login(account.email, decomposed)).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('upgrades a hash made with weaker settings at the next successful login', async () => {
    const email = newEmail();
    const weak = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    await server.db
      .insertInto('accounts')
      .values({ id: randomUUID(), email, password_hash: weak })
      .execute();
    await login(email);
    const [row] = await storedUsers(email);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(email);
  });

  it('answers 400 for a malformed body without counting it as an attempt', async () => {
    const reply = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ann@example.com', password: 'x'.repeat(1025) }),
    });
    expect(reply.status).toBe(400);
  });
});

describe('POST /auth/refresh', () => {
  it('rotates: the answer carries a new refresh token and the old one is spent', async () => {
    const account = await register();
    const first = await login(account.email);
    const second = await anonymous.auth.refresh({ body: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    const pair = second.body as TokenPair;
    expect(pair.token_type).toBe('Bearer');
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    expect((jwt.decode(pair.access_token) as jwt.JwtPayload).sub).toBe(account.id);
    const third = await anonymous.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    expect(third.status).toBe(200);
  });

  it('revokes the whole family when a spent token is presented again, and only that family', async () => {
    const account = await register();
    const stolen = await login(account.email);
    const otherDevice = await login(account.email);
    const legitimate = await anonymous.auth.refresh({
      body: { refresh_token: stolen.refresh_token },
    });
    expect(legitimate.status).toBe(200);
    const successor = (legitimate.body as TokenPair).refresh_token;

    const replay = await anonymous.auth.refresh({ body: { refresh_token: stolen.refresh_token } });
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'Unauthorized', status_code: 401 });
    // The thief or the owner, whoever holds the successor, is signed out too.
    const afterReuse = await anonymous.auth.refresh({ body: { refresh_token: successor } });
    expect(afterReuse.status).toBe(401);
    // Another login of the same account is another family, untouched.
    const untouched = await anonymous.auth.refresh({
      body: { refresh_token: otherDevice.refresh_token },
    });
    expect(untouched.status).toBe(200);
    const reuseLine = server.logs.find((line) => line.event === 'refresh_token_reuse');
    expect(reuseLine).toMatchObject({ user_id: account.id, level: 40 });
  });

  it('lets exactly one of two concurrent uses of one refresh token succeed', async () => {
    const account = await register();
    const pair = await login(account.email);
    const replies = await Promise.all([
      anonymous.auth.refresh({ body: { refresh_token: pair.refresh_token } }),
      anonymous.auth.refresh({ body: { refresh_token: pair.refresh_token } }),
    ]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 401]);
  });

  it('refuses unknown, expired and malformed refresh tokens alike', async () => {
    const account = await register();
    const pair = await login(account.email);
    await server.db
      .updateTable('refresh_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', refreshTokenHash(pair.refresh_token))
      .execute();
    const messages = new Set<string>();
    for (const refresh_token of [pair.refresh_token, 'a'.repeat(43), pair.access_token]) {
      const reply = await anonymous.auth.refresh({ body: { refresh_token } });
      expect(reply.status).toBe(401);
      messages.add((reply.body as { message: string }).message);
    }
    expect(messages.size).toBe(1);
    const tooLong = await anonymous.auth.refresh({ body: { refresh_token: 'a'.repeat(513) } });
    expect(tooLong.status).toBe(400);
  });
});

describe('POST /auth/logout', () => {
  it('revokes the refresh token and every one descended from its login', async () => {
    const account = await register();
    const first = await login(account.email);
    const rotated = await anonymous.auth.refresh({ body: { refresh_token: first.refresh_token } });
    const current = (rotated.body as TokenPair).refresh_token;
    const out = await anonymous.auth.logout({ body: { refresh_token: current } });
    expect(out.status).toBe(204);
    for (const refresh_token of [current, first.refresh_token]) {
      expect((await anonymous.auth.refresh({ body: { refresh_token } })).status).toBe(401);
    }
    // Signing out twice, or with a token never issued, is not an error and reveals nothing.
    expect((await anonymous.auth.logout({ body: { refresh_token: current } })).status).toBe(204);
    expect((await anonymous.auth.logout({ body: { refresh_token: 'b'.repeat(43) } })).status).toBe(
      204,
    );
  });
});

describe('GET /auth/me', () => {
  it('needs a valid bearer token', async () => {
    expect((await anonymous.auth.me()).status).toBe(401);
    const expired = server.tokenFor(newUserId(), { exp: Math.floor(Date.now() / 1000) - 10 });
    const reply = await server.clientWithToken(expired).auth.me();
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ message: 'Token has expired' });
  });

  it('answers 404 for a valid token whose user has no built-in account', async () => {
    const reply = await server.clientFor(newUserId()).auth.me();
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ error: 'Not Found', status_code: 404 });
  });
});

describe('with AUTH_ACCOUNTS=off', () => {
  let closed: TestServer;

  beforeAll(async () => {
    closed = await startTestServer({ accounts: { enabled: false } });
  });

  afterAll(async () => {
    await closed.close();
  });

  it('serves no /auth route and documents none, while the resources still work', async () => {
    const client = closed.clientWithToken(undefined);
    const reply = await client.auth.register({ body: { email: newEmail(), password: PASSWORD } });
    expect(reply.status).toBe(404);
    expect((await closed.fetch('/auth/me')).status).toBe(404);
    const doc = (await (await closed.fetch('/openapi.json')).json()) as { paths: object };
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/auth'))).toEqual([]);
    const user = newUserId();
    expect((await closed.clientFor(user).tasks.list({ params: { user_id: user } })).status).toBe(
      200,
    );
  });
});

describe('logs', () => {
  it('never hold a password, a token or a password hash', async () => {
    const secretPassword = `secret password ${randomUUID()}`;
    const account = await register(newEmail(), secretPassword);
    await anonymous.auth.login({ body: { email: account.email, password: `${secretPassword}!` } });
    const pair = await login(account.email, secretPassword);
    const rotated = await anonymous.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    await anonymous.auth.refresh({ body: { refresh_token: pair.refresh_token } });
    await server.clientWithToken(pair.access_token).auth.me();
    await anonymous.auth.logout({
      body: { refresh_token: (rotated.body as TokenPair).refresh_token },
    });
    await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"email":"${account.email}","password":"${secretPassword}"`,
    });
    const [row] = await storedUsers(account.email);
    const written = JSON.stringify(server.logs);
    expect(server.logs.length).toBeGreaterThan(6);
    for (const secret of [
      secretPassword,
      pair.access_token,
      pair.access_token.split('.')[2]!,
      pair.refresh_token,
      (rotated.body as TokenPair).refresh_token,
      refreshTokenHash(pair.refresh_token),
      row!.password_hash,
      row!.password_hash.split('$').at(-1)!,
      server.jwt.secret!,
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});

describe('database', () => {
  it('keeps one account per email even when written directly', async () => {
    const email = newEmail();
    await server.db
      .insertInto('accounts')
      .values({ id: randomUUID(), email, password_hash: 'x' })
      .execute();
    await expect(
      server.db
        .insertInto('accounts')
        .values({ id: randomUUID(), email, password_hash: 'x' })
        .execute(),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
