import type { Client, Project } from '@enclave/client';
import { resources } from '@enclave/contract';
import { describe, expect, it } from 'vitest';
import { resourceTestContext } from '../../test/resource-suite.js';
import { expectError } from '../../test/resource-fixtures.js';
import { newUserId } from '../../test/harness.js';

const suite = resourceTestContext(resources.projects);
const { stored, storedFor } = suite.fixtures;

interface User {
  id: string;
  client: Client;
}

function newUser(): User {
  const id = newUserId();
  return { id, client: suite.server().clientFor(id) };
}

async function createProject(user: User, name: string): Promise<Project> {
  const reply = await user.client.projects.create({ params: { user_id: user.id }, body: { name } });
  if (reply.status !== 201) throw new Error(`create answered ${reply.status}`);
  return reply.body;
}

function expectConflict(reply: { status: number; body: unknown; headers: Headers }) {
  const body = expectError(reply, 409);
  expect(body).toEqual({
    error: 'Conflict',
    message: 'Conflict: body.name is already the name of another of your projects',
    status_code: 409,
    details: [{ path: 'body.name', message: 'is already the name of another of your projects' }],
  });
}

describe('project names are unique per owner', () => {
  it('a duplicate name is a 409 on create, PUT and PATCH, and nothing changes', async () => {
    const user = newUser();
    const work = await createProject(user, 'Work');
    const home = await createProject(user, 'Home');
    const params = { user_id: user.id };
    expectConflict(await user.client.projects.create({ params, body: { name: 'Work' } }));
    expectConflict(
      await user.client.projects.update({
        params: { ...params, id: home.id },
        body: { name: 'Work', description: null, archived: false },
      }),
    );
    expectConflict(
      await user.client.projects.patch({
        params: { ...params, id: home.id },
        body: { name: 'Work' },
      }),
    );
    expect(await storedFor(user.id)).toEqual([work, home]);
  });

  it('another owner may use the same name; renaming to its own name is no conflict', async () => {
    const a = newUser();
    const b = newUser();
    const mine = await createProject(a, 'Shared name');
    await createProject(b, 'Shared name');
    const reply = await a.client.projects.patch({
      params: { user_id: a.id, id: mine.id },
      body: { name: 'Shared name', archived: true },
    });
    expect(reply.status).toBe(200);
    expect(await stored(mine.id)).toMatchObject({ name: 'Shared name', archived: true });
  });

  it('a name freed by a rename or a delete can be used again', async () => {
    const user = newUser();
    const first = await createProject(user, 'Reused');
    await user.client.projects.patch({
      params: { user_id: user.id, id: first.id },
      body: { name: 'Renamed' },
    });
    const second = await createProject(user, 'Reused');
    await user.client.projects.remove({ params: { user_id: user.id, id: second.id } });
    expect((await createProject(user, 'Reused')).name).toBe('Reused');
  });

  it('of concurrent creates with one name exactly one answers 201, the rest 409', async () => {
    const user = newUser();
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        user.client.projects.create({ params: { user_id: user.id }, body: { name: 'Race' } }),
      ),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([
      201,
      ...Array<number>(7).fill(409),
    ]);
  });
});
