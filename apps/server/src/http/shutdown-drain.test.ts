// The drain on its own, in this process, with the deadline made short: what a request that
// never finishes costs, and how the phases follow one another.
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { Readiness } from './health.js';
import { HttpDrain, IDLE_CLOSE_MS } from './shutdown.js';

const servers: Server[] = [];
const DRAINING = 'shutdown: no new connections; finishing requests in flight';

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

afterEach(() => {
  for (const server of servers.splice(0)) server.closeAllConnections();
});

/** A server whose `/slow` answers only when the test says, and `/` at once. */
async function serve() {
  const server = createServer();
  servers.push(server);
  let finishSlow: () => void = () => undefined;
  const slowStarted = new Promise<void>((started) => {
    server.on('request', (req, res) => {
      if (req.url === '/slow') {
        started();
        finishSlow = () => res.end('slow');
        return;
      }
      res.end('fast');
    });
  });
  const readiness = new Readiness({ checkDatabase: () => Promise.resolve() });
  readiness.markReady();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const drain = new HttpDrain(server, readiness, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, drain, readiness, port, slowStarted, finishSlow: () => finishSlow(), lines };
}

function get(port: number, path: string, agent?: Agent) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('HttpDrain', () => {
  it('answers the request in flight with Connection: close, then closes cleanly', async () => {
    const { drain, readiness, port, slowStarted, finishSlow } = await serve();
    const agent = new Agent({ keepAlive: true });
    const slow = get(port, '/slow', agent);
    await slowStarted;
    expect(drain.requestsInFlight).toBe(1);
    const draining = drain.drain({ delayMs: 0, timeoutMs: 5_000 });
    expect(readiness.phase).toBe('draining');
    finishSlow();
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow' });
    const outcome = await draining;
    expect(outcome).toMatchObject({ clean: true, cut: 0 });
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });

  it('keeps serving normally during the delay, then marks what arrives on open connections', async () => {
    const { drain, port, lines } = await serve();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/', agent)).connection).toBe('keep-alive');
    const draining = drain.drain({ delayMs: 200, timeoutMs: 5_000 });
    expect((await get(port, '/', agent)).connection).toBe('keep-alive');
    await until(() => lines.some((line) => line.msg === DRAINING));
    // A kept-alive connection still open after the listener closed (and used before it idles
    // out, see the next test): served, then closed.
    expect(await get(port, '/', agent)).toMatchObject({ status: 200, connection: 'close' });
    expect(await draining).toMatchObject({ clean: true });
    expect(lines.map((line) => line.msg)).toEqual([
      'shutdown: readiness off, still serving',
      DRAINING,
    ]);
    agent.destroy();
  });

  it('closes a connection left idle soon after the drain begins, not at the keep-alive timeout', async () => {
    const { server, drain, port } = await serve();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/', agent)).connection).toBe('keep-alive');
    // Node would keep it for its keep-alive timeout (5 s, and a second of grace) otherwise.
    expect(server.keepAliveTimeout).toBe(5_000);
    const outcome = await drain.drain({ delayMs: 0, timeoutMs: 5_000 });
    expect(outcome).toMatchObject({ clean: true, cut: 0 });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(IDLE_CLOSE_MS - 10);
    // Generous for a busy machine; the point is seconds less than the keep-alive timeout.
    expect(outcome.durationMs).toBeLessThan(IDLE_CLOSE_MS + 1_500);
    agent.destroy();
  });

  it('serves a request that comes on an idle connection meanwhile, with Connection: close', async () => {
    const { drain, port, lines } = await serve();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/', agent)).connection).toBe('keep-alive');
    const draining = drain.drain({ delayMs: 0, timeoutMs: 5_000 });
    await until(() => lines.some((line) => line.msg === DRAINING));
    expect(await get(port, '/', agent)).toMatchObject({ status: 200, connection: 'close' });
    expect(await draining).toMatchObject({ clean: true });
    agent.destroy();
  });

  it('cuts what is left at the deadline and says how many requests were cut', async () => {
    const { drain, port, slowStarted } = await serve();
    const slow = get(port, '/slow');
    await slowStarted;
    const outcome = await drain.drain({ delayMs: 0, timeoutMs: 200 });
    expect(outcome).toMatchObject({ clean: false, cut: 1 });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(190);
    await expect(slow).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
