import { request } from 'node:http';
import { RawConnection, type RawResponse } from './raw-http.js';

// Clients that send a large body as fast as the connection takes it, the way a real upload
// does, and read the answer whenever it comes: before the body is all sent, if the server
// answers early. What they report is what a client would see.

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** What one upload from a raw socket saw. */
export interface RawUpload {
  /** The answer, or undefined if none could be read (a reset or EPIPE destroyed it). */
  response: RawResponse | undefined;
  /** Bytes of body handed to the connection before the server closed it. */
  written: number;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
  connection: RawConnection;
}

/**
 * Sends `head` (a request's head, ending in the blank line), then `size` bytes of body, in
 * chunked framing if `chunked`, stopping when a write fails or the server has closed.
 */
export async function rawUpload(
  baseUrl: string,
  head: string,
  size: number,
  { chunked = false, waitMs = 5000 } = {},
): Promise<RawUpload> {
  const connection = await RawConnection.open(baseUrl);
  const frame = (chunk: Buffer) =>
    chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
      : chunk;
  let written = 0;
  try {
    await connection.write(head);
    while (written < size && connection.closedAt === undefined) {
      const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, size - written));
      await connection.write(frame(chunk));
      written += chunk.length;
    }
    if (chunked && connection.closedAt === undefined) await connection.write('0\r\n\r\n');
  } catch {
    // EPIPE or a reset: the server stopped reading; whether the answer survived is the point.
  }
  const response = await connection.response(waitMs).catch(() => undefined);
  const closed = await connection.closed(waitMs);
  return { response, written, closed, connection };
}

/**
 * POSTs `size` bytes through node:http (no keep-alive agent), writing as fast as the socket
 * drains. Resolves with the answer's status, or the error's code when no answer came.
 */
export function httpUpload(
  url: string,
  headers: Record<string, string>,
  size: number,
): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(size) } },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        // The rest of the body is not wanted once the answer is in.
        res.on('end', () => req.destroy());
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    let sent = 0;
    const pump = () => {
      while (sent < size && !req.destroyed) {
        const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, size - sent));
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}
