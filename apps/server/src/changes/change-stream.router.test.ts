import { createClient, type Change, type StreamingFetch } from '@enclave/client';
import { resources } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChanges, startCursor } from '../../test/change-feed.js';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { changesOf, openRawStream } from '../../test/sse-stream.js';
import { startTcpProxy } from '../../test/tcp-proxy.js';
import { HttpDrain } from '../http/shutdown.js';
import { createLogger } from '../logger.js';
import { resourceRepository } from '../resources/resource.repository.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ changes: { heartbeatMs: 300 } });
});
afterAll(() => server.close());

const user = () => {
  const id = newUserId();
  return { id, client: server.clientFor(id), params: { user_id: id } };
};
const streamOf = (userId: string, headers: Record<string, string> = {}, query = '') =>
  openRawStream(`${server.baseUrl}/api/${userId}/changes/stream${query}`, {
    authorization: `Bearer ${server.tokenFor(userId)}`,
    ...headers,
  });

describe('the change stream', () => {
  it('sends each change as id, event and data, as it happens, with heartbeats', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    const stream = await streamOf(id);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toMatch(/no-cache/);
    expect(stream.headers.get('x-accel-buffering')).toBe('no');
    // It opens by naming where it follows from, before any change: the current position.
    await stream.until(() => stream.text().includes('\n\n'));
    expect(stream.text()).toBe(`: stream of ${id}'s changes\nid: ${start}\n\n`);
    const created = await client.tasks.create({ params, body: { title: 'live' } });
    if (created.status !== 201) throw new Error('create failed');
    await stream.until((events) => events.length >= 1);
    const [event] = stream.events;
    expect(event).toMatchObject({ event: 'change' });
    const change = JSON.parse(event!.data) as Change;
    expect(change).toMatchObject({ resource: 'tasks', op: 'created', id: created.body.id });
    expect(change.item).toEqual(created.body);
    expect(event!.id).toBe(change.cursor);
    // The same change, the same cursor, as the sync feed gives it.
    const { changes } = await readChanges(client, id, start);
    expect(changes).toEqual([change]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(stream.text()).toMatch(/\n: keep-alive\n/);
    stream.close();
  });

  it('resumes after Last-Event-ID, or ?after=, with no gap and no duplicate', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    for (const title of ['a', 'b', 'c']) await client.tasks.create({ params, body: { title } });
    const { changes } = await readChanges(client, id, start);
    const byHeader = await streamOf(id, { 'last-event-id': changes[0]!.cursor });
    const byQuery = await streamOf(id, {}, `?after=${changes[1]!.cursor}`);
    await byHeader.until((events) => events.length >= 2);
    await byQuery.until((events) => events.length >= 1);
    await client.tasks.create({ params, body: { title: 'd' } });
    await byHeader.until((events) => events.length >= 3);
    await byQuery.until((events) => events.length >= 2);
    const titles = (events: typeof byHeader.events) =>
      changesOf(events).map((change) => (change.item as unknown as { title: string }).title);
    expect(titles(byHeader.events)).toEqual(['b', 'c', 'd']);
    expect(titles(byQuery.events)).toEqual(['c', 'd']);
    byHeader.close();
    byQuery.close();
  });

  it('loses and repeats nothing when the connection is cut mid-stream (the client resumes)', async () => {
    const { id, client, params } = user();
    const port = Number(new URL(server.baseUrl).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const start = await startCursor(client, id);
    const received: Change[] = [];
    const subscriber = createClient({
      baseUrl: `http://127.0.0.1:${proxy.port}`,
      token: server.tokenFor(id),
    });
    const subscription = subscriber.changes.subscribe((change) => received.push(change), {
      userId: id,
      after: start,
      minDelayMs: 20,
      maxDelayMs: 100,
    });
    const writes = 120;
    for (let i = 0; i < writes; i += 1) {
      await client.tasks.create({ params, body: { title: `t${i}` } });
      if (i % 30 === 15) proxy.cut();
    }
    await waitFor(() => received.length >= writes, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    subscription.unsubscribe();
    await proxy.close();
    expect(proxy.accepted).toBeGreaterThan(1);
    const { changes } = await readChanges(client, id, start);
    expect(changes).toHaveLength(writes);
    expect(received.map((change) => change.cursor)).toEqual(changes.map((change) => change.cursor));
  });

  it('keeps the place of a subscription started from now across a drop before its first change', async () => {
    const { id, client, params } = user();
    const port = Number(new URL(server.baseUrl).port);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const received: Change[] = [];
    const opened: string[] = [];
    const subscription = createClient({
      baseUrl: `http://127.0.0.1:${proxy.port}`,
      token: server.tokenFor(id),
    }).changes.subscribe((change) => received.push(change), {
      userId: id,
      onOpen: (cursor) => opened.push(cursor),
      // Long enough for a write to land while it is away.
      minDelayMs: 400,
      maxDelayMs: 400,
    });
    await waitFor(() => opened.length === 1, 5000);
    expect(opened[0]).toBe(await startCursor(client, id));
    proxy.cut();
    const created = await client.tasks.create({ params, body: { title: 'while away' } });
    if (created.status !== 201) throw new Error('create failed');
    await waitFor(() => received.length === 1, 5000);
    subscription.unsubscribe();
    await proxy.close();
    expect(received[0]).toMatchObject({ op: 'created', item: created.body });
    // The second connection resumed from the place the first was given, not from its own now.
    expect(opened).toEqual([opened[0], opened[0]]);
  });

  it('trades a refused token once (refreshToken) and resumes; a refused fresh token stops it', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    const expiring = server.tokenFor(id, { exp: Math.floor(Date.now() / 1000) + 2 });
    const statuses: number[] = [];
    const countingFetch: StreamingFetch = async (url, init) => {
      const answer = await fetch(url, init);
      statuses.push(answer.status);
      return answer;
    };
    let refreshes = 0;
    const received: Change[] = [];
    const stops: string[] = [];
    const subscriber = createClient({
      baseUrl: server.baseUrl,
      // A session that does not know its token expired (a stopped clock): it keeps offering it.
      token: () => expiring,
      streamingFetch: countingFetch,
    });
    const subscription = subscriber.changes.subscribe((change) => received.push(change), {
      userId: id,
      after: start,
      refreshToken: () => {
        refreshes += 1;
        return server.tokenFor(id);
      },
      onStop: (reason) => stops.push(reason),
      minDelayMs: 20,
    });
    // The server ends the stream at expiry (its retry: hint, 1 s); the stale token is refused
    // once, traded, and the stream goes on where it was: a write after expiry arrives.
    await waitFor(() => refreshes === 1 && statuses.at(-1) === 200, 8000);
    await client.tasks.create({ params, body: { title: 'after expiry' } });
    await waitFor(() => received.length === 1, 5000);
    subscription.unsubscribe();
    expect(statuses).toEqual([200, 401, 200]);
    expect(stops).toEqual([]);

    // A refresh the server refuses as well (revoked, or another user's): one try, then it stops.
    const refusedStatuses: number[] = [];
    const refused = createClient({
      baseUrl: server.baseUrl,
      token: () => server.tokenFor(id, { exp: 1 }),
      streamingFetch: async (url, init) => {
        const answer = await fetch(url, init);
        refusedStatuses.push(answer.status);
        return answer;
      },
    }).changes.subscribe(() => undefined, {
      userId: id,
      refreshToken: () => server.tokenFor(id, { exp: 1 }),
      onStop: (reason) => stops.push(reason),
      minDelayMs: 20,
    });
    await waitFor(() => stops.length === 1, 5000);
    refused.unsubscribe();
    expect(stops).toEqual(['refused']);
    expect(refusedStatuses).toEqual([401, 401]);
  });

  it('refuses like every route: 401 without a token, 403 on another path, 400 for a bad cursor', async () => {
    const alice = user();
    const bob = user();
    const anonymous = await openRawStream(`${server.baseUrl}/api/${alice.id}/changes/stream`, {});
    expect(anonymous.status).toBe(401);
    // A token in the URL is no token.
    const inUrl = await openRawStream(
      `${server.baseUrl}/api/${alice.id}/changes/stream?access_token=${server.tokenFor(alice.id)}`,
      {},
    );
    expect(inUrl.status).toBe(401);
    const foreign = await openRawStream(`${server.baseUrl}/api/${alice.id}/changes/stream`, {
      authorization: `Bearer ${server.tokenFor(bob.id)}`,
    });
    expect(foreign.status).toBe(403);
    const aliceCursor = await startCursor(alice.client, alice.id);
    const stolen = await streamOf(bob.id, { 'last-event-id': aliceCursor });
    expect(stolen.status).toBe(400);
    await stolen.closed;
    expect(JSON.parse(stolen.text())).toMatchObject({ status_code: 400 });
    const unknown = await streamOf(bob.id, {}, '?since=1');
    expect(unknown.status).toBe(400);
  });

  it('ends with event: end when the token expires, and closes', async () => {
    const { id, client, params } = user();
    const start = await startCursor(client, id);
    await client.notes.create({ params, body: { body: 'before expiry' } });
    const exp = Math.floor(Date.now() / 1000) + 3;
    const stream = await openRawStream(
      `${server.baseUrl}/api/${id}/changes/stream?after=${start}`,
      {
        authorization: `Bearer ${server.tokenFor(id, { exp })}`,
      },
    );
    expect(stream.status).toBe(200);
    await stream.until((events) => events.some(({ event }) => event === 'end'), 8000);
    await stream.closed;
    const end = stream.events.at(-1)!;
    expect(end).toMatchObject({ event: 'end', retry: 1000 });
    expect(JSON.parse(end.data)).toEqual({ reason: 'token_expired' });
    expect(changesOf(stream.events)).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it('allows CHANGES_STREAMS_PER_USER streams per user: the 11th is a 429, another user is not held back', async () => {
    const { id } = user();
    const open = [];
    for (let i = 0; i < 10; i += 1) {
      const stream = await streamOf(id);
      expect(stream.status).toBe(200);
      open.push(stream);
    }
    const eleventh = await streamOf(id);
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get('retry-after')).toMatch(/^\d+$/);
    await eleventh.closed;
    expect(JSON.parse(eleventh.text())).toMatchObject({
      error: 'Too Many Requests',
      status_code: 429,
    });
    const other = await streamOf(newUserId());
    expect(other.status).toBe(200);
    other.close();
    open.pop()!.close();
    await waitFor(() => server.changeHub.openStreams === open.length, 2000);
    const again = await streamOf(id);
    expect(again.status).toBe(200);
    again.close();
    for (const stream of open) stream.close();
  });

  it('shows two users writing 10,000 times between them only their own changes', async () => {
    const alice = user();
    const bob = user();
    const aliceStream = await streamOf(alice.id);
    const bobStream = await streamOf(bob.id);
    // Through the repository, so the run spends its time on the log and the streams rather
    // than on HTTP: the writes interleave from 8 connections at once.
    const notes = resourceRepository(server.db, resources.notes);
    const each = 5000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < each * 2) {
          const i = next++;
          await notes.create(i % 2 === 0 ? alice.id : bob.id, { body: `n${i}`, pinned: false });
          // The stream's owners are woken as the API's writes wake them on this instance.
          if (i % 50 === 0) server.changeHub.wake(i % 2 === 0 ? alice.id : bob.id);
        }
      }),
    );
    server.changeHub.wake(alice.id);
    server.changeHub.wake(bob.id);
    await aliceStream.until((events) => events.length >= each, 60_000);
    await bobStream.until((events) => events.length >= each, 60_000);
    for (const [stream, owner] of [
      [aliceStream, alice.id],
      [bobStream, bob.id],
    ] as const) {
      const changes = changesOf(stream.events);
      expect(changes).toHaveLength(each);
      expect(changes.filter((change) => change.item?.user_id !== owner)).toEqual([]);
      expect(new Set(changes.map((change) => change.cursor)).size).toBe(each);
      stream.close();
    }
  }, 120_000);

  it('ends every stream with retry: and event: end on a graceful shutdown, which then drains at once', async () => {
    const own = await startTestServer();
    const drain = new HttpDrain(own.httpServer, own.readiness, createLogger('silent'));
    drain.onClosing(() => own.changeHub.endAll('shutdown'));
    const owner = newUserId();
    const streams = await Promise.all(
      [1, 2, 3].map(() =>
        openRawStream(`${own.baseUrl}/api/${owner}/changes/stream`, {
          authorization: `Bearer ${own.tokenFor(owner)}`,
        }),
      ),
    );
    const outcome = await drain.drain({ delayMs: 0, timeoutMs: 5000 });
    expect(outcome).toMatchObject({ clean: true, cut: 0 });
    expect(outcome.durationMs).toBeLessThan(2000);
    for (const stream of streams) {
      await stream.closed;
      // With the last id given (the one it opened with), as an EventSource keeps it.
      expect(stream.events).toMatchObject([
        { event: 'end', data: JSON.stringify({ reason: 'shutdown' }), retry: 1000 },
      ]);
      expect(stream.events[0]!.id).toMatch(/^[\w-]+\.[\w-]+$/);
    }
    await own.close();
  });

  it('works through the CORS allowlist, Last-Event-ID included', async () => {
    const origin = 'https://app.example.com';
    const own = await startTestServer({ cors: { origins: [origin] } });
    const owner = newUserId();
    const url = `${own.baseUrl}/api/${owner}/changes/stream`;
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,last-event-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Last-Event-ID/);
    const stream = await openRawStream(url, {
      origin,
      authorization: `Bearer ${own.tokenFor(owner)}`,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('access-control-allow-origin')).toBe(origin);
    stream.close();
    await own.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
