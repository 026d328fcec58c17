import type { Logger } from '../../logger.js';

/**
 * Why the database could not serve a request, as the operator needs to know it; clients get
 * the same 503 whatever the reason.
 * - `unreachable`: no connection (refused, reset, DNS, shutting down, starting up, a standby)
 * - `timeout`: no answer in time (connect, or a statement the server never answered)
 * - `busy`: the server answered but could not take the work now (statement timeout, no free
 *   connection in the pool, too many connections)
 */
export type UnavailableReason = 'unreachable' | 'timeout' | 'busy';

/** Thrown by the data layer when the database cannot serve; the HTTP layer answers 503. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';

  constructor(
    readonly reason: UnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(`The database is unavailable (${reason})`, options);
  }
}

/**
 * Connection-level errno codes: the network or the server's process is gone. Everything here
 * is the environment's fault, never the request's.
 */
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs that mean "not now" rather than "wrong" (after PostgREST's table): connection
 * exceptions, shutdown and startup, and a standby refusing writes during a failover.
 */
function sqlStateReason(code: string): UnavailableReason | undefined {
  if (code.startsWith('08')) return 'unreachable';
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'unreachable';
  if (code === '25006') return 'unreachable';
  // Our statement_timeout: the server is alive but this statement took too long.
  if (code === '57014') return 'busy';
  // Insufficient resources (too many connections, out of memory, disk full); 53400 is a
  // configuration limit, a bug of ours rather than a passing state.
  if (code.startsWith('53') && code !== '53400') return 'busy';
  return undefined;
}

// node-postgres reports lost and timed-out connections by message only.
const DRIVER_MESSAGES: [RegExp, UnavailableReason][] = [
  [/^Connection terminated due to connection timeout/, 'timeout'],
  [/^timeout exceeded when trying to connect/, 'busy'],
  [/^Connection terminated/, 'unreachable'],
  [/is not queryable$/, 'unreachable'],
];

/**
 * Whether `error` means the database is unavailable, and why; undefined for every other error
 * (a bug or a bad statement: those stay 500).
 */
export function unavailableReason(error: unknown): UnavailableReason | undefined {
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth += 1) {
    if (error instanceof DatabaseUnavailableError) return error.reason;
    const { code, message, errors, cause } = error as {
      code?: unknown;
      message?: unknown;
      errors?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') {
      if (UNREACHABLE_ERRNO.has(code)) return 'unreachable';
      if (/^[0-9A-Z]{5}$/.test(code)) {
        const reason = sqlStateReason(code);
        if (reason !== undefined) return reason;
      }
    }
    if (typeof message === 'string') {
      const match = DRIVER_MESSAGES.find(([pattern]) => pattern.test(message));
      if (match !== undefined) return match[1];
    }
    // Node reports a failed connect to several addresses as one AggregateError.
    error = Array.isArray(errors) && errors.length > 0 ? (errors[0] as unknown) : cause;
  }
  return undefined;
}

/** Whether an unavailability means the database itself is out of reach (an incident). */
export function isOutage(reason: UnavailableReason): boolean {
  return reason !== 'busy';
}

interface Incident {
  since: number;
  reason: UnavailableReason;
  /** Requests answered 503 during the incident. */
  refused: number;
}

export interface AvailabilityOptions {
  /** Opens a fresh connection and runs a trivial statement; rejects when it cannot. */
  probe: () => Promise<void>;
  logger: Logger;
  now?: () => number;
}

/**
 * The database's availability as this process sees it, so an outage costs fast 503s and one
 * log line, not a pile of waiting requests and a line each.
 *
 * While the database answers, `admit()` costs nothing. The first failure that means an outage
 * opens an incident: from then on every request waits for one shared probe (a new connection
 * and `select 1`, bounded by the connect timeout) instead of queueing on connections that may
 * be dead; the probe that succeeds closes the incident and lets its requests through, so the
 * first request after the database returns is served.
 */
export class DatabaseAvailability {
  private incident: Incident | undefined;
  private probing: Promise<boolean> | undefined;
  private generationCounter = 0;
  private readonly now: () => number;

  constructor(private readonly options: AvailabilityOptions) {
    this.now = options.now ?? Date.now;
  }

  /** True while no incident is open. */
  get available(): boolean {
    return this.incident === undefined;
  }

  /**
   * Connections made before the last incident began may be dead without knowing it (a frozen
   * or partitioned host never sends a reset); the pool drops those whose generation is older.
   */
  get generation(): number {
    return this.generationCounter;
  }

  /** Resolves when a request may use the database; throws DatabaseUnavailableError if not. */
  async admit(): Promise<void> {
    const incident = this.incident;
    if (incident === undefined) return;
    this.probing ??= this.runProbe();
    if (await this.probing) return;
    incident.refused += 1;
    throw new DatabaseUnavailableError(incident.reason);
  }

  /** Reports a failure seen by a query or a connection attempt; opens an incident on outage. */
  reportFailure(reason: UnavailableReason, error: unknown): void {
    if (!isOutage(reason) || this.incident !== undefined) return;
    this.incident = { since: this.now(), reason, refused: 0 };
    this.generationCounter += 1;
    this.options.logger.error(
      { event: 'database_unavailable', reason, err: error },
      'database unavailable: answering 503 until it is back',
    );
  }

  /** Counts a request that was answered 503 for the open incident's sake. */
  countRefusal(): void {
    if (this.incident !== undefined) this.incident.refused += 1;
  }

  private async runProbe(): Promise<boolean> {
    try {
      await this.options.probe();
      const incident = this.incident;
      this.incident = undefined;
      if (incident !== undefined) {
        this.options.logger.info(
          {
            event: 'database_available',
            reason: incident.reason,
            down_ms: this.now() - incident.since,
            refused_requests: incident.refused,
          },
          'database available again',
        );
      }
      return true;
    } catch {
      return false;
    } finally {
      this.probing = undefined;
    }
  }
}
