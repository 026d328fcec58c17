import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newUserId } from '../../test/harness.js';
import { openTestDatabase } from '../../test/database.js';
import { describeUrl, openDatabase } from './database.js';
import { migrateDown, migrateToLatest, migrationNames } from './migrate.js';
import type { Database, Db } from './schema.js';

function openInMemory() {
  return openDatabase({ url: undefined, dataDir: 'memory://', poolMax: 1 });
}

async function tableExists<T>(db: Kysely<T>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from information_schema.tables where table_schema = 'public' and table_name = ${name}
    ) as found
  `.execute(db);
  return rows[0]?.found === true;
}

async function titlesOf(db: Kysely<Database>, owner: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tasks')
    .select('title')
    .where('user_id', '=', owner)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.title);
}

describe('migrations', () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await openInMemory());
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('go up, stay up, come down and go up again', async () => {
    expect(await tableExists(db, 'tasks')).toBe(false);

    const names = await migrationNames();
    expect(names.slice(0, 4)).toEqual([
      '0001-create-tasks',
      '0002-create-projects',
      '0003-tasks-in-projects',
      '0004-create-notes',
    ]);
    const first = await migrateToLatest(db);
    expect(first.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
      names.map((name) => [name, 'Up', 'Success']),
    );
    for (const table of ['tasks', 'projects', 'notes']) {
      expect(await tableExists(db, table)).toBe(true);
    }

    expect(await migrateToLatest(db)).toEqual([]);

    // Every migration comes down cleanly, newest first.
    for (const name of [...names].reverse()) {
      const down = await migrateDown(db);
      expect(down.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
        [name, 'Down', 'Success'],
      ]);
    }
    for (const table of ['tasks', 'projects', 'notes']) {
      expect(await tableExists(db, table)).toBe(false);
    }

    const again = await migrateToLatest(db);
    expect(again.map((r) => r.status)).toEqual(names.map(() => 'Success'));
    expect(await tableExists(db, 'notes')).toBe(true);
  });

  it('create a table that enforces the limits the API promises', async () => {
    await migrateToLatest(db);
    const owner = newUserId();
    const row = await db
      .insertInto('tasks')
      .values({ user_id: owner, title: 'x', description: null })
      .returning(['id', 'complete', 'created_at', 'updated_at'])
      .executeTakeFirstOrThrow();
    expect(row.complete).toBe(false);
    expect(row.created_at).toBeInstanceOf(Date);
    expect(row.updated_at.getTime()).toBe(row.created_at.getTime());
    for (const values of [
      { user_id: owner, title: '' },
      { user_id: owner, title: 'x'.repeat(201) },
      { user_id: owner, title: 'x', description: 'x'.repeat(1001) },
      { user_id: '', title: 'x' },
    ]) {
      await expect(db.insertInto('tasks').values(values).execute()).rejects.toThrow(/check/);
    }
    expect(await titlesOf(db, owner)).toEqual(['x']);
  });

  it('apply once when two runs race on one database', async () => {
    const { db: racing } = await openInMemory();
    try {
      const results = await Promise.all([migrateToLatest(racing), migrateToLatest(racing)]);
      expect(results.map((applied) => applied.length).sort()).toEqual([
        0,
        (await migrationNames()).length,
      ]);
      expect(await tableExists(racing, 'tasks')).toBe(true);
    } finally {
      await racing.destroy();
    }
  });

  it('report a failing migration instead of passing silently', async () => {
    const { db: broken } = await openInMemory();
    try {
      // A table of that name already there makes the first migration's CREATE fail.
      await sql`create table tasks (id int)`.execute(broken);
      await expect(migrateToLatest(broken)).rejects.toThrow(/tasks/);
    } finally {
      await broken.destroy();
    }
  });
});

// The embedded driver is written here rather than taken from a library, so it is checked on the
// points the repository relies on; the run's own database is checked alongside for comparison.
describe.each([
  ['the embedded database', true],
  ['the run database', false],
])('transactions and row counts on %s', (_name, embedded) => {
  let db: Db;

  beforeAll(async () => {
    if (embedded) {
      ({ db } = await openInMemory());
      await migrateToLatest(db);
    } else {
      db = await openTestDatabase();
    }
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('commits a transaction that returns', async () => {
    const owner = newUserId();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('tasks').values({ user_id: owner, title: 'one' }).execute();
      await trx.insertInto('tasks').values({ user_id: owner, title: 'two' }).execute();
    });
    expect(await titlesOf(db, owner)).toEqual(['one', 'two']);
  });

  it('rolls back every statement of a transaction that throws', async () => {
    const owner = newUserId();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('tasks').values({ user_id: owner, title: 'doomed' }).execute();
        expect(await titlesOf(trx, owner)).toEqual(['doomed']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await titlesOf(db, owner)).toEqual([]);
  });

  it('keeps a query from outside a transaction out of it', async () => {
    const owner = newUserId();
    let seenOutside: Promise<string[]> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('tasks').values({ user_id: owner, title: 'uncommitted' }).execute();
        // On the embedded database, which is one session, this query would run inside the
        // transaction (and see its row) if the driver let it in before the transaction ended.
        seenOutside = titlesOf(db, owner);
        await trx.insertInto('tasks').values({ user_id: owner, title: 'also' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await seenOutside).toEqual([]);
    expect(await titlesOf(db, owner)).toEqual([]);
  });

  it('counts the rows a write changed, which the repository reads as found or not', async () => {
    const owner = newUserId();
    const inserted = await db
      .insertInto('tasks')
      .values([
        { user_id: owner, title: 'a' },
        { user_id: owner, title: 'b' },
      ])
      .executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);

    const updated = await db
      .updateTable('tasks')
      .set({ complete: true })
      .where('user_id', '=', owner)
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);

    const deleted = await db
      .deleteFrom('tasks')
      .where('user_id', '=', owner)
      .where('title', '=', 'a')
      .executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    const none = await db
      .deleteFrom('tasks')
      .where('user_id', '=', owner)
      .where('title', '=', 'a')
      .executeTakeFirst();
    expect(none.numDeletedRows).toBe(0n);
  });

  it('returns timestamps as dates and booleans as booleans', async () => {
    const row = await db
      .insertInto('tasks')
      .values({ user_id: newUserId(), title: 't', complete: true })
      .returning(['id', 'complete', 'created_at'])
      .executeTakeFirstOrThrow();
    expect(row.complete).toBe(true);
    expect(row.created_at).toBeInstanceOf(Date);
    expect(Number.isSafeInteger(Number(row.id))).toBe(true);
  });
});

describe('describeUrl', () => {
  it('keeps host, port and database and drops user and password', () => {
    const described = describeUrl('postgres://alice:s3cr%40t@db.example.com:6543/app');
    expect(described).toBe('db.example.com:6543/app');
    expect(described).not.toContain('alice');
    expect(described).not.toContain('s3cr');
  });

  it('names the default port when the URL has none', () => {
    expect(describeUrl('postgresql://bob:pw@localhost/enclave')).toBe('localhost:5432/enclave');
  });

  it('drops query parameters, which can carry a password too', () => {
    expect(describeUrl('postgres://db.internal:5432/app?user=x&password=hunter2')).toBe(
      'db.internal:5432/app',
    );
  });

  it('is what openDatabase reports for a PostgreSQL URL, without connecting', async () => {
    const { db, description } = await openDatabase({
      url: 'postgres://alice:hunter2@db.example.com:6543/app',
      dataDir: '',
      poolMax: 1,
    });
    await db.destroy();
    expect(description).toBe('postgresql db.example.com:6543/app');
  });
});

describe('embedded database on disk', () => {
  const scratch: string[] = [];

  afterEach(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its data across close and reopen, in a folder it creates', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'enclave-db-test-'));
    scratch.push(root);
    const dataDir = path.join(root, 'nested', 'data');
    const owner = newUserId();

    const first = await openDatabase({ url: undefined, dataDir, poolMax: 1 });
    expect(first.description).toBe(`embedded at ${dataDir}`);
    await migrateToLatest(first.db);
    await first.db.insertInto('tasks').values({ user_id: owner, title: 'kept' }).execute();
    await first.db.destroy();

    const second = await openDatabase({ url: undefined, dataDir, poolMax: 1 });
    try {
      expect(await migrateToLatest(second.db)).toEqual([]);
      expect(await titlesOf(second.db, owner)).toEqual(['kept']);
    } finally {
      await second.db.destroy();
    }
  });

  it('keeps nothing when in memory', async () => {
    const owner = newUserId();
    const first = await openInMemory();
    expect(first.description).toBe('embedded (in memory)');
    await migrateToLatest(first.db);
    await first.db.insertInto('tasks').values({ user_id: owner, title: 'gone' }).execute();
    await first.db.destroy();

    const second = await openInMemory();
    try {
      expect(await tableExists(second.db, 'tasks')).toBe(false);
    } finally {
      await second.db.destroy();
    }
  });
});
