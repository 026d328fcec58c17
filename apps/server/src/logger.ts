import { pino, type DestinationStream, type Logger } from 'pino';

/** The one structured logger; `destination` lets tests read what would be written. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'enclave' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: even if a header object reaches a log call, its secrets do not.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.password', '*.token'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type { Logger };
