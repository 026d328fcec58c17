import {
  accountMailRoutes,
  errorBody,
  FORGOT_PASSWORD_MESSAGE,
  MAIL_TOKEN_INVALID_MESSAGE,
  MAIL_UNAVAILABLE_MESSAGE,
  VERIFICATION_SENT_MESSAGE,
} from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import type { MailConfig } from '../mail/mail-config.js';
import { mailLink, passwordResetMail } from '../mail/messages.js';
import { enqueueMail } from '../mail/outbox.js';
import { findAccountByEmail, findAccountById, replacePasswordHash } from './accounts.repository.js';
import {
  issueMailToken,
  newMailToken,
  peekMailToken,
  secondsSinceLastToken,
  spendMailToken,
} from './account-tokens.js';
import { hashPassword } from './password.js';
import { signOutEverywhere } from './sign-out-everywhere.js';
import { queueVerificationMail } from './verification-mail.js';

const s = initServer();

export interface AccountMailDependencies {
  db: Db;
  mail: MailConfig;
  /** Tells the outbox's sender a mail was committed. */
  wakeOutbox: () => void;
}

// `forgot` answers no sooner than this after it began, known email or not: the known one does
// a transaction's more work (measured ~35 ms apart on the embedded database), which would tell
// who has an account. The floor hides the difference while the work stays under it.
const FORGOT_FLOOR_MS = 250;
const untilElapsed = (startedAt: number, ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + ms - performance.now())));

const noMail = { status: 503, body: errorBody(503, MAIL_UNAVAILABLE_MESSAGE) } as const;
const tokenRefused = { status: 400, body: errorBody(400, MAIL_TOKEN_INVALID_MESSAGE) } as const;

/** `/auth/password/forgot|reset`, `/auth/email/verify|verification`. */
export function accountMailRouter({ db, mail, wakeOutbox }: AccountMailDependencies) {
  return s.router(accountMailRoutes, {
    forgotPassword: async ({ body, req }) => {
      if (mail.delivery === 'off') return noMail;
      const startedAt = performance.now();
      // Made whether or not the email has an account, so both answers cost the same work.
      const { token, hash } = newMailToken();
      const account = await findAccountByEmail(db, body.email);
      if (account !== undefined) {
        const queued = await db.transaction().execute(async (trx) => {
          // A mail a minute at most: asking again and again must not flood the owner's inbox.
          const age = await secondsSinceLastToken(trx, account.id, 'password_reset');
          if (age !== undefined && age < mail.resendIntervalSeconds) return false;
          const expiresAt = await issueMailToken(
            trx,
            account.id,
            'password_reset',
            hash,
            mail.passwordResetMinutes * 60,
          );
          const link = mailLink(mail.appUrl, 'reset-password', token);
          await enqueueMail(trx, {
            userId: account.id,
            kind: 'password_reset',
            to: body.email,
            discardAfter: expiresAt,
            ...passwordResetMail(link, mail.passwordResetMinutes),
          });
          return true;
        });
        if (queued) wakeOutbox();
        req.log.info(
          {
            event: queued ? 'password_reset_requested' : 'password_reset_throttled',
            user_id: account.id,
          },
          'password reset asked for',
        );
      }
      await untilElapsed(startedAt, FORGOT_FLOOR_MS);
      return { status: 202, body: { message: FORGOT_PASSWORD_MESSAGE } };
    },

    resetPassword: async ({ body, req }) => {
      // Checked before hashing, so a made-up token costs no argon2 work; spent below.
      if ((await peekMailToken(db, body.token, 'password_reset')) === undefined) {
        return tokenRefused;
      }
      const passwordHash = await hashPassword(body.new_password);
      const userId = await db.transaction().execute(async (trx) => {
        const owner = await spendMailToken(trx, body.token, 'password_reset');
        if (owner === undefined) return undefined;
        await replacePasswordHash(trx, owner, passwordHash);
        // The link came to the address, which proves it as the verification link would.
        await trx
          .updateTable('accounts')
          .set({ email_verified: true })
          .where('id', '=', owner)
          .execute();
        await signOutEverywhere(trx, owner);
        return owner;
      });
      if (userId === undefined) return tokenRefused;
      req.log.info(
        { event: 'password_reset', user_id: userId },
        'password reset; signed out everywhere',
      );
      return { status: 204, body: undefined };
    },

    verifyEmail: async ({ body, req }) => {
      const userId = await db.transaction().execute(async (trx) => {
        const owner = await spendMailToken(trx, body.token, 'email_verification');
        if (owner === undefined) return undefined;
        await trx
          .updateTable('accounts')
          .set({ email_verified: true })
          .where('id', '=', owner)
          .execute();
        return owner;
      });
      if (userId === undefined) return tokenRefused;
      req.log.info({ event: 'email_verified', user_id: userId }, 'email verified');
      return { status: 204, body: undefined };
    },

    sendVerification: async ({ res }) => {
      if (mail.delivery === 'off') return noMail;
      const account = await findAccountById(db, authenticatedUser(res));
      if (account === undefined) {
        return {
          status: 404,
          body: errorBody(404, "No built-in account has this token's user id"),
        };
      }
      if (account.email_verified) {
        return { status: 409, body: errorBody(409, 'This email address is already verified') };
      }
      const age = await secondsSinceLastToken(db, account.id, 'email_verification');
      if (age !== undefined && age < mail.resendIntervalSeconds) {
        const wait = Math.max(1, Math.ceil(mail.resendIntervalSeconds - age));
        res.setHeader('Retry-After', String(wait));
        return {
          status: 429,
          body: errorBody(
            429,
            `A verification mail was sent moments ago; try again in ${wait} seconds`,
          ),
        };
      }
      await db.transaction().execute((trx) => queueVerificationMail(trx, mail, account));
      wakeOutbox();
      return { status: 202, body: { message: VERIFICATION_SENT_MESSAGE } };
    },
  });
}
