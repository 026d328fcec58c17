import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readChanges, startCursor } from '../../test/change-feed.js';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { sweepChanges } from './changes-sweep.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const user = () => {
  const id = newUserId();
  return { id, client: server.clientFor(id), params: { user_id: id } };
};

describe('the change log and the sync feed', () => {
  it('gives every write in write order, each item as it is now and none for a delete', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    const first = await client.tasks.create({ params, body: { title: 'one' } });
    const second = await client.tasks.create({ params, body: { title: 'two' } });
    if (first.status !== 201 || second.status !== 201) throw new Error('create failed');
    await client.tasks.patch({
      params: { ...params, id: first.body.id },
      body: { complete: true },
    });
    await client.tasks.remove({ params: { ...params, id: second.body.id } });
    const project = await client.projects.create({ params, body: { name: 'p' } });
    if (project.status !== 201) throw new Error('project failed');

    const { changes } = await readChanges(client, id, start);
    expect(
      changes.map(({ resource, id: itemId, op, version }) => [resource, itemId, op, version]),
    ).toEqual([
      ['tasks', first.body.id, 'created', 1],
      ['tasks', second.body.id, 'created', 1],
      ['tasks', first.body.id, 'updated', 2],
      ['tasks', second.body.id, 'deleted', 1],
      ['projects', project.body.id, 'created', 1],
    ]);
    // The item as the API shows it now: both changes of the first task carry its version 2.
    const now = await client.tasks.get({ params: { ...params, id: first.body.id } });
    expect(changes[0]!.item).toEqual(now.body);
    expect(changes[2]!.item).toEqual(now.body);
    // A deleted item is shown by no change, not even its create.
    expect(changes[1]!.item).toBeNull();
    expect(changes[3]!.item).toBeNull();
    for (const change of changes) expect(change.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it('starts from now without a cursor, and pages on with next_cursor', async () => {
    const { id, client, params } = user();
    await client.notes.create({ params, body: { body: 'before' } });
    const start = await startCursor(client, id);
    for (const body of ['a', 'b', 'c']) await client.notes.create({ params, body: { body } });
    const page = await client.changes.since({ params, query: { after: start, limit: 2 } });
    expect(page).toMatchObject({ status: 200, body: { has_more: true } });
    if (page.status !== 200) return;
    expect(page.body.changes.map((c) => (c.item as { body: string }).body)).toEqual(['a', 'b']);
    expect(page.body.next_cursor).toBe(page.body.changes[1]!.cursor);
    const rest = await client.changes.since({ params, query: { after: page.body.next_cursor } });
    expect(rest).toMatchObject({ status: 200, body: { has_more: false } });
    if (rest.status !== 200) return;
    expect(rest.body.changes.map((c) => (c.item as { body: string }).body)).toEqual(['c']);
    // Nothing new: the same cursor back, and nothing.
    const empty = await client.changes.since({ params, query: { after: rest.body.next_cursor } });
    expect(empty).toMatchObject({
      status: 200,
      body: { changes: [], has_more: false, next_cursor: rest.body.next_cursor },
    });
  });

  it("never shows another user's changes, and refuses another user's cursor", async () => {
    const alice = user();
    const bob = user();
    const aliceStart = await startCursor(alice.client, alice.id);
    const bobStart = await startCursor(bob.client, bob.id);
    await alice.client.tasks.create({ params: alice.params, body: { title: 'secret' } });
    expect((await readChanges(bob.client, bob.id, bobStart)).changes).toEqual([]);
    // Alice's cursor in Bob's hands: a 400, never Alice's changes.
    const stolen = await bob.client.changes.since({
      params: bob.params,
      query: { after: aliceStart },
    });
    expect(stolen).toMatchObject({ status: 400, body: { status_code: 400 } });
    // Bob's token on Alice's path: 403, as on every route.
    expect((await bob.client.changes.since({ params: alice.params, query: {} })).status).toBe(403);
    const anonymous = server.clientWithToken(undefined);
    expect((await anonymous.changes.since({ params: alice.params, query: {} })).status).toBe(401);
  });

  it('refuses a forged or edited cursor (400)', async () => {
    const { id, client, params } = user();
    await client.notes.create({ params, body: { body: 'so the cursor is past 0' } });
    const start = await startCursor(client, id);
    const [payload, mac] = start.split('.') as [string, string];
    const edited = `${Buffer.from(JSON.stringify([0, 1])).toString('base64url')}.${mac}`;
    for (const after of [edited, `${payload}.${'A'.repeat(43)}`, 'not-a-cursor']) {
      const answer = await client.changes.since({ params, query: { after } });
      expect(answer.status, after).toBe(400);
      expect(answer.body).toMatchObject({ error: 'Bad Request', status_code: 400 });
    }
  });

  it('shows the changes a foreign key makes: a project deleted empties its tasks', async () => {
    const { id, client, params } = user();
    const project = await client.projects.create({ params, body: { name: 'p' } });
    if (project.status !== 201) throw new Error('project failed');
    const task = await client.tasks.create({
      params,
      body: { title: 't', project_id: project.body.id },
    });
    if (task.status !== 201) throw new Error('task failed');
    const start = await startCursor(client, id);
    await client.projects.remove({ params: { ...params, id: project.body.id } });
    const { changes } = await readChanges(client, id, start);
    expect(changes.map(({ resource, op }) => [resource, op])).toEqual([
      ['projects', 'deleted'],
      ['tasks', 'updated'],
    ]);
    // The database's own write moved the task's version and time like any other write: its
    // old ETag no longer matches (no 304 for a changed item), and its change says version 2.
    expect(changes[1]).toMatchObject({ version: 2 });
    expect(changes[1]!.item).toMatchObject({ id: task.body.id, project_id: null, version: 2 });
    const taskParams = { ...params, id: task.body.id };
    const read = await client.tasks.get({
      params: taskParams,
      headers: { 'if-none-match': `"${task.body.version}"` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"2"');
    expect(read.body).toMatchObject({ project_id: null, version: 2 });
    if (read.status !== 200) throw new Error('get failed');
    expect(read.body.updated_at > task.body.updated_at).toBe(true);

    // So does a write from outside the API.
    await sql`update tasks set title = 'renamed by hand'
      where user_id = ${id} and id = ${task.body.id}`.execute(server.db);
    const after = await client.tasks.get({ params: taskParams });
    expect(after.body).toMatchObject({ title: 'renamed by hand', version: 3 });
  });

  it('answers 410 for a cursor the retention sweep has passed, and starts again from now', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    await client.tasks.create({ params, body: { title: 'old' } });
    // Age this user's changes past any retention, then sweep with a retention of an hour.
    await sql`update changes set at = now() - interval '2 hours' where user_id = ${id}`.execute(
      server.db,
    );
    expect(await sweepChanges(server.db, 3600)).toBeGreaterThanOrEqual(1);
    const gone = await client.changes.since({ params, query: { after: start } });
    expect(gone).toMatchObject({ status: 410, body: { error: 'Gone', status_code: 410 } });
    expect((gone.body as { message: string }).message).toMatch(/re-read/);
    const fresh = await startCursor(client, id);
    await client.tasks.create({ params, body: { title: 'new' } });
    const { changes } = await readChanges(client, id, fresh);
    expect(changes.map((c) => (c.item as { title: string }).title)).toEqual(['new']);
  });
});
