import { connect, type Socket } from 'node:net';

/** One response as it came off the wire. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** The body, parsed as JSON when it is JSON. */
  body: unknown;
}

/**
 * A client connection that writes exactly the bytes a test gives it, for requests fetch will
 * not send (no Host, CONNECT, a body that stops half-way) and for watching the server close
 * the connection.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private wake: () => void = () => undefined;
  /** Bytes this side has written; with `closed`, shows what the server never waited for. */
  written = 0;
  /** Set when the server ended or reset the connection. */
  closedAt: number | undefined;
  /** The server reset the connection rather than closing it in order. */
  reset = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    // A reset is one way of closing; `reset` tells it from an orderly close.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') this.reset = true;
    });
    socket.on('close', () => {
      this.closedAt ??= Date.now();
      this.wake();
    });
    socket.on('end', () => {
      this.closedAt ??= Date.now();
      this.wake();
    });
  }

  static open(baseUrl: string): Promise<RawConnection> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(data: string | Buffer): Promise<void> {
    this.written += Buffer.byteLength(data);
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Waits until `ready` holds of what has arrived, or the time is up. */
  private async until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }

  /** The next response (an interim `100 Continue` included), read by its Content-Length. */
  async response(timeoutMs = 5000): Promise<RawResponse> {
    let parsed: { response: RawResponse; length: number } | undefined;
    const complete = () => {
      parsed = parseResponse(this.buffer, this.closedAt !== undefined);
      return parsed !== undefined;
    };
    if (!(await this.until(complete, timeoutMs)) || parsed === undefined) {
      throw new Error(`no complete response within ${timeoutMs} ms: ${this.buffer.toString()}`);
    }
    this.buffer = this.buffer.subarray(parsed.length);
    return parsed.response;
  }

  /** Whether the server closes the connection within `timeoutMs`. */
  closed(timeoutMs = 2000): Promise<boolean> {
    return this.until(() => this.closedAt !== undefined, timeoutMs);
  }

  /** Whatever arrived and has not been read as a response. */
  unread(): string {
    return this.buffer.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function parseResponse(
  data: Buffer,
  ended: boolean,
): { response: RawResponse; length: number } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyStart = headEnd + 4;
  const declared = headers['content-length'];
  // Interim responses have no body; a response without a length runs to the close.
  const length =
    status < 200 ? 0 : declared === undefined ? (ended ? data.length - bodyStart : -1) : +declared;
  if (length === -1 || data.length < bodyStart + length) return undefined;
  const text = data.subarray(bodyStart, bodyStart + length).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the text.
  }
  return { response: { status, headers, body }, length: bodyStart + length };
}

/** Sends one whole request on a fresh connection and returns the answer and the connection. */
export async function rawRequest(
  baseUrl: string,
  request: string | Buffer,
  timeoutMs?: number,
): Promise<{ response: RawResponse; connection: RawConnection }> {
  const connection = await RawConnection.open(baseUrl);
  await connection.write(request);
  return { response: await connection.response(timeoutMs), connection };
}
