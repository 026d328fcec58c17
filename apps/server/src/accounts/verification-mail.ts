import type { Db } from '../db/schema.js';
import type { MailConfig } from '../mail/mail-config.js';
import { mailLink, verificationMail } from '../mail/messages.js';
import { enqueueMail } from '../mail/outbox.js';
import { issueMailToken, newMailToken } from './account-tokens.js';

/**
 * Issues a verification token and queues its mail, in `trx`: after registering, on asking for
 * a new one, and on a refused sign-in under REQUIRE_VERIFIED_EMAIL. Nothing without mail.
 */
export async function queueVerificationMail(
  trx: Db,
  mail: MailConfig,
  account: { id: string; email: string },
): Promise<void> {
  if (mail.delivery === 'off') return;
  const { token, hash } = newMailToken();
  const expiresAt = await issueMailToken(
    trx,
    account.id,
    'email_verification',
    hash,
    mail.verificationHours * 3600,
  );
  const link = mailLink(mail.appUrl, 'verify-email', token);
  await enqueueMail(trx, {
    userId: account.id,
    kind: 'email_verification',
    to: account.email,
    discardAfter: expiresAt,
    ...verificationMail(link, mail.verificationHours),
  });
}
