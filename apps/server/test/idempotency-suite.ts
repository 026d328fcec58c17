import { createOnce, wasReplayed } from '@enclave/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/schema.js';
import { openTestDatabase } from './database.js';
import { startTestServer, type TestServer } from './harness.js';
import {
  expectError,
  fixtures,
  type Fixtures,
  type Item,
  type Reply,
  type SuiteResource,
  type User,
} from './resource-fixtures.js';

/**
 * Creates with an Idempotency-Key, generated for a resource: a retry gets the first answer
 * (one item, however many tries, concurrent or across servers and restarts), a key reused
 * for another body is 422, and failures are not stored.
 */
export function describeIdempotentCreates(
  resource: SuiteResource,
  server: () => TestServer,
  f: Fixtures,
) {
  const { newUser, storedFor, sample } = f;
  const path = `/api/:user_id/${resource.name}`;
  const createWith = (user: User, body: unknown, key: string) =>
    user.routes.create({ params: { user_id: user.id }, body, headers: createOnce(key) });
  const newKey = () => `key-${crypto.randomUUID()}`;

  describe(`${path}: Idempotency-Key`, () => {
    it('a retry with the same key and body answers the first answer, marked; one item exists', async () => {
      const user = newUser();
      const key = newKey();
      const first = await createWith(user, sample(0), key);
      expect(first.status).toBe(201);
      expect(wasReplayed(first)).toBe(false);
      const again = await createWith(user, sample(0), key);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(wasReplayed(again)).toBe(true);
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(await storedFor(user.id)).toHaveLength(1);
    });

    it('the replay is the first answer even after the item changed', async () => {
      const user = newUser();
      const key = newKey();
      const first = await createWith(user, sample(0), key);
      const item = first.body as Item;
      await user.routes.remove({ params: { user_id: user.id, id: item.id } });
      const again = await createWith(user, sample(0), key);
      expect(again.body).toEqual(first.body);
      expect(await storedFor(user.id)).toEqual([]);
    });

    it('the same key with another body is 422 and creates nothing', async () => {
      const user = newUser();
      const key = newKey();
      await createWith(user, sample(0), key);
      const reused = await createWith(user, sample(1), key);
      const error = expectError(reused, 422);
      expect(error.error).toBe('Unprocessable Content');
      expect(error.message).toContain('Idempotency-Key');
      expect(await storedFor(user.id)).toHaveLength(1);
    });

    it('a body that differs only in key order or in an explicit default is the same request', async () => {
      const user = newUser();
      const key = newKey();
      const body = sample(0);
      const first = await createWith(user, body, key);
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const again = await createWith(user, { ...reordered, ...resource.defaults, ...body }, key);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
    });

    it('concurrent creates with one key make exactly one item; the others replay it or are 409', async () => {
      const user = newUser();
      const key = newKey();
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => createWith(user, sample(0), key)),
      );
      const items = await storedFor(user.id);
      expect(items).toHaveLength(1);
      const created = replies.filter((reply) => reply.status === 201);
      const inFlight = replies.filter((reply) => reply.status === 409);
      expect(created.length + inFlight.length).toBe(replies.length);
      expect(created.filter((reply) => !wasReplayed(reply))).toHaveLength(1);
      for (const reply of created) expect((reply.body as Item).id).toBe(items[0]!.id);
      for (const reply of inFlight) {
        expect(expectError(reply, 409).message).toContain('still being processed');
        expect(reply.headers.get('retry-after')).toBe('1');
      }
    });

    it("a key is its user's: another user's request with it is a fresh create", async () => {
      const owner = newUser();
      const other = newUser();
      const key = newKey();
      const mine = await createWith(owner, sample(0), key);
      const theirs = await createWith(other, sample(1), key);
      expect(theirs.status).toBe(201);
      expect(wasReplayed(theirs)).toBe(false);
      expect((theirs.body as Item).user_id).toBe(other.id);
      expect((theirs.body as Item).id).not.toBe((mine.body as Item).id);
      expect(await storedFor(owner.id)).toHaveLength(1);
      expect(await storedFor(other.id)).toHaveLength(1);
    });

    it('a request refused for its body is not stored: the key stays free', async () => {
      const user = newUser();
      const key = newKey();
      const invalid = await createWith(user, { ...sample(0), unexpected_field: 1 }, key);
      expectError(invalid, 400);
      const valid = await createWith(user, sample(0), key);
      expect(valid.status).toBe(201);
      expect(wasReplayed(valid)).toBe(false);
    });

    if ((resource.unique ?? []).length > 0) {
      it('a create refused as a duplicate (409) is not stored: the same request may succeed later', async () => {
        const user = newUser();
        const taken = await f.create(user, sample(0));
        const key = newKey();
        expectError(await createWith(user, sample(0), key), 409);
        await user.routes.remove({ params: { user_id: user.id, id: taken.id } });
        const retried = await createWith(user, sample(0), key);
        expect(retried.status).toBe(201);
        expect(wasReplayed(retried)).toBe(false);
      });
    }

    it("a quoted key (the draft's structured string) names the same key as the bare one", async () => {
      const user = newUser();
      const key = newKey();
      const bare = await createWith(user, sample(0), key);
      const quoted = await createWith(user, sample(0), `"${key}"`);
      expect(wasReplayed(quoted)).toBe(true);
      expect(quoted.body).toEqual(bare.body);
    });

    it.each([
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['a space', 'two words'],
      ['not ASCII', 'clé'],
    ])('a key that is %s is 400 naming the header, and creates nothing', async (_kind, key) => {
      const user = newUser();
      const reply = await createWith(user, sample(0), key);
      const error = expectError(reply, 400);
      expect(error.details?.map((detail) => detail.path)).toEqual(['headers.idempotency-key']);
      expect(await storedFor(user.id)).toEqual([]);
    });
  });

  describe(`${path}: Idempotency-Key across servers, restarts and time`, () => {
    let db: Db;
    const servers: TestServer[] = [];
    const on = async (options: { idempotencyKeyTtlSeconds?: number } = {}) => {
      const started = await startTestServer({ db, ...options });
      servers.push(started);
      return { server: started, fixtures: fixtures(() => started, resource) };
    };
    const as = (g: Fixtures, user: User): User => ({
      id: user.id,
      routes: g.anotherClientOf(user).routes,
    });

    beforeAll(async () => {
      db = await openTestDatabase();
    });
    afterAll(async () => {
      await Promise.all(servers.map((started) => started.close()));
      await db.destroy();
    });

    it('a second server instance replays what the first stored, and they race to one item', async () => {
      const a = await on();
      const b = await on();
      const user = a.fixtures.newUser();
      const key = newKey();
      const first = await createWith(user, sample(0), key);
      const again = await createWith(as(b.fixtures, user), sample(0), key);
      expect(wasReplayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);

      const racer = a.fixtures.newUser();
      const raceKey = newKey();
      const replies: Reply[] = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          createWith(i % 2 === 0 ? racer : as(b.fixtures, racer), sample(1), raceKey),
        ),
      );
      expect(await a.fixtures.storedFor(racer.id)).toHaveLength(1);
      expect(replies.filter((reply) => reply.status === 201 && !wasReplayed(reply))).toHaveLength(
        1,
      );
      expect(replies.every((reply) => reply.status === 201 || reply.status === 409)).toBe(true);
    });

    it('a server started after a restart replays what the stopped one stored', async () => {
      const before = await on();
      const user = before.fixtures.newUser();
      const key = newKey();
      const first = await createWith(user, sample(0), key);
      await before.server.close();
      servers.splice(servers.indexOf(before.server), 1);
      const after = await on();
      const again = await createWith(as(after.fixtures, user), sample(0), key);
      expect(wasReplayed(again)).toBe(true);
      expect(again.body).toEqual(first.body);
      expect(await after.fixtures.storedFor(user.id)).toHaveLength(1);
    });

    it('an expired key is forgotten: the same key then makes a new item, even with another body', async () => {
      const short = await on({ idempotencyKeyTtlSeconds: 2 });
      const user = short.fixtures.newUser();
      const key = newKey();
      const first = await createWith(user, sample(0), key);
      expect(wasReplayed(await createWith(user, sample(0), key))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const later = await createWith(user, sample(1), key);
      expect(later.status).toBe(201);
      expect(wasReplayed(later)).toBe(false);
      expect((later.body as Item).id).not.toBe((first.body as Item).id);
      expect(wasReplayed(await createWith(user, sample(1), key))).toBe(true);
      expect(await short.fixtures.storedFor(user.id)).toHaveLength(2);
    });
  });
}
