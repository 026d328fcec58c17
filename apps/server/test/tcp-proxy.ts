import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy of the tests' own, between a server under test and the service it depends on
 * (PostgreSQL, Redis), so a test can make that service fail for real without touching the
 * machine's service: refuse connections, cut the open ones, or freeze everything (connections
 * stay open but no byte moves, as with a hung or unreachable host).
 */
export interface TcpProxy {
  /** The port the proxy listens on (kept across refuse and accept). */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** New connections are refused (ECONNREFUSED); open ones are left alone. */
  refuse(): Promise<void>;
  /** Destroys every open connection with a reset, as a restarted or killed server does. */
  cut(): void;
  /** Stops all traffic: open connections stall, new ones are accepted but never answered. */
  freeze(): void;
  /** Back to normal: listening again, frozen connections flow, stalled new ones connect. */
  restore(): Promise<void>;
  /** How many client connections the proxy has accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let frozen = false;
  let accepted = 0;
  let server: Server;

  // Forwarding by hand rather than pipe(): pipe() resumes a source on 'drain', which would
  // undo a freeze.
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!frozen) from.resume();
    });
  };

  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const connectUpstream = (pair: Pair) => {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    forward(pair.client, upstream);
    forward(upstream, pair.client);
  };

  const onConnection = (client: Socket) => {
    accepted += 1;
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (frozen) {
      // A frozen host accepts (its kernel does) but never answers.
      client.pause();
      return;
    }
    connectUpstream(pair);
  };

  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const listener = createServer(onConnection);
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => resolve(listener));
    });

  // Stops accepting at once; net.Server's close callback would wait for open connections.
  const stopListening = () => {
    if (server.listening) server.close();
  };

  server = await listen(0);
  const { port } = server.address() as { port: number };

  return {
    port,
    get accepted() {
      return accepted;
    },
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    refuse() {
      stopListening();
      return Promise.resolve();
    },
    cut() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
        pairs.delete(pair);
      }
    },
    freeze() {
      frozen = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream?.pause();
      }
    },
    async restore() {
      frozen = false;
      for (const pair of [...pairs]) {
        if (pair.upstream === undefined) connectUpstream(pair);
        pair.client.resume();
        pair.upstream?.resume();
      }
      if (!server.listening) server = await listen(port);
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
