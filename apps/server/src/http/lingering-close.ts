import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * How long, and how much, a connection that closes on an early answer is still read from.
 * Closing a socket while its client is still sending makes the kernel answer what arrives with
 * a reset, and a reset can destroy the answer before the client has read it: a client sending
 * 50 MB saw EPIPE, not its 413. Reading on for a moment gives it time to read the answer;
 * the bounds keep a client that never stops from holding the connection or costing more.
 */
export const LINGER = { ms: 1000, bytes: 4 * 1024 * 1024 };

const CHUNK = 64 * 1024;

/**
 * Ends the connection the way a client still sending can see the answer (a lingering close):
 * the write side closes once the answer is out; what still arrives is read and dropped, not
 * parsed, until the client closes its side, `LINGER.ms` pass or `LINGER.bytes` arrive.
 */
export function closeLingering(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.readableEnded) {
    // The client has sent everything it will: nothing to wait for.
    Socket.prototype.destroySoon.call(socket);
    return;
  }
  socket.end();
  const stop = () => socket.destroy();
  const timer = setTimeout(stop, LINGER.ms);
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', stop);
  // Node's HTTP parser reads the socket through its 'data' listener, or natively until a
  // 'data' listener is added (its wrapper of `on` then hands the stream back): without its
  // listener, a request that follows is never parsed, let alone served on a closing connection.
  socket.removeAllListeners('data');
  let read = 0;
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER.bytes) stop();
  });
  // The parser may have stopped the socket's reads (a body nobody consumed fills its buffer),
  // and the stream, which never read while the parser did, takes itself for reading already:
  // _read restarts the socket's reads whatever it believes.
  socket.resume();
  socket._read(CHUNK);
}

// Node's own destroySoon (end, then destroy once written) resets a connection whose client is
// still sending; this one lingers.
function destroySoonLingering(this: Socket): void {
  closeLingering(this);
}

/** Whether part of the request's body has yet to arrive, as its answer starts. */
function bodyStillArriving(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const { 'content-length': length, 'transfer-encoding': encoding } = req.headers;
  return encoding !== undefined || (length !== undefined && length !== '0');
}

/**
 * Called as an answer's head is written. An answer given before its request's body has all
 * arrived (a 413, a 401, a 404 on a large upload) closes the connection if the rest is longer
 * than `readAtMost` or of unknown length (chunked): Node would otherwise read all of it to keep
 * the connection, 50 MB if that is what comes. Whenever such an answer closes the connection,
 * for this reason or another (shutdown, the client's `Connection: close`), it closes lingering.
 */
export function beforeEarlyAnswer(res: ServerResponse, readAtMost: number): void {
  const { req } = res;
  if (!bodyStillArriving(req)) return;
  const length = req.headers['content-length'];
  if (length === undefined || Number(length) > readAtMost) res.setHeader('Connection', 'close');
  // Only `destroySoon` is swapped, on this one socket: Node calls it for an answer that closes.
  req.socket.destroySoon = destroySoonLingering;
}
