import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { recordedStatements } from '../../test/sql-recorder.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

describe('a list page and its count', () => {
  // The statements one list request ran, and its answer.
  const listed = async (user: string, query: Record<string, unknown>) => {
    const before = recordedStatements().length;
    const reply = await server.clientFor(user).tasks.list({ params: { user_id: user }, query });
    if (reply.status !== 200) throw new Error(`list answered ${reply.status}`);
    return { body: reply.body, statements: recordedStatements().slice(before) };
  };

  const created = async (user: string, titles: string[]) => {
    for (const title of titles) {
      const reply = await server
        .clientFor(user)
        .tasks.create({ params: { user_id: user }, body: { title } });
      if (reply.status !== 201) throw new Error(`create answered ${reply.status}`);
    }
  };

  it('come from one statement, so from one snapshot of the table', async () => {
    const user = newUserId();
    await created(user, ['one', 'two', 'three']);
    // Newest first, the default order.
    const first = await listed(user, { limit: 2 });
    expect(first.body).toMatchObject({ count: 3, tasks: [{ title: 'three' }, { title: 'two' }] });
    expect(first.statements).toHaveLength(1);
    const later = await listed(user, { limit: 2, cursor: first.body.next_cursor });
    expect(later.body).toMatchObject({ count: 3, tasks: [{ title: 'one' }], next_cursor: null });
    expect(later.statements).toHaveLength(1);
    // A search sets its own time limit first, in its transaction, then reads once.
    const whole = await listed(user, { q: 'o' });
    expect(whole.body).toMatchObject({ count: 2, tasks: [{ title: 'two' }, { title: 'one' }] });
    expect(whole.statements.map(({ sql }) => sql.split(' ').slice(0, 2).join(' '))).toEqual([
      'set local',
      'select "page"."id",',
    ]);
  });

  it('counts only when the first page is full: one that holds every match is its own count', async () => {
    const user = newUserId();
    await created(user, ['one', 'two', 'three']);
    // How often PostgreSQL ran the statement's count, by its own account of the run.
    const countRuns = async (query: Record<string, unknown>) => {
      const [statement] = (await listed(user, query)).statements;
      if (statement === undefined) throw new Error('no statement recorded');
      const { rows } = await server.db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain (analyze, costs off, timing off) ${statement.sql}`, [
          ...statement.parameters,
        ]),
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      const aggregate =
        /Aggregate \(actual rows=[\d.]+ loops=(\d+)\)|Aggregate \(never executed\)/.exec(plan);
      if (aggregate === null) throw new Error(`no count in the plan:\n${plan}`);
      return Number(aggregate[1] ?? 0);
    };
    expect(await countRuns({ limit: 3 })).toBe(0);
    expect(await countRuns({ limit: 2 })).toBe(1);
  });

  it('agree while another client keeps adding rows', async () => {
    const user = newUserId();
    const client = server.clientFor(user);
    const writes = 80;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < writes; i += 1) {
        await client.tasks.create({ params: { user_id: user }, body: { title: `task ${i}` } });
      }
      writing = false;
    })();
    // Every row fits one page (limit 100 > writes), so a count that differs from the page's
    // length can only come from reading the two at different moments.
    const disagreements: { count: number; items: number }[] = [];
    let lists = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const reply = await client.tasks.list({ params: { user_id: user }, query: { limit: 100 } });
        if (reply.status !== 200) throw new Error(`list answered ${reply.status}`);
        lists += 1;
        const { count, tasks } = reply.body;
        if (count !== tasks.length) disagreements.push({ count: count ?? -1, items: tasks.length });
      }
    });
    await Promise.all([writer, ...readers]);
    expect(lists).toBeGreaterThan(writes / 4);
    expect(disagreements).toEqual([]);
  });

  it('an empty page still carries the count (a list with nothing, a cursor at the end)', async () => {
    const user = newUserId();
    const client = server.clientFor(user);
    const empty = await client.tasks.list({ params: { user_id: user } });
    expect(empty.body).toEqual({ tasks: [], count: 0, next_cursor: null });
    const created = [];
    for (const title of ['oldest', 'middle', 'newest']) {
      const reply = await client.tasks.create({ params: { user_id: user }, body: { title } });
      if (reply.status !== 201) throw new Error(`create answered ${reply.status}`);
      created.push(reply.body);
    }
    const first = await client.tasks.list({ params: { user_id: user }, query: { limit: 2 } });
    if (first.status !== 200 || first.body.next_cursor === null) throw new Error('no cursor');
    // The only row after the cursor goes before the next page is read.
    await client.tasks.remove({ params: { user_id: user, id: created[0]!.id } });
    const after = await client.tasks.list({
      params: { user_id: user },
      query: { limit: 2, cursor: first.body.next_cursor },
    });
    expect(after.body).toEqual({ tasks: [], count: 2, next_cursor: null });
  });
});
