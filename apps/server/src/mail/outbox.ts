import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { MailContent } from './messages.js';

// The outbox's statements. A mail is written in the transaction of the request that wants it,
// so it exists exactly when that request's change does; the sender reads it after commit.

export interface QueuedMail extends MailContent {
  userId: string;
  kind: string;
  to: string;
  /** Not worth sending after this (its link has expired). */
  discardAfter?: Date | undefined;
}

const secondsFromNow = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

/** Writes a mail to the outbox, in `trx` (the request's transaction). */
export async function enqueueMail(trx: Db, mail: QueuedMail): Promise<void> {
  await trx
    .insertInto('mail_outbox')
    .values({
      user_id: mail.userId,
      kind: mail.kind,
      recipient: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      discard_after: mail.discardAfter ?? null,
    })
    .execute();
}

/**
 * Claims up to `limit` due mails for `leaseSeconds`: each claimed row's next attempt moves past
 * the lease, so another instance (or this one after a crash) takes it only once the lease has
 * run out. `skip locked` lets instances claim side by side without waiting on each other.
 */
export function claimDueMails(db: Db, limit: number, leaseSeconds: number) {
  const due = db
    .selectFrom('mail_outbox')
    .select('id')
    .where('sent_at', 'is', null)
    .where('given_up_at', 'is', null)
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .orderBy('next_attempt_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('mail_outbox')
    .set({
      next_attempt_at: secondsFromNow(leaseSeconds),
      attempts: sql<number>`attempts + 1`,
    })
    .where('id', 'in', due)
    .returning([
      'id',
      'user_id',
      'kind',
      'recipient',
      'subject',
      'text_body',
      'html_body',
      'attempts',
      'discard_after',
    ])
    .execute();
}

/** Sent: the bodies (which hold the link's token) are blanked; the row stays as a record. */
export async function markSent(db: Db, id: string): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set({ sent_at: sql<Date>`now()`, text_body: null, html_body: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Failed this time: tried again in `retryInSeconds`. */
export async function markRetry(db: Db, id: string, retryInSeconds: number, error: string) {
  await db
    .updateTable('mail_outbox')
    .set({ next_attempt_at: secondsFromNow(retryInSeconds), last_error: error })
    .where('id', '=', id)
    .execute();
}

/** Never to be sent (too many failures, or its link expired): its bodies are blanked. */
export async function markGivenUp(db: Db, id: string, reason: string) {
  await db
    .updateTable('mail_outbox')
    .set({ given_up_at: sql<Date>`now()`, last_error: reason, text_body: null, html_body: null })
    .where('id', '=', id)
    .execute();
}
