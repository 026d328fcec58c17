import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../../test/harness.js';
import { openDatabase } from '../database.js';
import { migrateToLatest } from '../migrate.js';
import type { Db } from '../schema.js';

/**
 * The run's PostgreSQL server, with a database of this file's own (it alters a table): reached
 * directly, not through a pooler the run may go through, which may not keep named statements.
 */
async function onServer(statement: string): Promise<void> {
  const server = inject('postgresDirectUrl');
  if (server === null) throw new Error('needs PostgreSQL');
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

const scratchName = `enclave_prepared_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;

async function scratchDatabase(): Promise<string> {
  await onServer(`create database ${scratchName}`);
  const url = new URL(inject('postgresDirectUrl')!);
  url.pathname = `/${scratchName}`;
  return url.toString();
}

describe('named prepared statements', () => {
  let db: Db;
  let server: TestServer;
  let inspect: pg.Client;

  beforeAll(async () => {
    const url = await scratchDatabase();
    ({ db } = await openDatabase({ url, dataDir: '', poolMax: 1, preparedStatements: true }));
    await migrateToLatest(db);
    server = await startTestServer({ db });
    inspect = new pg.Client({ connectionString: url });
    await inspect.connect();
  });

  afterAll(async () => {
    await inspect.end();
    await server.close();
    await db.destroy();
    await onServer(`drop database if exists ${scratchName}`);
  });

  const preparedOnServer = async () =>
    (await sql<{ name: string }>`select name from pg_prepared_statements`.execute(db)).rows.map(
      (row) => row.name,
    );

  it('are prepared once per connection and reused by the hot queries', async () => {
    const user = newUserId();
    const notes = server.clientFor(user).notes;
    const created = await notes.create({ params: { user_id: user }, body: { body: 'hi' } });
    const id = (created.body as { id: number }).id;
    for (let i = 0; i < 3; i += 1) {
      expect((await notes.get({ params: { user_id: user, id } })).status).toBe(200);
    }
    const names = await preparedOnServer();
    expect(names.filter((name) => name.startsWith('enclave_')).length).toBeGreaterThanOrEqual(2);
  });

  it('survive a migration that changes what a statement returns', async () => {
    const user = newUserId();
    const notes = server.clientFor(user).notes;
    const created = await notes.create({ params: { user_id: user }, body: { body: 'before' } });
    const id = (created.body as { id: number }).id;
    expect((await notes.get({ params: { user_id: user, id } })).status).toBe(200);
    // Another process migrates: the column's type changes under the prepared statement.
    await inspect.query('alter table notes alter column body type varchar(20000)');
    const after = await notes.get({ params: { user_id: user, id } });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id, body: 'before' });
  });
});
