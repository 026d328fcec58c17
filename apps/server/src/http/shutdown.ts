import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShutdownConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Readiness } from './health.js';

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
 * 3. a connection idle at that moment is left to the keep-alive timeout, as always: closing it
 *    now would race a request the client may be sending on it (a reset it cannot retry safely);
 * 4. at the deadline (`timeoutMs` after the signal) whatever is left is destroyed.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private closing = false;

  constructor(
    private readonly server: Server,
    private readonly readiness: Readiness,
    private readonly logger: Logger,
  ) {
    // Before the app's own listener, so a response the app sends at once is already marked.
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.closing) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
    });
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
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    // http.Server#close() would also close idle kept-alive connections at once (step 3 says
    // why not); net.Server#close() only stops accepting and calls back once all are closed.
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
