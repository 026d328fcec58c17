import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Delivery } from './delivery.js';
import { claimDueMails, markGivenUp, markRetry, markSent } from './outbox.js';

export interface OutboxSenderOptions {
  db: Db;
  delivery: Delivery;
  logger: Logger;
  /** How often the outbox is read without a wake-up: mails of a crashed or other instance. */
  scanIntervalMs?: number;
  /** The wait after the first failure, doubled after each (with up to 20% jitter). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Attempts before a mail is given up (logged as an error). */
  maxAttempts?: number;
  batchSize?: number;
  /** How long a claimed mail is this sender's before another may take it. */
  leaseSeconds?: number;
}

export interface OutboxSender {
  /** Reads the outbox now (after a commit that wrote to it); coalesces with a read under way. */
  wake(): void;
  /** Starts the periodic scan, and a first read. */
  start(): void;
  /** Stops scanning and waits for the read under way. */
  stop(): Promise<void>;
  /** Resolves when no read is under way (tests). */
  idle(): Promise<void>;
}

/**
 * Delivers the outbox's mails after their requests commit: woken right after a commit, and
 * every `scanIntervalMs` besides, so a mail whose wake-up was lost (a crash between commit and
 * send, another instance's request) still leaves. Failures are tried again with exponential
 * backoff. A mail may go twice if the process dies between sending and marking it sent (at
 * least once, never lost).
 */
export function createOutboxSender({
  db,
  delivery,
  logger,
  scanIntervalMs = 10_000,
  retryBaseMs = 5_000,
  retryMaxMs = 3_600_000,
  maxAttempts = 12,
  batchSize = 20,
  leaseSeconds = 120,
}: OutboxSenderOptions): OutboxSender {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function sendOne(row: Awaited<ReturnType<typeof claimDueMails>>[number]) {
    const fields = { mail_id: row.id, kind: row.kind, user_id: row.user_id };
    if (row.discard_after !== null && row.discard_after.getTime() < Date.now()) {
      await markGivenUp(db, row.id, 'its link expired before it could be sent');
      logger.warn({ event: 'mail_expired', ...fields }, 'mail dropped: its link expired unsent');
      return;
    }
    try {
      await delivery.send({
        id: row.id,
        userId: row.user_id,
        kind: row.kind,
        to: row.recipient,
        subject: row.subject,
        text: row.text_body ?? '',
        html: row.html_body ?? '',
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (row.attempts >= maxAttempts) {
        await markGivenUp(db, row.id, reason);
        logger.error(
          { event: 'mail_given_up', ...fields, attempts: row.attempts, reason },
          'mail given up',
        );
        return;
      }
      const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** (row.attempts - 1));
      const retryInMs = Math.round(backoff * (1 + Math.random() * 0.2));
      await markRetry(db, row.id, retryInMs / 1000, reason);
      logger.warn(
        { event: 'mail_failed', ...fields, attempts: row.attempts, retry_in_ms: retryInMs, reason },
        'mail not sent; will try again',
      );
      return;
    }
    await markSent(db, row.id);
    logger.info({ event: 'mail_sent', ...fields, attempts: row.attempts }, 'mail sent');
  }

  async function drainOutbox() {
    for (;;) {
      const claimed = await claimDueMails(db, batchSize, leaseSeconds);
      for (const row of claimed) await sendOne(row);
      if (claimed.length < batchSize || stopped) return;
    }
  }

  function wake() {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await drainOutbox();
        } catch (error) {
          // The database away, say: the next scan tries again.
          logger.error({ event: 'outbox_failed', err: error }, 'could not read the mail outbox');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  }

  return {
    wake,
    start() {
      timer ??= setInterval(wake, scanIntervalMs);
      timer.unref();
      wake();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      delivery.close();
    },
    idle: async () => {
      await running;
    },
  };
}
