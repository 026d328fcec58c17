import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { Readiness } from './health.js';

export interface ShutdownConfig {
  /** How long to keep serving after SIGTERM, with readiness already failing, so a load
   * balancer stops sending traffic before connections start to close. */
  delayMs: number;
  /** The longest a shutdown may take before the remaining connections are cut. */
  timeoutMs: number;
}

/** How long a connection idle when the drain begins may stay idle before it is closed. */
export const IDLE_CLOSE_MS = 250;

export interface DrainOutcome {
  /** Every connection closed by itself before the deadline. */
  clean: boolean;
  /** Requests still in flight when the deadline cut their connections. */
  cut: number;
  durationMs: number;
}

/**
 * Drains the HTTP server on shutdown so that a client which honours `Connection: close` sees no
 * failed request:
 * 1. readiness fails at once; for `delayMs` everything else goes on as before, while load
 *    balancers notice and stop sending new connections;
 * 2. the listening socket closes (new connections are refused); every response from then on,
 *    and every one still being prepared, carries `Connection: close`, so each kept-alive
 *    connection closes right after the answer to the request it carries;
 * 3. a connection idle at that moment closes once it has stayed idle for `IDLE_CLOSE_MS`
 *    (the keep-alive timeout, shortened): not at the very instant, when a request the client
 *    has just sent may be waiting unread (closing on it would reset it, and the client could
 *    not tell whether it ran); a request that does come is served, and closes the connection;
 * 4. at the deadline (`timeoutMs` after the signal) whatever is left is destroyed.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private readonly connections = new Set<Socket>();
  private closing = false;
  private readonly closingHooks: (() => void)[] = [];

  constructor(
    private readonly server: Server,
    private readonly readiness: Readiness,
    private readonly logger: Logger,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    // Before the app's own listener, so a response the app sends at once is already marked.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.closing) {
        res.setHeader('Connection', 'close');
        // Node lifts a kept-alive connection's idle timeout when a request comes; a connection
        // that had carried none yet keeps the short one of step 3 unless lifted here.
        req.socket.setTimeout(0);
      }
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
  }

  /**
   * Called when connections start to close (step 2): for responses that never finish by
   * themselves, such as change streams, which end there (with a `retry:` hint) instead of
   * holding the drain to its deadline.
   */
  onClosing(hook: () => void): void {
    this.closingHooks.push(hook);
  }

  /** Requests being served right now. */
  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  async drain({ delayMs, timeoutMs }: ShutdownConfig): Promise<DrainOutcome> {
    const started = Date.now();
    this.readiness.startDraining();
    if (delayMs > 0) {
      this.logger.info({ delay_ms: delayMs }, 'shutdown: readiness off, still serving');
      await sleep(delayMs);
    }
    this.closing = true;
    for (const hook of this.closingHooks) hook();
    const busy = new Set<Socket>();
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      busy.add(res.socket as Socket);
    }
    // Node's own handler of an idle socket's timeout destroys it; new bytes put it off.
    for (const socket of this.connections) if (!busy.has(socket)) socket.setTimeout(IDLE_CLOSE_MS);
    // http.Server#close() would also close idle kept-alive connections at this instant (step 3
    // says why not); net.Server#close() only stops accepting and calls back once all are closed.
    const closed = new Promise<void>((resolve) => {
      NetServer.prototype.close.call(this.server, () => resolve());
    });
    this.logger.info(
      { requests_in_flight: this.inFlight.size },
      'shutdown: no new connections; finishing requests in flight',
    );
    const remaining = Math.max(0, timeoutMs - (Date.now() - started));
    const stopWaiting = new AbortController();
    const deadline = sleep(remaining, 'deadline' as const, { signal: stopWaiting.signal });
    deadline.catch(() => undefined);
    const outcome = await Promise.race([closed.then(() => 'closed' as const), deadline]);
    stopWaiting.abort();
    if (outcome === 'closed') return { clean: true, cut: 0, durationMs: Date.now() - started };
    const cut = this.inFlight.size;
    this.server.closeAllConnections();
    return { clean: false, cut, durationMs: Date.now() - started };
  }
}
