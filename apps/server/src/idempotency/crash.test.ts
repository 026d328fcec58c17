// A real server process killed (SIGKILL: no shutdown, no flush) while creates with keys are
// in flight, then a new process on the same database, and every create retried with its key.
// The item and its stored answer are one transaction, so each key ends with exactly one
// item, and each answer a client already had is the one it gets again.
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, createOnce, wasReplayed } from '@enclave/client';
import jwt from 'jsonwebtoken';
import { afterAll, expect, it } from 'vitest';
import {
  processDatabaseEnv,
  readDatabaseOf,
  removeDataFolders,
} from '../../test/process-database.js';
import {
  ONE_USER_LOAD,
  startServerProcess,
  type ServerProcess,
} from '../../test/server-process.js';

const JWT_SECRET = randomBytes(32).toString('hex');
const processes: ServerProcess[] = [];

async function start(env: Record<string, string>): Promise<ServerProcess> {
  // 150 creates at once from one user would meet the rate limit and the user's share of the
  // database (most refused 429), which are not what this file is about.
  const server = startServerProcess({ JWT_SECRET, ...ONE_USER_LOAD, ...env });
  processes.push(server);
  await server.waitForLog((line) => line.msg === 'database ready', 60_000);
  return server;
}

const storedTitles = (env: Record<string, string>, userId: string) =>
  readDatabaseOf(env, async (db) => {
    const rows = await db
      .selectFrom('tasks')
      .select('title')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((row) => row.title).sort();
  });

afterAll(async () => {
  await Promise.all(processes.map((server) => server.kill()));
  removeDataFolders();
});

it('after a crash mid-write, retrying each key leaves exactly one item per key', async () => {
  const env = processDatabaseEnv('crash');
  const userId = `user-${randomUUID()}`;
  const token = jwt.sign({ sub: userId }, JWT_SECRET, { expiresIn: 300 });
  const creates = Array.from({ length: 150 }, (_, i) => ({
    title: `create ${String(i).padStart(3, '0')}`,
    headers: createOnce(),
  }));
  const send = (client: ReturnType<typeof createClient>, create: (typeof creates)[number]) =>
    client.tasks.create({
      params: { user_id: userId },
      body: { title: create.title },
      headers: create.headers,
    });

  const first = await start(env);
  const before = createClient({ baseUrl: await first.baseUrl(), token, retry: false });
  const answered = new Map<string, number>();
  let failed = 0;
  const inFlight = creates.map((create) =>
    send(before, create).then(
      (reply) => {
        if (reply.status === 201) answered.set(create.title, (reply.body as { id: number }).id);
      },
      () => {
        failed += 1;
      },
    ),
  );
  // Killed once some creates are answered and the rest are on their way.
  while (answered.size < 10) await new Promise((resolve) => setTimeout(resolve, 5));
  first.child.kill('SIGKILL');
  await first.exited;
  await Promise.all(inFlight);

  const second = await start(env);
  // As a real client would: a 503 (a cold pool on a busy machine) is retried, with the key.
  const after = createClient({ baseUrl: await second.baseUrl(), token, retry: { attempts: 5 } });
  const retried = await Promise.all(creates.map((create) => send(after, create)));

  expect(retried.map((reply) => reply.status)).toEqual(creates.map(() => 201));
  // Everything a client was told before the crash, it is told again: the same item.
  for (const [index, create] of creates.entries()) {
    const id = answered.get(create.title);
    if (id === undefined) continue;
    expect(wasReplayed(retried[index]!)).toBe(true);
    expect((retried[index]!.body as { id: number }).id).toBe(id);
  }
  expect(await storedTitles(env, userId)).toEqual(creates.map((create) => create.title).sort());
  // The crash cut some requests short: what this test is about happened.
  expect(answered.size + failed).toBe(creates.length);
  expect(failed).toBeGreaterThan(0);
}, 120_000);
