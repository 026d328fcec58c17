import { resources } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChanges, startCursor } from '../../test/change-feed.js';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { resourceRepository } from '../resources/resource.repository.js';

// The feed's promise under concurrent writers: a reader that follows its cursor while writes
// commit (in any order, from many connections) sees every change exactly once. Positions come
// from one sequence, but an owner's writes take them under a lock held to commit, so none can
// appear behind a cursor that has already passed it.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('the change log under concurrent writers', () => {
  it('never lets a reader skip a change that commits late (creates, updates and deletes at once)', async () => {
    const owner = newUserId();
    const client = server.clientFor(owner);
    const tasks = resourceRepository(server.db, resources.tasks);
    const start = await startCursor(client, owner);
    const seen: string[] = [];
    let cursor = start;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const page = await readChanges(client, owner, cursor);
        seen.push(...page.changes.map((change) => change.cursor));
        cursor = page.cursor;
      }
    })();
    let next = 0;
    const total = 400;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < total) {
          const i = next++;
          const item = await tasks.create(owner, { title: `t${i}` });
          if (i % 3 === 0) await tasks.update(owner, item.id, { complete: true });
          if (i % 5 === 0) await tasks.remove(owner, item.id);
        }
      }),
    );
    writing = false;
    await reader;
    const rest = await readChanges(client, owner, cursor);
    seen.push(...rest.changes.map((change) => change.cursor));
    const all = await readChanges(client, owner, start);
    expect(all.changes.length).toBe(total + Math.ceil(total / 3) + Math.ceil(total / 5));
    expect(seen).toEqual(all.changes.map((change) => change.cursor));
  }, 120_000);

  it('puts each owner’s changes in the order they committed: an item’s versions ascend', async () => {
    const owner = newUserId();
    const client = server.clientFor(owner);
    const start = await startCursor(client, owner);
    const created = await client.tasks.create({ params: { user_id: owner }, body: { title: 'x' } });
    if (created.status !== 201) throw new Error('create failed');
    const id = created.body.id;
    // Sixteen concurrent PATCHes of one item: each a version, in the log in version order.
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        client.tasks.patch({ params: { user_id: owner, id }, body: { title: `v${i}` } }),
      ),
    );
    const { changes } = await readChanges(client, owner, start);
    expect(changes.map((change) => change.version)).toEqual(
      Array.from({ length: 17 }, (_, i) => i + 1),
    );
  });
});
