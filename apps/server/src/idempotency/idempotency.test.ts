import { randomUUID } from 'node:crypto';
import { createOnce, wasReplayed, type Client } from '@enclave/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { sweepExpiredKeys } from './expired-keys-sweep.js';
import { fingerprintOf, idempotencyKeys } from './idempotency-keys.js';

// What the generated suite (test/idempotency-suite.ts) cannot say for one resource: keys on
// registration, keys across routes, the store's own guarantees, and the sweep.

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
const newEmail = () => `user-${randomUUID()}@example.com`;
const accountsWith = (email: string) =>
  server.db.selectFrom('accounts').select('id').where('email', '=', email).execute();

describe('POST /auth/register with an Idempotency-Key', () => {
  it('a retry answers the account it created instead of 409', async () => {
    const email = newEmail();
    const headers = createOnce();
    const first = await anonymous.auth.register({ body: { email, password: PASSWORD }, headers });
    expect(first.status).toBe(201);
    const again = await anonymous.auth.register({ body: { email, password: PASSWORD }, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(wasReplayed(again)).toBe(true);
    expect(await accountsWith(email)).toHaveLength(1);
    // Without the key, the same request is what it always was: the email is taken.
    expect((await anonymous.auth.register({ body: { email, password: PASSWORD } })).status).toBe(
      409,
    );
  });

  it('the same key with another password is 422: the account is not handed to a guess', async () => {
    const email = newEmail();
    const headers = createOnce();
    await anonymous.auth.register({ body: { email, password: PASSWORD }, headers });
    const guess = await anonymous.auth.register({
      body: { email, password: 'another long passphrase' },
      headers,
    });
    expect(guess.status).toBe(422);
    expect(wasReplayed(guess)).toBe(false);
    expect(JSON.stringify(guess.body)).not.toContain(email);
  });

  it('the stored answer holds no password, nor anything derived from it', async () => {
    const email = newEmail();
    const key = `register-${randomUUID()}`;
    await anonymous.auth.register({
      body: { email, password: PASSWORD },
      headers: createOnce(key),
    });
    const [row] = await server.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', email)
      .where('key', '=', key)
      .execute();
    expect(row).toMatchObject({ route: 'auth.register', status: 201 });
    expect(row!.fingerprint).toBe(fingerprintOf({ email }));
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
  });

  it('concurrent registrations with one key make one account', async () => {
    const email = newEmail();
    const headers = createOnce();
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        anonymous.auth.register({ body: { email, password: PASSWORD }, headers }),
      ),
    );
    expect(await accountsWith(email)).toHaveLength(1);
    expect(replies.every((reply) => reply.status === 201 || reply.status === 409)).toBe(true);
    expect(replies.filter((reply) => reply.status === 201 && !wasReplayed(reply))).toHaveLength(1);
  });
});

describe('keys across routes', () => {
  it("one key on two resources' creates is two keys: a key is per route", async () => {
    const user = newUserId();
    const client = server.clientFor(user);
    const headers = createOnce();
    const task = await client.tasks.create({
      params: { user_id: user },
      body: { title: 'Same key' },
      headers,
    });
    const note = await client.notes.create({
      params: { user_id: user },
      body: { body: 'Same key' },
      headers,
    });
    expect([task.status, note.status]).toEqual([201, 201]);
    expect(wasReplayed(note)).toBe(false);
  });
});

describe('the store', () => {
  const request = (key: string) => ({
    owner: newUserId(),
    route: 'tests.store',
    key,
    fingerprint: 'f',
  });

  it('stores nothing when the work fails, and rolls the work back with it', async () => {
    const keys = idempotencyKeys(server.db, 60);
    const keyed = request(randomUUID());
    const marker = `rolled-back-${randomUUID()}`;
    await expect(
      keys.run(keyed, async (transaction) => {
        await transaction
          .insertInto('notes')
          .values({ user_id: keyed.owner, body: marker })
          .execute();
        throw new Error('the work failed after writing');
      }),
    ).rejects.toThrow('the work failed after writing');
    const notes = await server.db
      .selectFrom('notes')
      .select('id')
      .where('user_id', '=', keyed.owner)
      .execute();
    expect(notes).toEqual([]);
    const again = await keys.run(keyed, () => Promise.resolve({ status: 201, body: { ok: 1 } }));
    expect(again.kind).toBe('done');
  });

  it('does not store an answer that is not a success', async () => {
    const keys = idempotencyKeys(server.db, 60);
    const keyed = request(randomUUID());
    const refused = await keys.run(keyed, () => Promise.resolve({ status: 409, body: {} }));
    expect(refused).toEqual({ kind: 'done', answer: { status: 409, body: {} } });
    const again = await keys.run(keyed, () => Promise.resolve({ status: 201, body: { ok: 1 } }));
    expect(again.kind).toBe('done');
  });

  it('answers 409 (in flight) while the first request with the key holds it', async () => {
    const keys = idempotencyKeys(server.db, 60);
    const keyed = request(randomUUID());
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    const first = keys.run(keyed, async () => {
      started();
      await holding;
      return { status: 201, body: { first: true } };
    });
    await hasStarted;
    // On the embedded database the second waits its turn for the one session, then replays.
    const second = keys.run(keyed, () => Promise.resolve({ status: 201, body: { second: true } }));
    const raced = await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 500))]);
    release();
    await first;
    const outcome = raced ?? (await second);
    expect(['in-flight', 'replay']).toContain((outcome as { kind: string }).kind);
  });
});

describe('the sweep of expired keys', () => {
  it('deletes expired answers, and only those, in batches', async () => {
    const owner = newUserId();
    const rows = (count: number, expires: string, prefix: string) =>
      Array.from({ length: count }, (_, i) => ({
        user_id: owner,
        route: 'tests.sweep',
        key: `${prefix}-${i}`,
        fingerprint: 'f',
        status: 201,
        body: '{}',
        headers: '{}',
        expires_at: sql<Date>`now() + ${sql.raw(`interval '${expires}'`)}`,
      }));
    await server.db
      .insertInto('idempotency_keys')
      .values([...rows(1_200, '-1 minute', 'old'), ...rows(3, '1 hour', 'live')])
      .execute();
    expect(await sweepExpiredKeys(server.db, 2)).toBeGreaterThanOrEqual(1_000);
    await sweepExpiredKeys(server.db);
    const left = await server.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('user_id', '=', owner)
      .orderBy('key')
      .execute();
    expect(left.map(({ key }) => key)).toEqual(['live-0', 'live-1', 'live-2']);
  });
});
