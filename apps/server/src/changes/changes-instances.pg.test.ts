import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCursor } from '../../test/change-feed.js';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { openTestDatabase } from '../../test/database.js';
import { changesOf, openRawStream } from '../../test/sse-stream.js';
import type { Db } from '../db/schema.js';

// Two server instances on one PostgreSQL database: a write through one reaches the other's
// streams by NOTIFY, well within a second; with its listener gone, by the safety poll.

let db: Db;
let one: TestServer;
let two: TestServer;
beforeAll(async () => {
  db = await openTestDatabase();
  // The same cursor key in both, as instances behind one balancer share CURSOR_SECRET.
  one = await startTestServer({ db });
  two = await startTestServer({ db, changes: { pollMs: 300 } });
});
afterAll(async () => {
  await one.close();
  await two.close();
  await db.destroy();
});

describe('change streams across instances', () => {
  it('delivers a write through one instance to a stream on another within a second', async () => {
    const owner = newUserId();
    const stream = await openRawStream(`${two.baseUrl}/api/${owner}/changes/stream`, {
      authorization: `Bearer ${two.tokenFor(owner)}`,
    });
    expect(stream.status).toBe(200);
    const delays: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const sent = performance.now();
      const created = await one
        .clientWithToken(one.tokenFor(owner))
        .notes.create({ params: { user_id: owner }, body: { body: `n${i}` } });
      expect(created.status).toBe(201);
      await stream.until((events) => events.length >= i + 1, 2000);
      delays.push(performance.now() - sent);
    }
    stream.close();
    delays.sort((a, b) => a - b);
    expect(delays.at(-1)!).toBeLessThan(1000);
    console.info(
      `[changes] cross-instance delay over 20 writes: p50 ${delays[10]!.toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms`,
    );
    expect(changesOf(stream.events).map((change) => change.op)).toEqual(Array(20).fill('created'));
  });

  it('still delivers, by the safety poll, when no notification arrives', async () => {
    const owner = newUserId();
    const client = one.clientWithToken(one.tokenFor(owner));
    await startCursor(client, owner);
    const stream = await openRawStream(`${two.baseUrl}/api/${owner}/changes/stream`, {
      authorization: `Bearer ${two.tokenFor(owner)}`,
    });
    // A change that comes with no notification (written by hand, as by a writer that goes
    // around the trigger): only the safety poll can find it.
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('changes')
        .values({ user_id: owner, resource: 'notes', item_id: 1, op: 'deleted', version: 1 })
        .execute();
    });
    await stream.until((events) => events.length >= 1, 3000);
    expect(changesOf(stream.events)).toMatchObject([{ op: 'deleted', item: null }]);
    stream.close();
  });
});
