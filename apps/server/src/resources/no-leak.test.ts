import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Db } from '../db/schema.js';

// Production answers without checking each body against the contract (it costs a parse of
// every response). What keeps a column from leaking then is the repository: it selects the
// declared columns by name and copies only those. This proves it with a column the contract
// does not know, on every route that answers items, with the check off.
describe('with response validation off', () => {
  let db: Db;
  let server: TestServer;

  beforeAll(async () => {
    ({ db } = await openDatabase({ url: undefined, dataDir: 'memory://', poolMax: 1 }));
    await migrateToLatest(db);
    await sql`alter table notes add column internal_secret text not null default 'leaked'`.execute(
      db,
    );
    server = await startTestServer({ db, responseValidation: false });
  });

  afterAll(async () => {
    await server.close();
    await db.destroy();
  });

  it('no answer carries a column the contract does not declare', async () => {
    const user = newUserId();
    const notes = server.clientFor(user).notes;
    const params = { user_id: user };
    const created = await notes.create({ params, body: { body: 'hello' } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: number }).id;
    const once = { 'idempotency-key': `no-leak-${user}` };
    const keyed = await notes.create({ params, body: { body: 'once' }, headers: once });
    const replayed = await notes.create({ params, body: { body: 'once' }, headers: once });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const answers = [
      created,
      keyed,
      replayed,
      await notes.get({ params: { ...params, id } }),
      await notes.list({ params }),
      await notes.update({ params: { ...params, id }, body: { body: 'again', pinned: true } }),
      await notes.patch({ params: { ...params, id }, body: { pinned: false } }),
    ];
    const keys = ['body', 'created_at', 'id', 'pinned', 'updated_at', 'user_id', 'version'];
    for (const answer of answers) {
      expect(answer.status).toBeLessThan(300);
      const items =
        'notes' in (answer.body as object)
          ? (answer.body as { notes: object[] }).notes
          : [answer.body as object];
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(keys);
    }
    expect(JSON.stringify(answers.map((answer) => answer.body))).not.toContain('leaked');
  });
});
