import { createTransport } from 'nodemailer';
import type { Logger } from '../logger.js';

/** A mail as the outbox hands it to be sent. */
export interface OutgoingMail {
  id: string;
  userId: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one mail, or throws why not (a retry may succeed). */
export interface Delivery {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

// An SMTP error may quote what it was given; the URL's credentials must never reach a log.
function redacted(error: unknown, secrets: readonly string[]): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  let message = original.message;
  for (const secret of secrets) {
    if (secret !== '') message = message.split(secret).join('[redacted]');
  }
  const safe = new Error(message);
  const code = (original as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}

/** Delivery through the SMTP server of `url` (`smtp://user:pass@host:587`, `smtps://…`). */
export function smtpDelivery(url: string, from: string): Delivery {
  const parsed = new URL(url);
  const secrets = [
    decodeURIComponent(parsed.password),
    parsed.password,
    decodeURIComponent(parsed.username),
  ];
  // Bounded waits: a mail server that hangs must not hold the sender for ever.
  const transport = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      try {
        await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
      } catch (error) {
        throw redacted(error, secrets);
      }
    },
    close: () => transport.close(),
  };
}

/**
 * Development without SMTP_URL: the mail goes to the log, link included, so a developer can
 * follow a reset or verification link with no mail server. This is the one place a token may
 * be logged, and it exists only outside production (mail-config.ts never chooses it there).
 */
export function logDelivery(logger: Logger): Delivery {
  return {
    send(mail) {
      logger.info(
        {
          event: 'mail_logged',
          mail_id: mail.id,
          kind: mail.kind,
          user_id: mail.userId,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
        },
        'development: mail written to the log instead of sent (SMTP_URL is not set)',
      );
      return Promise.resolve();
    },
    close: () => {},
  };
}
