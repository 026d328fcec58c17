// An answer given while the request's body is still arriving (a 413, a 401, a 404 on an
// upload) must reach a client that is still sending, and cost the server a bounded read.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { errorNames } from '@enclave/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import { RawConnection, type RawResponse } from '../../test/raw-http.js';
import { httpUpload, rawUpload } from '../../test/uploads.js';
import { LINGER } from './lingering-close.js';

const MB = 1024 * 1024;
const TRIES = 20;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

function newUser() {
  const id = newUserId();
  return { id, token: server.tokenFor(id), collection: `/api/${id}/tasks` };
}

const head = (path: string, token: string | undefined, framing: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\n` +
  (token === undefined ? '' : `Authorization: Bearer ${token}\r\n`) +
  `Content-Type: application/json\r\n${framing}\r\n\r\n`;

function expectClosingError(response: RawResponse | undefined, status: 401 | 404 | 413) {
  expect(response?.status).toBe(status);
  expect(response?.body).toMatchObject({ error: errorNames[status], status_code: status });
  expect(response?.headers.connection).toBe('close');
}

/** The server side of the next connection made to it: what it read, when it closed. */
function nextServerSocket(): Promise<Socket> {
  return new Promise((resolve) => server.httpServer.once('connection', resolve));
}

describe('a 413 reaches a client still sending its body', () => {
  it.each([2 * MB, 50 * MB])(
    '%i bytes from a raw socket: the 413 is read every time',
    async (size) => {
      const user = newUser();
      const statuses: (number | undefined)[] = [];
      for (let i = 0; i < TRIES; i += 1) {
        const upload = await rawUpload(
          server.baseUrl,
          head(user.collection, user.token, `Content-Length: ${size}`),
          size,
        );
        statuses.push(upload.response?.status);
        if (i === 0) expectClosingError(upload.response, 413);
        expect(upload.closed).toBe(true);
        upload.connection.destroy();
      }
      expect(statuses).toEqual(Array(TRIES).fill(413));
    },
  );

  it.each([2 * MB, 50 * MB])(
    '%i bytes from node:http: the 413 is read every time',
    async (size) => {
      const user = newUser();
      const statuses: (number | string)[] = [];
      for (let i = 0; i < TRIES; i += 1) {
        statuses.push(
          await httpUpload(
            `${server.baseUrl}${user.collection}`,
            { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
            size,
          ),
        );
      }
      expect(statuses).toEqual(Array(TRIES).fill(413));
    },
  );
});

describe('an early answer on a large chunked body reads a bounded part of it', () => {
  it.each([
    ['404 (no such route)', '/nope', undefined, 404],
    ['401 (no token)', `/api/${newUserId()}/tasks`, undefined, 401],
  ] as const)(
    '%s: answered, closed within a second or 4 MiB of 50 MB',
    async (_kind, path, token, status) => {
      const serverSocket = nextServerSocket();
      const started = Date.now();
      const upload = await rawUpload(
        server.baseUrl,
        head(path, token, 'Transfer-Encoding: chunked'),
        50 * MB,
        { chunked: true },
      );
      const socket = await serverSocket;
      expectClosingError(upload.response, status);
      expect(upload.closed).toBe(true);
      // The client has sent no end: the server closes its side by itself, a linger later.
      if (!socket.destroyed) await once(socket, 'close');
      // Generous, for a busy machine: the bound itself is LINGER.ms.
      expect(Date.now() - started).toBeLessThan(LINGER.ms + 2000);
      // What the server read: the head, what had arrived when it answered, and at most
      // LINGER.bytes after (plus the kernel's last read), not the 50 MB.
      expect(socket.bytesRead).toBeLessThan(LINGER.bytes + 2 * MB);
      expect(upload.written).toBeLessThan(20 * MB);
      upload.connection.destroy();
    },
  );

  it('a client that stops sending is closed after the linger time, not left open', async () => {
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(
      head('/nope', undefined, 'Transfer-Encoding: chunked') + '4\r\n{"a"\r\n',
    );
    expectClosingError(await connection.response(), 404);
    // The server's end of the connection comes at once; its close, a linger later.
    expect(await connection.closed(LINGER.ms + 2000)).toBe(true);
    expect(connection.reset).toBe(false);
    connection.destroy();
  });

  it('what follows the body on a lingering connection is never served', async () => {
    const user = newUser();
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(head('/nope', undefined, 'Transfer-Encoding: chunked') + '2\r\n{}\r\n');
    expectClosingError(await connection.response(), 404);
    const task = '{"title":"after the close"}';
    // The end of the body, then a whole create pipelined behind it.
    await connection.write(
      '0\r\n\r\n' +
        `POST ${user.collection} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${task.length}\r\n\r\n${task}`,
    );
    expect(await connection.closed(LINGER.ms + 2000)).toBe(true);
    expect(connection.unread()).toBe('');
    const listed = await server.clientFor(user.id).tasks.list({ params: { user_id: user.id } });
    expect(listed.body).toMatchObject({ tasks: [] });
  });

  it('a small body within the limit is read as before: the connection stays open', async () => {
    const connection = await RawConnection.open(server.baseUrl);
    await connection.write(head('/nope', undefined, 'Content-Length: 2') + '{}');
    const first = await connection.response();
    expect(first.status).toBe(404);
    expect(first.headers.connection).not.toBe('close');
    await connection.write('GET /nope HTTP/1.1\r\nHost: x\r\n\r\n');
    expect((await connection.response()).status).toBe(404);
    connection.destroy();
  });
});
