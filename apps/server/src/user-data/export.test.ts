import { randomUUID } from 'node:crypto';
import { resources } from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { TEST_RESOURCES } from '../../test/test-schema.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const everyResource = [...Object.values(resources), ...TEST_RESOURCES];
const PASSWORD = 'correct horse battery staple';

async function exportOf(userId: string, token = server.tokenFor(userId)) {
  return server.fetch(`/api/${encodeURIComponent(userId)}/export`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Every item of `name` as its list route answers it, page by page. */
async function listed(userId: string, name: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', sort: 'id' });
    if (cursor !== null) query.set('cursor', cursor);
    const res = await server.fetch(`/api/${userId}/${name}?${query.toString()}`, {
      headers: { authorization: `Bearer ${server.tokenFor(userId)}` },
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as Record<string, unknown[]> & { next_cursor: string | null };
    items.push(...page[name]!);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return items;
}

describe('GET /api/{user_id}/export', () => {
  it('is a download of every item of every resource, each as the API answers it', async () => {
    const userId = newUserId();
    const client = server.clientFor(userId);
    const project = await client.projects.create({
      params: { user_id: userId },
      body: { name: 'Home' },
    });
    const projectId = project.status === 201 ? project.body.id : 0;
    for (let i = 0; i < 3; i += 1) {
      await client.tasks.create({
        params: { user_id: userId },
        body: { title: `Task "${i}" \u2603`, project_id: projectId },
      });
    }
    await client.notes.create({ params: { user_id: userId }, body: { body: 'line\nbreak' } });
    // Someone else's items are not part of it.
    const other = newUserId();
    await server.clientFor(other).tasks.create({
      params: { user_id: other },
      body: { title: 'not yours' },
    });

    const res = await exportOf(userId);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="export-/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const document = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual([
      'exported_at',
      'user',
      ...everyResource.map(({ name }) => name),
    ]);
    expect(document.user).toBeNull();
    expect(Date.parse(document.exported_at as string)).toBeGreaterThan(Date.now() - 60_000);
    for (const { name } of everyResource) {
      expect(document[name], name).toEqual(await listed(userId, name));
    }
    expect(document.tasks).toHaveLength(3);
  });

  it("carries the built-in account (no secret) and reads through the typed client's session", async () => {
    const email = `user-${randomUUID()}@example.com`;
    const anonymous = server.clientWithToken(undefined);
    await anonymous.auth.register({ body: { email, password: PASSWORD } });
    const { createSession } = await import('@enclave/client');
    const session = createSession({ baseUrl: server.baseUrl });
    const signed = await session.signIn(email, PASSWORD);
    expect(signed.ok).toBe(true);
    const exported = await session.exportData();
    expect(exported.ok).toBe(true);
    if (!exported.ok) return;
    expect(exported.value.user).toMatchObject({ email, email_verified: false });
    expect(Object.keys(exported.value.user!).sort()).toEqual([
      'created_at',
      'email',
      'email_verified',
      'id',
    ]);
    expect(exported.value.tasks).toEqual([]);
  });

  it("answers 403 for another user's export and 401 without a token", async () => {
    const [ann, bob] = [newUserId(), newUserId()];
    const res = await exportOf(bob, server.tokenFor(ann));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'Forbidden', status_code: 403 });
    expect((await server.fetch(`/api/${ann}/export`)).status).toBe(401);
  });

  it('is one snapshot: a write during the download is not half in it', async () => {
    const userId = newUserId();
    await server.db.transaction().execute(async (trx) => {
      await sql`insert into tasks (user_id, title)
        select ${userId}, 'task ' || n from generate_series(1, 1200) as n`.execute(trx);
    });
    const res = await exportOf(userId);
    expect(res.status).toBe(200);
    // The first piece is out (the snapshot taken); delete everything before reading on.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    await server.db.deleteFrom('tasks').where('user_id', '=', userId).execute();
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const document = JSON.parse(text) as { tasks: { id: number }[] };
    expect(document.tasks).toHaveLength(1200);
    const ids = document.tasks.map(({ id }) => id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
