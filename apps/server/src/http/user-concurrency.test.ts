// Each user's turns at the database, shown with requests that hold a turn for as long as the
// test likes: a create whose body is still on its way (the turn is taken before the body is
// read). The flood that makes the point on a real pool is user-concurrency.pg.test.ts.
import { errorNames } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { RawConnection } from '../../test/raw-http.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ userConcurrency: { concurrency: 2, queue: 1, waitMs: 400 } });
});

afterAll(async () => {
  await server.close();
});

const TASK = '{"title":"held"}';

function newUser() {
  const id = newUserId();
  const headers = { authorization: `Bearer ${server.tokenFor(id)}` };
  const list = (signal?: AbortSignal) =>
    server.fetch(`/api/${id}/tasks`, { headers, ...(signal === undefined ? {} : { signal }) });
  /** A create that holds a turn until `finish` sends the rest of its body. */
  const hold = async () => {
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(
      `POST /api/${id}/tasks HTTP/1.1\r\nHost: x\r\n${`Authorization: ${headers.authorization}`}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${TASK.length}\r\n\r\n${TASK.slice(0, 5)}`,
    );
    return {
      connection,
      finish: async () => {
        await connection.write(TASK.slice(5));
        return connection.response();
      },
    };
  };
  return { id, list, hold };
}

/** Until a request has reached the middleware (the server has taken its turn). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

async function expectRefused(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(await response.json()).toEqual({
    error: errorNames[429],
    message: 'Too many requests of this user at once; try again in 1 second',
    status_code: 429,
  });
}

describe('a user with every turn taken', () => {
  it('has one more request wait, refuses the next at once, and the waiting one after a while', async () => {
    const user = newUser();
    const held = [await user.hold(), await user.hold()];
    await settle();
    const started = Date.now();
    const waiting = user.list();
    await settle();
    await expectRefused(await user.list());
    await expectRefused(await waiting);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // Another user is not affected at all.
    expect((await newUser().list()).status).toBe(200);
    for (const { finish, connection } of held) {
      expect((await finish()).status).toBe(201);
      connection.destroy();
    }
    expect((await user.list()).status).toBe(200);
  });

  it('starts a waiting request as soon as a turn is given back', async () => {
    const user = newUser();
    const held = [await user.hold(), await user.hold()];
    await settle();
    const waiting = user.list();
    await settle();
    expect((await held[0]!.finish()).status).toBe(201);
    expect((await waiting).status).toBe(200);
    expect((await held[1]!.finish()).status).toBe(201);
    for (const { connection } of held) connection.destroy();
  });

  it('gives the place of a client that leaves while waiting to the next', async () => {
    const user = newUser();
    const held = [await user.hold(), await user.hold()];
    await settle();
    const leaving = new AbortController();
    const left = user.list(leaving.signal).catch((error: unknown) => error);
    await settle();
    leaving.abort();
    await left;
    await settle();
    // The queue (of one) is free again: this one waits rather than being refused.
    const waiting = user.list();
    await settle();
    expect((await held[0]!.finish()).status).toBe(201);
    expect((await waiting).status).toBe(200);
    held[0]!.connection.destroy();
    held[1]!.connection.destroy();
  });

  it('gets its turns back when clients leave mid-request', async () => {
    const user = newUser();
    const held = [await user.hold(), await user.hold()];
    await settle();
    for (const { connection } of held) connection.destroy();
    await settle();
    // Two served at once and one waiting: every turn came back.
    const statuses = await Promise.all([user.list(), user.list(), user.list()]);
    expect(statuses.map((response) => response.status)).toEqual([200, 200, 200]);
  });
});
