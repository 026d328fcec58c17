import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { expectError } from '../../test/resource-fixtures.js';

// A search reads every row of the owner's that its filters leave; SEARCH_TIMEOUT_MS bounds it
// apart from the other statements. PostgreSQL only: the embedded database has no timer that
// could cancel a statement.

let server: TestServer;
const owner = newUserId();

// The owner's rows, written and removed apart from the server's pool, whose every statement is
// bounded, in a transaction that lifts the bound (a pooled run sets one on the database).
async function direct(statement: string) {
  const client = new pg.Client({ connectionString: inject('databaseUrl') ?? undefined });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('set local statement_timeout = 0');
    await client.query(statement, [owner]);
    await client.query('commit');
  } finally {
    await client.end();
  }
}
beforeAll(async () => {
  server = await startTestServer({ searchTimeoutMs: 20 });
  await direct(
    `insert into tasks (user_id, title, description)
     select $1, 'task ' || n, repeat('lorem ipsum ', 20) || n
     from generate_series(1, 200000) as n`,
  );
});
afterAll(async () => {
  await direct('delete from tasks where user_id = $1');
  await server.close();
});

describe('a search', () => {
  it('that runs past SEARCH_TIMEOUT_MS answers 503, and other lists of the owner still answer', async () => {
    const tasks = server.clientFor(owner).tasks;
    const searched = await tasks.list({
      params: { user_id: owner },
      query: { q: 'no such words' },
    });
    expectError(searched, 503);
    expect(searched.headers.get('retry-after')).toMatch(/^\d+$/);
    const listed = await tasks.list({
      params: { user_id: owner },
      query: { count: 'none', limit: 5 },
    });
    expect(listed.status).toBe(200);
  });
});
