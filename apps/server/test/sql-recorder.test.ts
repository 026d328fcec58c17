import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from './harness.js';
import { recordedStatements } from './sql-recorder.js';

// The owner-scope check after every test file is only as good as what it is shown: here, that
// the server's statements reach it, each run with the values of its own request, although the
// server compiles each statement once and reruns it.
describe('the statement recorder', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  const since = (start: number) => recordedStatements().slice(start);

  it('records each run of a compiled statement with the values it ran with', async () => {
    const [alice, bob] = [newUserId(), newUserId()];
    for (const user of [alice, bob]) {
      const tasks = server.clientFor(user).tasks;
      const created = await tasks.create({ params: { user_id: user }, body: { title: 'x' } });
      expect(created.status).toBe(201);
      const id = (created.body as { id: number }).id;
      const start = recordedStatements().length;
      expect((await tasks.get({ params: { user_id: user, id } })).status).toBe(200);
      const [select] = since(start);
      expect(select?.sql).toMatch(/^select .* from "tasks" where "user_id" = \$1 and "id" = \$2$/);
      expect(select?.parameters).toEqual([user, id]);
      const patched = await tasks.patch({
        params: { user_id: user, id },
        body: { complete: true },
      });
      expect(patched.status).toBe(200);
      expect(since(start)).toHaveLength(2);
      // The owner once more: the write takes the owner's change-log lock in its WHERE.
      expect(since(start)[1]?.parameters).toEqual([true, user, id, user]);
    }
  });

  it('records a list with its values, the count and the page each with the owner', async () => {
    const user = newUserId();
    const start = recordedStatements().length;
    const listed = await server.clientFor(user).tasks.list({
      params: { user_id: user },
      query: { complete: false, q: '50%' },
    });
    expect(listed.status).toBe(200);
    // A search sets its time limit first, then reads.
    const [limit, statement] = since(start);
    expect(limit?.sql).toBe('set local statement_timeout = 500');
    // The search pattern once per searchable field (title, description).
    const matching = [user, false, '%50\\%%', '%50\\%%'];
    // The page's size (51: one more than the default limit) decides whether the count runs.
    expect(statement?.parameters).toEqual([51, ...matching, ...matching, 51]);
  });
});
