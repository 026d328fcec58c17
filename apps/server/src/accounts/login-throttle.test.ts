import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from '@enclave/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';
import { accountDelayMs } from './password-attempts.js';

const PER_ACCOUNT = 3;
const PER_ADDRESS = 5;
const WINDOW_SECONDS = 600;
const PASSWORD = 'correct horse battery staple';

let server: TestServer;

beforeAll(async () => {
  // One trusted proxy: each test speaks from addresses of its own through X-Forwarded-For, so
  // no other test's failures count against it.
  server = await startTestServer({
    trustProxy: 1,
    accounts: {
      throttle: {
        windowSeconds: WINDOW_SECONDS,
        maxFailuresPerAccount: PER_ACCOUNT,
        maxFailuresPerAddress: PER_ADDRESS,
      },
    },
  });
});

afterAll(async () => {
  await server.close();
});

const newAddress = () => [10, ...randomBytes(3)].join('.');
const newEmail = () => `user-${randomUUID()}@example.com`;

/** The typed client, speaking from `address`. */
const from = (address: string) =>
  createClient({ baseUrl: server.baseUrl, headers: { 'x-forwarded-for': address } });

async function registered(): Promise<string> {
  const email = newEmail();
  const reply = await from(newAddress()).auth.register({ body: { email, password: PASSWORD } });
  expect(reply.status).toBe(201);
  return email;
}

async function attempt(address: string, email: string, password = 'a wrong password') {
  const res = await server.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { message: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

describe('login throttling per account and address', () => {
  it('answers 429 with Retry-After to an address that keeps failing on one account, even to the right password', async () => {
    const email = await registered();
    const address = newAddress();
    for (let i = 0; i < PER_ACCOUNT; i += 1)
      expect((await attempt(address, email)).status).toBe(401);
    const blocked = await attempt(address, email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ error: 'Too Many Requests', status_code: 429 });
    const seconds = Number(blocked.retryAfter);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(blocked.body.message).toContain(`${seconds} seconds`);
  });

  it("cannot be turned against the owner: guessers elsewhere slow the account down but never lock the owner's right password out", async () => {
    const email = await registered();
    for (let i = 0; i < PER_ACCOUNT * 3; i += 1) {
      expect((await attempt(newAddress(), email)).status).toBe(401);
    }
    const started = Date.now();
    const owner = await attempt(newAddress(), email, PASSWORD);
    expect(owner.status).toBe(200);
    // Slowed (the account has had its failures), not refused.
    expect(Date.now() - started).toBeGreaterThanOrEqual(
      accountDelayMs(PER_ACCOUNT * 3 + 1, PER_ACCOUNT) - 50,
    );
  });

  it('counts an IPv6 client by its /64, so rotating addresses within it buys no new guesses', async () => {
    const email = await registered();
    const network = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    const at = (n: number) => `${network}:${n.toString(16)}::${randomBytes(2).toString('hex')}`;
    const statuses = [];
    for (let i = 0; i <= PER_ACCOUNT; i += 1) statuses.push((await attempt(at(i), email)).status);
    expect(statuses).toEqual([...Array<number>(PER_ACCOUNT).fill(401), 429]);
    expect((await attempt(at(99), email, PASSWORD)).status).toBe(429);
    // Another network is another client.
    expect((await attempt('2001:db8:ffff:ffff::1', email, PASSWORD)).status).toBe(200);
  });

  it('throttles an email with no account exactly like one with an account', async () => {
    const unknown = newEmail();
    const address = newAddress();
    const statuses = [];
    for (let i = 0; i <= PER_ACCOUNT; i += 1)
      statuses.push((await attempt(address, unknown)).status);
    expect(statuses).toEqual([...Array<number>(PER_ACCOUNT).fill(401), 429]);
  });

  it('leaves other accounts alone', async () => {
    const [victim, bystander] = [await registered(), await registered()];
    const address = newAddress();
    for (let i = 0; i <= PER_ACCOUNT; i += 1) await attempt(address, victim);
    const reply = await from(newAddress()).auth.login({
      body: { email: bystander, password: PASSWORD },
    });
    expect(reply.status).toBe(200);
  });

  it('forgets earlier failures once the owner signs in', async () => {
    const email = await registered();
    const address = newAddress();
    for (let i = 0; i < PER_ACCOUNT - 1; i += 1) await attempt(address, email);
    expect((await attempt(address, email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < PER_ACCOUNT - 1; i += 1)
      expect((await attempt(address, email)).status).toBe(401);
    expect((await attempt(address, email, PASSWORD)).status).toBe(200);
  });

  it('lets the address in again when the window has passed', async () => {
    const email = await registered();
    const address = newAddress();
    for (let i = 0; i <= PER_ACCOUNT; i += 1) await attempt(address, email);
    expect((await attempt(address, email, PASSWORD)).status).toBe(429);
    // Its windows with this account and of its own (it has failed PER_ADDRESS times too).
    await server.db
      .updateTable('login_failures')
      .set({ window_started_at: sql<Date>`now() - make_interval(secs => ${WINDOW_SECONDS + 1})` })
      .where((eb) => eb.or([eb('key', 'like', `%${email}%`), eb('key', '=', `address:${address}`)]))
      .execute();
    expect((await attempt(address, email, PASSWORD)).status).toBe(200);
  });

  it('holds under concurrent guesses from one address: no more than the limit are checked', async () => {
    const email = await registered();
    const address = newAddress();
    const replies = await Promise.all(Array.from({ length: 12 }, () => attempt(address, email)));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(PER_ACCOUNT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - PER_ACCOUNT);
  });

  it('throttles registration replays with an Idempotency-Key like sign-ins: a replay checks the password', async () => {
    const email = newEmail();
    const address = newAddress();
    const key = randomUUID();
    const register = (password: string) =>
      server.fetch('/auth/register', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': address,
          'idempotency-key': key,
        },
        body: JSON.stringify({ email, password }),
      });
    expect((await register(PASSWORD)).status).toBe(201);
    const replayed = await register(PASSWORD);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    for (let i = 0; i < PER_ACCOUNT; i += 1) {
      expect((await register(`wrong password number ${i}`)).status).toBe(422);
    }
    const throttled = await register(PASSWORD);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('accountDelayMs', () => {
  it('is nothing up to the limit, then grows a quarter second a failure, to two seconds', () => {
    expect(accountDelayMs(3, 3)).toBe(0);
    expect(accountDelayMs(4, 3)).toBe(250);
    expect(accountDelayMs(6, 3)).toBe(750);
    expect(accountDelayMs(1000, 3)).toBe(2000);
  });
});

describe('login throttling per client address', () => {
  it('answers 429 to an address that fails across many accounts, and only to it', async () => {
    const address = newAddress();
    for (let i = 0; i < PER_ADDRESS; i += 1) {
      expect((await attempt(address, newEmail())).status).toBe(401);
    }
    const email = await registered();
    const blocked = await attempt(address, email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    // The same account from elsewhere is fine: it was never the account being guessed.
    expect((await attempt(newAddress(), email, PASSWORD)).status).toBe(200);
  });

  it('does not count successful sign-ins against the address', async () => {
    const address = newAddress();
    const email = await registered();
    for (let i = 0; i < PER_ADDRESS + 2; i += 1) {
      expect((await attempt(address, email, PASSWORD)).status).toBe(200);
    }
  });
});
