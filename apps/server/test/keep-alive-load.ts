import { Agent, request } from 'node:http';

/** What one load run saw, counted over all its connections. */
export interface LoadReport {
  requests: number;
  /** Answers by status. */
  statuses: Record<number, number>;
  /** Requests that got no answer at all (reset, refused, timed out). */
  networkErrors: number;
  /** Connections whose last answer carried `Connection: close`. */
  closedByServer: number;
  /** Ids the server acknowledged with 201. */
  created: number[];
  slowestMs: number;
}

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  /** The bearer token and user of every request. */
  token: string;
  userId: string;
  /** Stops sending new requests once aborted. */
  signal: AbortSignal;
  /** Stop a connection's loop when the server says `Connection: close`, as a client that
   * honours it must (its next request belongs on a new connection, to another instance). */
  honourConnectionClose?: boolean;
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

function send(agent: Agent, url: URL, method: string, token: string, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export interface RunningLoad {
  /** Resolves once every connection has had one answer: all are open and in use. */
  everyConnectionAnswered: Promise<void>;
  /** Resolves when every connection's loop has ended. */
  done: Promise<LoadReport>;
}

/**
 * Keeps `connections` kept-alive connections busy with creates and lists of tasks until the
 * signal aborts (or the server asks each connection to close), and counts what came back.
 */
export function keepAliveLoad(options: LoadOptions): RunningLoad {
  let answeredConnections = 0;
  let allAnswered!: () => void;
  const everyConnectionAnswered = new Promise<void>((resolve) => (allAnswered = resolve));
  const report: LoadReport = {
    requests: 0,
    statuses: {},
    networkErrors: 0,
    closedByServer: 0,
    created: [],
    slowestMs: 0,
  };
  const collection = new URL(`/api/${options.userId}/tasks`, options.baseUrl);
  const list = new URL(`${collection.pathname}?limit=5`, options.baseUrl);
  const worker = async (index: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; !options.signal.aborted; i += 1) {
        const started = performance.now();
        report.requests += 1;
        let answer: Answer;
        try {
          answer =
            (i + index) % 2 === 0
              ? await send(agent, collection, 'POST', options.token, '{"title":"under load"}')
              : await send(agent, list, 'GET', options.token);
        } catch {
          // A failed request, the thing a drain must never cause; this connection is done.
          report.networkErrors += 1;
          return;
        }
        report.slowestMs = Math.max(report.slowestMs, performance.now() - started);
        if (i === 0 && ++answeredConnections === options.connections) allAnswered();
        report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
        if (answer.status === 201)
          report.created.push((JSON.parse(answer.body) as { id: number }).id);
        if (answer.connection === 'close') {
          report.closedByServer += 1;
          if (options.honourConnectionClose ?? true) return;
        }
      }
    } finally {
      agent.destroy();
    }
  };
  const done = Promise.all(
    Array.from({ length: options.connections }, (_, index) => worker(index)),
  ).then(() => report);
  return { everyConnectionAnswered, done };
}
