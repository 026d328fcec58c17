import type { Client, ErrorBody, Task, TaskCreate, TaskPatch, TaskReplace } from '@enclave/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { toTask } from './tasks.repository.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface User {
  id: string;
  client: Client;
}
interface Reply {
  status: number;
  body: unknown;
  headers: Headers;
}

function newUser(): User {
  const id = newUserId();
  return { id, client: server.clientFor(id) };
}

async function createTask(user: User, body: TaskCreate = { title: 'Buy milk' }): Promise<Task> {
  const res = await user.client.tasks.create({ params: { user_id: user.id }, body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}`);
  return res.body;
}

// Read straight from the table, not through the API or by owner, so a check of "nothing
// changed" cannot be fooled by the code under test.
async function stored(id: number): Promise<Task | undefined> {
  const row = await server.db
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toTask(row);
}

async function storedFor(owner: string): Promise<Task[]> {
  const rows = await server.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', owner)
    .orderBy('id')
    .execute();
  return rows.map(toTask);
}

// Moves both timestamps an hour back, so "updated_at advanced" holds however fast the clock
// ticks (the embedded database's clock is coarse enough for two writes to share an instant).
async function backdate(id: number): Promise<Task> {
  await sql`update tasks set created_at = created_at - interval '1 hour',
    updated_at = updated_at - interval '1 hour' where id = ${id}`.execute(server.db);
  const task = await stored(id);
  if (task === undefined) throw new Error(`task ${id} vanished`);
  return task;
}

function expectError(res: Reply, status: number): ErrorBody {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    error: expect.any(String) as string,
    message: expect.any(String) as string,
    status_code: status,
  });
  return res.body as ErrorBody;
}

/** A 400 in the API's format whose `details` name exactly `paths` (each may repeat). */
function expectInvalid(res: Reply, paths: string[]): ErrorBody {
  expect(res.status).toBe(400);
  const body = res.body as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['details', 'error', 'message', 'status_code']);
  expect(body).toMatchObject({ error: 'Bad Request', status_code: 400 });
  const named = new Set(body.details?.map((detail) => detail.path));
  expect([...named].sort()).toEqual([...paths].sort());
  for (const path of paths) expect(body.message).toContain(path);
  return body;
}

function expectTimestamp(value: string) {
  expect(value).toMatch(/Z$/);
  expect(new Date(value).toISOString()).toBe(value);
}

const intruderBody: TaskReplace = { title: 'Intruder', description: 'x', complete: true };

// Every route, called as `client` on `user_id`'s path; `id` is used by the item routes.
const verbs = {
  list: (client: Client, user_id: string) => client.tasks.list({ params: { user_id } }),
  create: (client: Client, user_id: string) =>
    client.tasks.create({ params: { user_id }, body: intruderBody }),
  get: (client: Client, user_id: string, id: number) =>
    client.tasks.get({ params: { user_id, id } }),
  put: (client: Client, user_id: string, id: number) =>
    client.tasks.update({ params: { user_id, id }, body: intruderBody }),
  patch: (client: Client, user_id: string, id: number) =>
    client.tasks.patch({ params: { user_id, id }, body: { title: 'Intruder' } }),
  delete: (client: Client, user_id: string, id: number) =>
    client.tasks.remove({ params: { user_id, id } }),
} satisfies Record<string, (client: Client, userId: string, id: number) => Promise<Reply>>;
const allVerbs = Object.keys(verbs) as (keyof typeof verbs)[];
const itemVerbs = ['get', 'put', 'patch', 'delete'] as const;

describe('task endpoints', () => {
  it('creates a task with defaults: 201, description null, complete false', async () => {
    const a = newUser();
    const res = await a.client.tasks.create({ params: { user_id: a.id }, body: { title: 'Milk' } });
    expect(res.status).toBe(201);
    const task = res.body as Task;
    expect(task).toEqual({
      id: expect.any(Number) as number,
      user_id: a.id,
      title: 'Milk',
      description: null,
      complete: false,
      created_at: expect.any(String) as string,
      updated_at: task.created_at,
    });
    expect(Number.isSafeInteger(task.id) && task.id > 0).toBe(true);
    expectTimestamp(task.created_at);
    expect(await stored(task.id)).toEqual(task);
  });

  it('creates a task with every field, at the length limits', async () => {
    const a = newUser();
    const body = { title: 't'.repeat(200), description: 'd'.repeat(1000), complete: true };
    const task = await createTask(a, body);
    expect(task).toMatchObject({ ...body, user_id: a.id });
    expect(await stored(task.id)).toEqual(task);
  });

  it('counts characters as the database does: 200 emoji are a valid title, 201 are not', async () => {
    const user = newUser();
    const emoji = '\u{1F680}'; // one character, two UTF-16 code units
    const created = await createTask(user, { title: emoji.repeat(200) });
    expect((await stored(created.id))?.title).toBe(emoji.repeat(200));
    const tooLong = await user.client.tasks.create({
      params: { user_id: user.id },
      body: { title: emoji.repeat(201) },
    });
    expect(tooLong.status).toBe(400);
  });

  it('refuses a lone surrogate at the length limit instead of storing a changed title', async () => {
    const user = newUser();
    const reply = await server.fetch(`/api/${user.id}/tasks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.tokenFor(user.id)}`,
        'content-type': 'application/json',
      },
      body: `{"title": "${'t'.repeat(200)}\\udc00"}`,
    });
    expect(reply.status).toBe(400);
    const list = await user.client.tasks.list({ params: { user_id: user.id } });
    expect(list.status === 200 && list.body.count).toBe(0);
  });

  it('gets a task: 200 with the stored task', async () => {
    const a = newUser();
    const task = await createTask(a, { title: 'Read', description: 'a book' });
    const res = await a.client.tasks.get({ params: { user_id: a.id, id: task.id } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(task);
  });

  it("lists the caller's tasks, never another user's, in id order with their count", async () => {
    const a = newUser();
    const b = newUser();
    expect((await a.client.tasks.list({ params: { user_id: a.id } })).body).toEqual({
      tasks: [],
      count: 0,
    });
    const first = await createTask(a, { title: 'one' });
    await createTask(b, { title: 'not yours' });
    const second = await createTask(a, { title: 'two', complete: true });
    const third = await createTask(a, { title: 'three' });
    const res = await a.client.tasks.list({ params: { user_id: a.id } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tasks: [first, second, third], count: 3 });
  });

  it('PUT replaces every field, keeps created_at and advances updated_at', async () => {
    const a = newUser();
    const { id } = await createTask(a, { title: 'old', description: 'old text' });
    const before = await backdate(id);
    const body = { title: 'new', description: null, complete: true };
    const res = await a.client.tasks.update({ params: { user_id: a.id, id }, body });
    expect(res.status).toBe(200);
    const task = res.body as Task;
    expect(task).toMatchObject({ ...body, id, user_id: a.id, created_at: before.created_at });
    expectTimestamp(task.updated_at);
    expect(Date.parse(task.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect(await stored(id)).toEqual(task);
  });

  it('PATCH changes only the fields sent and advances updated_at', async () => {
    const a = newUser();
    const created = await createTask(a, { title: 'keep', description: 'text' });
    const { id } = created;
    const before = await backdate(id);
    const res = await a.client.tasks.patch({
      params: { user_id: a.id, id },
      body: { complete: true },
    });
    expect(res.status).toBe(200);
    const task = res.body as Task;
    expect(task).toMatchObject({ title: 'keep', description: 'text', complete: true });
    expect(task.created_at).toBe(before.created_at);
    expect(Date.parse(task.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));

    const again = await backdate(id);
    const cleared = await a.client.tasks.patch({
      params: { user_id: a.id, id },
      body: { description: null },
    });
    expect(cleared.body).toMatchObject({ title: 'keep', description: null, complete: true });
    expect(Date.parse((cleared.body as Task).updated_at)).toBeGreaterThan(
      Date.parse(again.updated_at),
    );
    expect(await stored(id)).toEqual(cleared.body);
  });

  it('DELETE answers 204, then the task is gone: GET and DELETE answer 404', async () => {
    const a = newUser();
    const { id } = await createTask(a);
    const params = { user_id: a.id, id };
    expect((await a.client.tasks.remove({ params })).status).toBe(204);
    expect(await stored(id)).toBeUndefined();
    expect(expectError(await a.client.tasks.get({ params }), 404).message).toBe('Task not found');
    expectError(await a.client.tasks.remove({ params }), 404);
  });

  it('answers 404 for an id that was never issued and 400 for a malformed id', async () => {
    const a = newUser();
    expectError(await a.client.tasks.get({ params: { user_id: a.id, id: 9_007_199_254 } }), 404);
    expectInvalid(await a.client.tasks.get({ params: { user_id: a.id, id: 'abc' } }), ['path.id']);
    expectInvalid(await a.client.tasks.get({ params: { user_id: a.id, id: '0' } }), ['path.id']);
  });
});

type Write = 'POST' | 'PUT' | 'PATCH';

function write(user: User, id: number, method: Write, body: unknown) {
  const params = { user_id: user.id, id };
  if (method === 'POST') return user.client.tasks.create({ params, body: body as TaskCreate });
  if (method === 'PUT') return user.client.tasks.update({ params, body: body as TaskReplace });
  return user.client.tasks.patch({ params, body: body as TaskPatch });
}

const x = (length: number) => 'x'.repeat(length);
const everyField = ['body.title', 'body.description', 'body.complete'];

// Bodies the types forbid, sent as given: [method, case, body, paths `details` must name].
const invalidWrites: [Write, string, unknown, string[]][] = [
  ['POST', 'an empty title', { title: '' }, ['body.title']],
  ['POST', 'a 201-character title', { title: x(201) }, ['body.title']],
  [
    'POST',
    'a 1001-character description',
    { title: 'a', description: x(1001) },
    ['body.description'],
  ],
  ['POST', 'no title', { description: 'untitled' }, ['body.title']],
  ['POST', 'wrong types', { title: 7, description: false, complete: 'yes' }, everyField],
  ['POST', 'an unknown field', { title: 'ok', priority: 'high' }, ['body']],
  ['POST', 'an owner in the body', { title: 'ok', user_id: 'someone-else' }, ['body']],
  ['PUT', 'no description', { title: 'new', complete: true }, ['body.description']],
  ['PUT', 'only a title', { title: 'new' }, ['body.description', 'body.complete']],
  ['PUT', 'an empty title', { title: '', description: null, complete: true }, ['body.title']],
  [
    'PUT',
    'a 201-character title',
    { title: x(201), description: null, complete: false },
    ['body.title'],
  ],
  ['PUT', 'wrong types', { title: null, description: 1, complete: 0 }, everyField],
  ['PUT', 'an unknown field', { title: 'new', description: null, complete: true, id: 1 }, ['body']],
  ['PATCH', 'an empty object', {}, ['body']],
  ['PATCH', 'an empty title', { title: '' }, ['body.title']],
  ['PATCH', 'a 1001-character description', { description: x(1001) }, ['body.description']],
  [
    'PATCH',
    'a null title, a string complete',
    { title: null, complete: 'true' },
    ['body.title', 'body.complete'],
  ],
  ['PATCH', 'an unknown field', { done: true }, ['body']],
];

describe('validation', () => {
  it.each(invalidWrites)(
    '%s with %s is 400 naming the field; nothing changes',
    async (method, _, body, paths) => {
      const a = newUser();
      const task = await createTask(a, { title: 'old', description: 'text' });
      expectInvalid(await write(a, task.id, method, body), paths);
      expect(await storedFor(a.id)).toEqual([task]);
    },
  );

  it('names an unknown field in the message of its detail', async () => {
    const a = newUser();
    const res = await write(a, 1, 'POST', { title: 'ok', priority: 'high' });
    expect(expectInvalid(res, ['body']).details?.[0]?.message).toContain('priority');
  });
});

describe('user isolation', () => {
  it.each(itemVerbs)(
    "%s on another user's task through one's own path is 404; it is unchanged",
    async (verb) => {
      const a = newUser();
      const b = newUser();
      const task = await createTask(a, { title: "A's", description: 'private' });
      const res = await verbs[verb](b.client, b.id, task.id);
      expect(expectError(res, 404).message).toBe('Task not found');
      expect(await stored(task.id)).toEqual(task);
      expect(await storedFor(b.id)).toEqual([]);
    },
  );

  it.each(allVerbs)("%s on another user's path is 403 and changes nothing", async (verb) => {
    const a = newUser();
    const b = newUser();
    const task = await createTask(a, { title: "A's", description: 'private' });
    expectError(await verbs[verb](b.client, a.id, task.id), 403);
    expect(await storedFor(a.id)).toEqual([task]);
    expect(await storedFor(b.id)).toEqual([]);
  });
});

describe('authentication', () => {
  const expired = (userId: string) =>
    server.tokenFor(userId, { exp: Math.floor(Date.now() / 1000) - 60 });
  const cases = allVerbs.flatMap((verb) => [
    [verb, 'no token', /^Bearer /] as const,
    [verb, 'an expired token', /^Bearer .*error="invalid_token"/] as const,
  ]);

  it.each(cases)(
    '%s with %s is 401 with a Bearer challenge; nothing changes',
    async (verb, kind, challenge) => {
      const a = newUser();
      const task = await createTask(a);
      const client = server.clientWithToken(kind === 'no token' ? undefined : expired(a.id));
      const res = await verbs[verb](client, a.id, task.id);
      expectError(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(challenge);
      expect(await storedFor(a.id)).toEqual([task]);
    },
  );
});

// Real PostgreSQL runs these requests on separate connections at once; the embedded database
// serialises them. Either way the outcome must be one that some serial order produces.
describe('concurrent writes to one task', () => {
  const N = 10;

  it('of N concurrent DELETEs exactly one answers 204 and the rest 404', async () => {
    const a = newUser();
    const { id } = await createTask(a);
    const replies = await Promise.all(
      Array.from({ length: N }, () => a.client.tasks.remove({ params: { user_id: a.id, id } })),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([204, ...Array<number>(N - 1).fill(404)]);
    expect(await stored(id)).toBeUndefined();
  });

  it('concurrent PUTs leave exactly one of the bodies, never a mix of fields', async () => {
    const a = newUser();
    const { id } = await createTask(a);
    const bodies = Array.from({ length: N }, (_, i) => ({
      title: `title ${i}`,
      description: i % 3 === 0 ? null : `description ${i}`,
      complete: i % 2 === 0,
    }));
    const replies = await Promise.all(
      bodies.map((body) => a.client.tasks.update({ params: { user_id: a.id, id }, body })),
    );
    replies.forEach((reply, i) => expect(reply.body).toMatchObject({ ...bodies[i], id }));
    const final = await stored(id);
    const winner = bodies.find((body) => body.title === final?.title);
    expect(winner).toBeDefined();
    expect(final).toMatchObject({ ...winner });
  });

  it('concurrent PATCHes of different fields all apply', async () => {
    const a = newUser();
    const tasks = await Promise.all(
      Array.from({ length: 5 }, (_, i) => createTask(a, { title: `t${i}`, description: 'old' })),
    );
    const patch = (id: number, body: TaskPatch) =>
      a.client.tasks.patch({ params: { user_id: a.id, id }, body });
    const replies = await Promise.all(
      tasks.flatMap(({ id }) => [
        patch(id, { title: `renamed ${id}` }),
        patch(id, { description: `described ${id}` }),
        patch(id, { complete: true }),
      ]),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array<number>(15).fill(200));
    for (const { id } of tasks) {
      expect(await stored(id)).toMatchObject({
        title: `renamed ${id}`,
        description: `described ${id}`,
        complete: true,
      });
    }
  });
});
