import { pino, type DestinationStream, type Logger } from 'pino';

// Driver errors carry request data: PGlite attaches the statement's parameters (`params`),
// PostgreSQL row values (`detail`, `where`). Only what locates the fault is written.
const LOGGED_ERROR_FIELDS = [
  'type',
  'message',
  'stack',
  'code',
  'constraint',
  'table',
  'column',
  'routine',
] as const;

/** The `err` serialiser of every logger here, request loggers included. */
export function serializeError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const full: Record<string, unknown> =
    error instanceof Error ? { ...pino.stdSerializers.err(error) } : { ...error };
  return Object.fromEntries(
    LOGGED_ERROR_FIELDS.filter((field) => full[field] !== undefined).map((field) => [
      field,
      full[field],
    ]),
  );
}

/** The one structured logger; `destination` lets tests read what would be written. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'enclave' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      // Defence in depth: even if a header object reaches a log call, its secrets do not.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token'],
        censor: '[redacted]',
      },
    },
    // Written off the main thread, and coalesced while a write is in flight: a synchronous
    // write per line was a system call on every request. Lines still pending when the process
    // exits are written then (pino flushes its own destinations on exit).
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
