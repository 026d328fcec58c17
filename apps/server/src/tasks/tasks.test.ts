import type { Client, Project, Task } from '@enclave/client';
import { resources } from '@enclave/contract';
import { describe, expect, it } from 'vitest';
import { resourceTestContext } from '../../test/resource-suite.js';
import { expectInvalid, type Item } from '../../test/resource-fixtures.js';
import { newUserId } from '../../test/harness.js';

const suite = resourceTestContext(resources.tasks);
const server = () => suite.server();
const { stored, storedFor } = suite.fixtures;

interface User {
  id: string;
  client: Client;
}

function newUser(): User {
  const id = newUserId();
  return { id, client: server().clientFor(id) };
}

async function createProject(user: User, name = 'Work'): Promise<Project> {
  const reply = await user.client.projects.create({ params: { user_id: user.id }, body: { name } });
  if (reply.status !== 201) throw new Error(`project create answered ${reply.status}`);
  return reply.body;
}

async function createTask(user: User, body: Parameters<Client['tasks']['create']>[0]['body']) {
  const reply = await user.client.tasks.create({ params: { user_id: user.id }, body });
  if (reply.status !== 201) throw new Error(`task create answered ${reply.status}`);
  return reply.body;
}

describe('tasks in projects', () => {
  it("files a task under one of the owner's projects, on create, PUT and PATCH", async () => {
    const user = newUser();
    const [home, work] = [await createProject(user, 'Home'), await createProject(user, 'Work')];
    const task = await createTask(user, { title: 'Paint', project_id: home.id });
    expect(task.project_id).toBe(home.id);
    const params = { user_id: user.id, id: task.id };
    const put = await user.client.tasks.update({
      params,
      body: { title: 'Paint', description: null, complete: false, project_id: work.id },
    });
    expect(put.body).toMatchObject({ project_id: work.id });
    const patched = await user.client.tasks.patch({ params, body: { project_id: null } });
    expect(patched.body).toMatchObject({ project_id: null });
    expect(await stored(task.id)).toEqual(patched.body);
  });

  it("answers the same 400 naming project_id for another user's project and a missing one", async () => {
    const owner = newUser();
    const intruder = newUser();
    const theirs = await createProject(owner, 'Secret');
    const mine = await createTask(intruder, { title: 'Mine' });
    const missing = theirs.id + 1_000_000;
    const messages = [];
    for (const project_id of [theirs.id, missing]) {
      const params = { user_id: intruder.id };
      const replies = [
        await intruder.client.tasks.create({ params, body: { title: 'Spy', project_id } }),
        await intruder.client.tasks.update({
          params: { ...params, id: mine.id },
          body: { title: 'Spy', description: null, complete: false, project_id },
        }),
        await intruder.client.tasks.patch({
          params: { ...params, id: mine.id },
          body: { project_id },
        }),
      ];
      for (const reply of replies) messages.push(expectInvalid(reply, ['body.project_id']));
    }
    // Identical answers: nothing tells whether the other user's project exists.
    expect(new Set(messages.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(await storedFor(intruder.id)).toEqual([mine as unknown as Item]);
  });

  it('deleting a project leaves its tasks, with project_id null, the next version, and otherwise unchanged', async () => {
    const user = newUser();
    const project = await createProject(user);
    const kept = await createProject(user, 'Kept');
    const filed = await createTask(user, { title: 'Filed', project_id: project.id });
    const other = await createTask(user, { title: 'Elsewhere', project_id: kept.id });
    const removed = await user.client.projects.remove({
      params: { user_id: user.id, id: project.id },
    });
    expect(removed.status).toBe(204);
    // A change like any other: the version moves (an old ETag no longer matches) and so
    // does updated_at (migration 0011).
    const emptied = (await stored(filed.id)) as typeof filed;
    expect(emptied).toEqual({
      ...filed,
      project_id: null,
      version: filed.version + 1,
      updated_at: emptied.updated_at,
    });
    expect(emptied.updated_at > filed.updated_at).toBe(true);
    expect(await stored(other.id)).toEqual(other);
  });

  it('lists by project_id, and project_id=null lists the tasks in no project', async () => {
    const user = newUser();
    const project = await createProject(user);
    const inside = await createTask(user, { title: 'In', project_id: project.id });
    const outside = await createTask(user, { title: 'Out' });
    const list = async (project_id: number | string | null) => {
      const reply = await user.client.tasks.list({
        params: { user_id: user.id },
        query: { project_id },
      });
      return reply.body as { tasks: Task[]; count: number };
    };
    expect(await list(project.id)).toMatchObject({ tasks: [inside], count: 1 });
    expect(await list(String(project.id))).toMatchObject({ tasks: [inside], count: 1 });
    expect(await list('null')).toMatchObject({ tasks: [outside], count: 1 });
    expect(await list(project.id + 1_000_000)).toMatchObject({ tasks: [], count: 0 });
    const bad = await user.client.tasks.list({
      params: { user_id: user.id },
      query: { project_id: 'x' },
    });
    expectInvalid(bad, ['query.project_id']);
  });
});

describe('clients written before projects keep working', () => {
  it('a PUT without project_id replaces the rest and keeps the project', async () => {
    const user = newUser();
    const project = await createProject(user);
    const task = await createTask(user, { title: 'Old', project_id: project.id });
    const reply = await server().fetch(`/api/${user.id}/tasks/${task.id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${server().tokenFor(user.id)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'New', description: 'd', complete: true }),
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({
      title: 'New',
      description: 'd',
      complete: true,
      project_id: project.id,
    });
  });
});

// Real PostgreSQL runs these requests on separate connections at once; the embedded database
// serialises them. Either way the outcome must be one that some serial order produces.
describe('concurrent writes to one task', () => {
  const N = 10;

  it('of N concurrent DELETEs exactly one answers 204 and the rest 404', async () => {
    const user = newUser();
    const { id } = await createTask(user, { title: 'Once' });
    const replies = await Promise.all(
      Array.from({ length: N }, () =>
        user.client.tasks.remove({ params: { user_id: user.id, id } }),
      ),
    );
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([204, ...Array<number>(N - 1).fill(404)]);
    expect(await stored(id)).toBeUndefined();
  });

  it('concurrent PUTs leave exactly one of the bodies, never a mix of fields', async () => {
    const user = newUser();
    const { id } = await createTask(user, { title: 'Contended' });
    const bodies = Array.from({ length: N }, (_, i) => ({
      title: `title ${i}`,
      description: i % 3 === 0 ? null : `description ${i}`,
      complete: i % 2 === 0,
    }));
    const replies = await Promise.all(
      bodies.map((body) => user.client.tasks.update({ params: { user_id: user.id, id }, body })),
    );
    replies.forEach((reply, i) => expect(reply.body).toMatchObject({ ...bodies[i], id }));
    const final = await stored(id);
    const winner = bodies.find((body) => body.title === final?.title);
    expect(winner).toBeDefined();
    expect(final).toMatchObject({ ...winner });
  });
});
