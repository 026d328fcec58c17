import { errorBody, healthRoutes } from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { RequestHandler } from 'express';
import { RETRY_AFTER_UNAVAILABLE_SECONDS, sendUnavailable } from './errors.js';

const s = initServer();

/** Where the server is in its life: readiness and the API's gate follow it. */
export type Phase = 'starting' | 'ready' | 'draining';

export interface ReadinessOptions {
  /** A trivial statement on the database; rejects when it cannot be run. */
  checkDatabase: () => Promise<unknown>;
  /** Longest wait for the database before answering "not ready". */
  timeoutMs?: number;
  now?: () => number;
}

/** How long a database check answers readiness probes, so a flood of probes costs one query. */
const CHECK_REUSE_MS = 250;
const DEFAULT_CHECK_TIMEOUT_MS = 1000;

export type ReadinessVerdict = { ready: true } | { ready: false; reason: string };

/** The server's phase and whether it can serve now; shared by `/readyz` and the API's gate. */
export class Readiness {
  private current: Phase = 'starting';
  private checking: Promise<ReadinessVerdict> | undefined;
  private lastCheck: { at: number; verdict: ReadinessVerdict } | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ReadinessOptions) {
    this.now = options.now ?? Date.now;
  }

  get phase(): Phase {
    return this.current;
  }

  /** The database is reachable and migrated: the API may serve. */
  markReady(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  /** A shutdown has begun: load balancers must stop sending traffic. */
  startDraining(): void {
    this.current = 'draining';
  }

  async verdict(): Promise<ReadinessVerdict> {
    if (this.current === 'starting') {
      return { ready: false, reason: 'Not ready: starting; the database is not reachable yet' };
    }
    if (this.current === 'draining') return { ready: false, reason: 'Not ready: shutting down' };
    const last = this.lastCheck;
    if (last !== undefined && this.now() - last.at < CHECK_REUSE_MS) return last.verdict;
    this.checking ??= this.checkDatabase().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkDatabase(): Promise<ReadinessVerdict> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const check = this.options.checkDatabase();
    check.catch(() => undefined);
    const expired = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    let verdict: ReadinessVerdict;
    try {
      const outcome = await Promise.race([check.then(() => 'answered' as const), expired]);
      verdict =
        outcome === 'answered'
          ? { ready: true }
          : { ready: false, reason: 'Not ready: the database is not answering' };
    } catch {
      verdict = { ready: false, reason: 'Not ready: the database is not answering' };
    } finally {
      clearTimeout(timer);
    }
    this.lastCheck = { at: this.now(), verdict };
    return verdict;
  }
}

/** `/livez` and `/readyz`, as the contract declares them. */
export function healthRouter(readiness: Readiness) {
  return s.router(healthRoutes, {
    live: () => Promise.resolve({ status: 200, body: { status: 'ok' } } as const),
    ready: async ({ res }) => {
      const verdict = await readiness.verdict();
      if (verdict.ready) return { status: 200, body: { status: 'ok' } } as const;
      res.setHeader('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
      return { status: 503, body: errorBody(503, verdict.reason) } as const;
    },
  });
}

/**
 * Holds the API back until the database is reached and migrated: before that a request would
 * meet missing tables (a 500) or wait on a connection that cannot be made.
 */
export function untilReady(readiness: Readiness): RequestHandler {
  return (_req, res, next) => {
    if (readiness.phase !== 'starting') {
      next();
      return;
    }
    sendUnavailable(
      res,
      'The server is starting: its database is not ready yet; try again shortly',
    );
  };
}
