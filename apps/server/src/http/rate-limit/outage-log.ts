import type { Logger } from '../../logger.js';

/** Reports a store's failures once per incident, never once per request. */
export interface OutageLog {
  /** A request let through unlimited because its command, sent at `sentAt`, failed. */
  failed(error: unknown, sentAt: number): void;
  /** The store answered: an incident, if one is on, is over. */
  answered(): void;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `fields` locate the store in every line (host and port, never credentials). */
export function createOutageLog(
  logger: Logger,
  fields: Record<string, unknown>,
  now: () => number = () => performance.now(),
): OutageLog {
  let since: number | undefined;
  let letThrough = 0;
  let recoveredAt = Number.NEGATIVE_INFINITY;
  return {
    failed(error, sentAt) {
      if (since === undefined) {
        // A command sent before the store recovered can still time out just after: it belongs
        // to the incident already reported, not to a new one.
        if (sentAt < recoveredAt) return;
        since = now();
        letThrough = 0;
        logger.warn(
          { ...fields, reason: reasonOf(error) },
          'rate limiting unavailable: Redis does not answer; requests are let through unlimited',
        );
      }
      letThrough += 1;
    },
    answered() {
      if (since === undefined) return;
      const at = now();
      logger.info(
        { ...fields, duration_ms: Math.round(at - since), requests_let_through: letThrough },
        'rate limiting restored: Redis answers again',
      );
      since = undefined;
      recoveredAt = at;
    },
  };
}
