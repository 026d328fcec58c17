import { createOnce, ifChanged, ifUnchanged, versionOf } from '@enclave/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';
import {
  expectError,
  fixtures,
  type Fixtures,
  type Item,
  type SuiteResource,
  type User,
} from './resource-fixtures.js';

const etag = (version: number) => `"${version}"`;

/**
 * Versions, ETags and conditional requests, generated for a resource: GET and every write
 * carry the item's ETag, If-Match makes a write (or a delete) apply only to the version the
 * client read, decided in the statement that writes, If-None-Match revalidates a copy, and
 * REQUIRE_IF_MATCH makes the condition compulsory.
 */
export function describeConditionalRequests(
  resource: SuiteResource,
  server: () => TestServer,
  f: Fixtures,
) {
  const { newUser, create, stored, sample } = f;
  const path = `/api/:user_id/${resource.name}`;
  const [field] = f.fieldNames as [string];
  const params = (user: User, item: Item) => ({ user_id: user.id, id: item.id });
  const patchBody = (i: number) => ({ [field]: sample(i)[field] });

  describe(`${path}: versions and ETags`, () => {
    it('a new item is version 1; GET, the list and every write agree on version and ETag', async () => {
      const user = newUser();
      const created = await user.routes.create({ params: { user_id: user.id }, body: sample(0) });
      const item = created.body as Item;
      expect(item.version).toBe(1);
      expect(created.headers.get('etag')).toBe(etag(1));

      const read = await user.routes.get({ params: params(user, item) });
      expect(read.headers.get('etag')).toBe(etag(1));
      expect(versionOf(read)).toBe(1);

      const put = await user.routes.update({ params: params(user, item), body: sample(1) });
      expect((put.body as Item).version).toBe(2);
      expect(put.headers.get('etag')).toBe(etag(2));
      const patch = await user.routes.patch({ params: params(user, item), body: patchBody(2) });
      expect((patch.body as Item).version).toBe(3);
      expect(patch.headers.get('etag')).toBe(etag(3));

      const list = await user.routes.list({ params: { user_id: user.id } });
      const items = (list.body as Record<string, Item[]>)[resource.name]!;
      expect(items.map(({ id, version }) => ({ id, version }))).toEqual([
        { id: item.id, version: 3 },
      ]);
      expect((await stored(item.id))?.version).toBe(3);
    });

    it('a write that changes nothing still moves the version: the item was written', async () => {
      const user = newUser();
      const item = await create(user, sample(0));
      const reply = await user.routes.patch({ params: params(user, item), body: patchBody(0) });
      expect(reply.status).toBe(200);
      expect((reply.body as Item).version).toBe(2);
    });
  });

  describe(`${path}: If-Match`, () => {
    it('prevents a lost update: of two clients editing one version, the second gets 412, re-reads and succeeds', async () => {
      const owner = newUser();
      const item = await create(owner, sample(0));
      // Two clients of one user (two tabs, two devices), each holding version 1.
      const first = f.anotherClientOf(owner);
      const second = f.anotherClientOf(owner);
      const firstRead = (await first.routes.get({ params: params(owner, item) })).body as Item;
      const secondRead = (await second.routes.get({ params: params(owner, item) })).body as Item;

      const won = await first.routes.patch({
        params: params(owner, item),
        body: patchBody(1),
        headers: ifUnchanged(firstRead),
      });
      expect(won.status).toBe(200);
      const afterFirst = await stored(item.id);

      const lost = await second.routes.patch({
        params: params(owner, item),
        body: patchBody(2),
        headers: ifUnchanged(secondRead),
      });
      const error = expectError(lost, 412);
      expect(error.error).toBe('Precondition Failed');
      expect(error.message).toContain('version 2');
      expect(lost.headers.get('etag')).toBe(etag(2));
      expect(await stored(item.id)).toEqual(afterFirst);

      const reread = await second.routes.get({ params: params(owner, item) });
      const retried = await second.routes.patch({
        params: params(owner, item),
        body: patchBody(2),
        headers: ifUnchanged(reread.body as Item),
      });
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ ...patchBody(2), version: 3 });
    });

    it('PUT with a stale If-Match is 412 and changes nothing; with the current one it applies', async () => {
      const user = newUser();
      const item = await create(user, sample(0));
      await user.routes.patch({ params: params(user, item), body: patchBody(1) });
      const before = await stored(item.id);
      const stale = await user.routes.update({
        params: params(user, item),
        body: sample(2),
        headers: ifUnchanged(item),
      });
      expectError(stale, 412);
      expect(stale.headers.get('etag')).toBe(etag(2));
      expect(await stored(item.id)).toEqual(before);
      const current = await user.routes.update({
        params: params(user, item),
        body: sample(2),
        headers: { 'if-match': etag(2) },
      });
      expect(current.status).toBe(200);
      expect(current.headers.get('etag')).toBe(etag(3));
    });

    it('DELETE with a stale If-Match is 412 and keeps the item; with the current one it deletes', async () => {
      const user = newUser();
      const item = await create(user, sample(0));
      await user.routes.patch({ params: params(user, item), body: patchBody(1) });
      const stale = await user.routes.remove({
        params: params(user, item),
        headers: ifUnchanged(item),
      });
      expectError(stale, 412);
      expect(stale.headers.get('etag')).toBe(etag(2));
      expect(await stored(item.id)).toBeDefined();
      const current = await user.routes.remove({
        params: params(user, item),
        headers: { 'if-match': etag(2) },
      });
      expect(current.status).toBe(204);
      expect(await stored(item.id)).toBeUndefined();
    });

    it('of concurrent writes conditioned on one version exactly one applies; the rest are 412', async () => {
      const user = newUser();
      const item = await create(user, sample(0));
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          user.routes.patch({
            params: params(user, item),
            body: patchBody(i % 3),
            headers: ifUnchanged(item),
          }),
        ),
      );
      const statuses = replies.map((reply) => reply.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
      expect((await stored(item.id))?.version).toBe(2);
    });

    it.each([
      ['*', 200],
      ['the longest list (16 tags), naming the current version', 200],
      ['a weak tag of the current version (If-Match compares strongly)', 412],
      ['a tag that is no version', 412],
    ] as const)('If-Match: %s answers %s', async (kind, status) => {
      const user = newUser();
      const item = await create(user, sample(0));
      const header = {
        '*': '*',
        'the longest list (16 tags), naming the current version': Array.from(
          { length: 16 },
          (_, i) => `"${16 - i}"`,
        ).join(','),
        'a weak tag of the current version (If-Match compares strongly)': 'W/"1"',
        'a tag that is no version': '"abc"',
      }[kind];
      const reply = await user.routes.patch({
        params: params(user, item),
        body: patchBody(1),
        headers: { 'if-match': header },
      });
      expect(reply.status).toBe(status);
      expect((await stored(item.id))?.version).toBe(status === 200 ? 2 : 1);
    });

    it.each(['PUT', 'PATCH', 'DELETE'] as const)(
      "%s with If-Match on another user's item, or none, is 404, never 412",
      async (method) => {
        const owner = newUser();
        const intruder = newUser();
        const item = await create(owner, sample(0));
        const headers = ifUnchanged({ version: 2 });
        for (const id of [item.id, item.id + 1_000_000]) {
          const target = { user_id: intruder.id, id };
          const reply =
            method === 'PUT'
              ? await intruder.routes.update({ params: target, body: sample(1), headers })
              : method === 'PATCH'
                ? await intruder.routes.patch({ params: target, body: patchBody(1), headers })
                : await intruder.routes.remove({ params: target, headers });
          expectError(reply, 404);
          expect(reply.headers.get('etag')).toBeNull();
        }
        expect(await stored(item.id)).toEqual(item);
      },
    );

    // Seventeen tags: each one would be a version to match, so the list is bounded.
    const tooMany = Array.from({ length: 17 }, (_, i) => `"${i + 1}"`).join(', ');
    it.each(['3', '"3', 'W/3', '"a b"', '"1",', 'x'.repeat(1100), tooMany])(
      'a malformed If-Match (%s) is 400 naming the header, and changes nothing',
      async (header) => {
        const user = newUser();
        const item = await create(user, sample(0));
        const reply = await user.routes.patch({
          params: params(user, item),
          body: patchBody(1),
          headers: { 'if-match': header },
        });
        const error = expectError(reply, 400);
        expect(error.details?.map((detail) => detail.path)).toEqual(['headers.if-match']);
        expect(await stored(item.id)).toEqual(item);
      },
    );
  });

  describe(`${path}: If-None-Match`, () => {
    it.each([
      ['the current ETag', 304, (version: number) => etag(version)],
      ['a weak tag of the current version', 304, (version: number) => `W/${etag(version)}`],
      ['*', 304, () => '*'],
      ['an older ETag', 200, (version: number) => etag(version - 1)],
    ] as const)('with %s answers %s', async (_kind, status, header) => {
      const user = newUser();
      const item = await create(user, sample(0));
      await user.routes.patch({ params: params(user, item), body: patchBody(1) });
      const reply = await user.routes.get({
        params: params(user, item),
        headers: { 'if-none-match': header(2) },
      });
      expect(reply.status).toBe(status);
      expect(reply.headers.get('etag')).toBe(etag(2));
      if (status === 200) {
        expect(reply.body).toMatchObject({ id: item.id, version: 2 });
        return;
      }
      // The client has no body to show for a 304: the bytes on the wire are none.
      const raw = await server().fetch(`/api/${user.id}/${resource.name}/${item.id}`, {
        headers: {
          authorization: `Bearer ${server().tokenFor(user.id)}`,
          'if-none-match': header(2),
        },
      });
      expect(raw.status).toBe(304);
      expect(await raw.text()).toBe('');
    });

    it('ifChanged(item) revalidates the copy a client holds', async () => {
      const user = newUser();
      const item = await create(user, sample(0));
      const same = await user.routes.get({ params: params(user, item), headers: ifChanged(item) });
      expect(same.status).toBe(304);
      await user.routes.patch({ params: params(user, item), body: patchBody(1) });
      const changed = await user.routes.get({
        params: params(user, item),
        headers: ifChanged(item),
      });
      expect(changed.status).toBe(200);
    });
  });

  describe(`${path}: with REQUIRE_IF_MATCH=on`, () => {
    let strict: TestServer;
    let g: Fixtures;
    beforeAll(async () => {
      strict = await startTestServer({ requireIfMatch: true });
      g = fixtures(() => strict, resource);
    });
    afterAll(() => strict.close());

    it.each([
      ['PUT', undefined],
      ['PATCH', undefined],
      ['DELETE', undefined],
      ['PUT', '*'],
      ['PATCH', '*'],
      ['DELETE', '*'],
    ] as const)('%s with If-Match %s is 428 and changes nothing', async (method, header) => {
      const user = g.newUser();
      const item = await g.create(user, sample(0));
      const target = params(user, item);
      const headers: Record<string, string> = header === undefined ? {} : { 'if-match': header };
      const reply =
        method === 'PUT'
          ? await user.routes.update({ params: target, body: sample(1), headers })
          : method === 'PATCH'
            ? await user.routes.patch({ params: target, body: patchBody(1), headers })
            : await user.routes.remove({ params: target, headers });
      const error = expectError(reply, 428);
      expect(error.error).toBe('Precondition Required');
      expect(error.message).toContain('If-Match');
      expect(await g.stored(item.id)).toEqual(item);
    });

    it('writes with the current ETag; reads and creates need none', async () => {
      const user = g.newUser();
      const created = await user.routes.create({
        params: { user_id: user.id },
        body: sample(0),
        headers: createOnce(),
      });
      expect(created.status).toBe(201);
      const item = created.body as Item;
      expect((await user.routes.get({ params: params(user, item) })).status).toBe(200);
      expect((await user.routes.list({ params: { user_id: user.id } })).status).toBe(200);
      const patched = await user.routes.patch({
        params: params(user, item),
        body: patchBody(1),
        headers: ifUnchanged(item),
      });
      expect(patched.status).toBe(200);
      const removed = await user.routes.remove({
        params: params(user, item),
        headers: ifUnchanged(patched.body as Item),
      });
      expect(removed.status).toBe(204);
    });
  });
}
