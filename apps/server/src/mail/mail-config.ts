import { z } from 'zod';
import { integer, isParsableUrl, optional } from '../env-values.js';

// The mail settings: parsed here (config.ts composes them into the one schema of the
// environment) and resolved with the server's environment, since their defaults differ
// between development and production.

/** Mail's variables, as config.ts's one schema of the environment takes them. */
export const mailEnvShape = {
  // Holds the SMTP password: checked like DATABASE_URL and never echoed.
  SMTP_URL: optional(
    z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  MAIL_FROM: optional(z.string().max(320, 'must be at most 320 characters')),
  APP_URL: optional(
    z
      .string()
      .regex(/^https?:\/\//, 'must be an http:// or https:// URL')
      .refine(isParsableUrl, 'must be a valid URL'),
  ),
  PASSWORD_RESET_MINUTES: optional(integer(5, 1440)),
  REQUIRE_VERIFIED_EMAIL: optional(z.enum(['on', 'off'])),
};

export type MailEnv = z.output<z.ZodObject<typeof mailEnvShape>>;

/**
 * How mail leaves: through SMTP; into the log (development without SMTP_URL, so `npm start`
 * needs no mail server); or not at all (production without SMTP_URL: the routes that must
 * send answer 503).
 */
export type MailDelivery = 'smtp' | 'log' | 'off';

export interface MailConfig {
  delivery: MailDelivery;
  /** Only with `smtp`. Holds credentials: log `smtpHost` instead. */
  smtpUrl: string | undefined;
  /** The SMTP server's host, fit for a log line. */
  smtpHost: string | undefined;
  from: string;
  /** The web app's origin (and path, if any): the links in mails start here, no trailing `/`. */
  appUrl: string;
  passwordResetMinutes: number;
  verificationHours: number;
  /** The least time between two verification (or reset) mails of one account. */
  resendIntervalSeconds: number;
  /** Sign-in refused (403) until the email is verified. */
  requireVerifiedEmail: boolean;
}

export class MailConfigError extends Error {
  override readonly name = 'MailConfigError';
}

// A link to 0.0.0.0 or :: opens nothing in a mail reader; the machine's own name does.
const linkHost = (host: string) =>
  host === '0.0.0.0' || host === '::' || host === ''
    ? 'localhost'
    : host.includes(':')
      ? `[${host}]`
      : host;

/**
 * Resolves the mail settings. What they mean for the routes (503 without mail in production)
 * is said in the start log by main.ts (`mailStartMessage`).
 */
export function resolveMailConfig(
  env: MailEnv,
  server: { production: boolean; host: string; port: number },
): MailConfig {
  const delivery: MailDelivery =
    env.SMTP_URL !== undefined ? 'smtp' : server.production ? 'off' : 'log';
  const requireVerifiedEmail = env.REQUIRE_VERIFIED_EMAIL === 'on';
  if (delivery === 'off') {
    if (requireVerifiedEmail) {
      throw new MailConfigError(
        'REQUIRE_VERIFIED_EMAIL=on needs SMTP_URL: without mail no one could ever verify and sign in',
      );
    }
  }
  if (server.production && delivery === 'smtp' && env.APP_URL === undefined) {
    throw new MailConfigError(
      'APP_URL must be set when NODE_ENV=production: the links in mails open the web app there',
    );
  }
  const appUrl = (env.APP_URL ?? `http://${linkHost(server.host)}:${server.port}`).replace(
    /\/+$/,
    '',
  );
  return {
    delivery,
    smtpUrl: env.SMTP_URL,
    smtpHost: env.SMTP_URL === undefined ? undefined : new URL(env.SMTP_URL).hostname,
    from: env.MAIL_FROM ?? `Enclave <no-reply@${new URL(appUrl).hostname}>`,
    appUrl,
    passwordResetMinutes: env.PASSWORD_RESET_MINUTES ?? 30,
    verificationHours: 48,
    resendIntervalSeconds: 60,
    requireVerifiedEmail,
  };
}

/** The start log's line about mail: how it leaves and, without it, what that means. */
export function mailStartMessage(mail: MailConfig): string {
  if (mail.delivery === 'smtp') return `mail is sent through SMTP (${mail.smtpHost})`;
  if (mail.delivery === 'log') {
    return 'SMTP_URL is not set: mails are written to the log, links included (development only)';
  }
  return (
    'SMTP_URL is not set: no mail is sent, so POST /auth/password/forgot and ' +
    '/auth/email/verification answer 503 and new accounts get no verification mail'
  );
}
