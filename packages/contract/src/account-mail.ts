import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { EmailSchema, NewPasswordSchema, PASSWORD_RULES } from './accounts.js';
import { ErrorBodySchema } from './errors.js';
import type { RouteMetadata } from './resource.js';

// What the built-in accounts do by mail: a forgotten password, and proving the email is the
// owner's. Tokens arrive in links to the web app; only these POSTs spend them, so a mail
// scanner that opens (GETs) a link spends nothing.

const c = initContract();
const error = ErrorBodySchema;

// Tokens are 32 random bytes in base64url (43 characters); the bound only keeps junk short.
const MailTokenSchema = z.string().min(1, 'is required').max(256, 'is not a token from a mail');

/** The body of `POST /auth/password/forgot`. */
export const ForgotPasswordBodySchema = z.object({ email: EmailSchema }).strict();

/** The body of `POST /auth/password/reset`. */
export const ResetPasswordBodySchema = z
  .object({ token: MailTokenSchema, new_password: NewPasswordSchema })
  .strict();

/** The body of `POST /auth/email/verify`. */
export const VerifyEmailBodySchema = z.object({ token: MailTokenSchema }).strict();

/** The body of `POST /auth/email/verification`: the account is the bearer's, so `{}`. */
export const SendVerificationBodySchema = z.object({}).strict();

/** What a request that queues a mail answers: it is accepted, not yet delivered. */
export const MailAcceptedSchema = z.object({ message: z.string() });

/** The one answer to `forgot`, whether or not the email has an account. */
export const FORGOT_PASSWORD_MESSAGE =
  'If this email has an account, a link to choose a new password is on its way';
export const VERIFICATION_SENT_MESSAGE = 'A new verification link is on its way';
/** A reset or verification token that is unknown, spent, replaced by a newer one or expired. */
export const MAIL_TOKEN_INVALID_MESSAGE =
  'This link is invalid, already used, replaced by a newer one or expired: ask for a new one';
export const MAIL_UNAVAILABLE_MESSAGE =
  'Mail is not configured on this server (SMTP_URL), so this cannot be done now';

const metadata = (
  requestExample: unknown,
  responseExample: unknown,
  statuses: Record<number, string>,
  errorMessages: Record<number, string>,
  isPublic = true,
): RouteMetadata => ({
  resource: 'accountMail',
  requestExample,
  responseExample,
  statuses,
  errorMessages,
  public: isPublic,
});

const token = 'kQ3n8mJ0bN5c2dE4fG6hI8jK0lM2nO4pQ6rS8tU0vW2';
const invalidBody = { 400: 'Invalid input: the message and `details` name every failing field' };
const tokenRefused = {
  400: 'The token is unknown, already used, replaced by a newer one or expired (or the body is invalid)',
};
const noMail = { 503: 'The database is away, or mail is not configured (SMTP_URL)' };

/** Built-in accounts by mail: reset a forgotten password, verify the email address. */
export const accountMailRoutes = c.router(
  {
    forgotPassword: {
      method: 'POST',
      path: '/auth/password/forgot',
      body: ForgotPasswordBodySchema,
      summary: 'Mail a link to choose a new password',
      description:
        'Answers 202 with the same body whether or not the email has an account, so the answer ' +
        'tells no one who is registered. The link opens the web app at `/reset-password?token=…`; ' +
        'the token works once, for 30 minutes by default, and only the newest one works.',
      responses: {
        202: MailAcceptedSchema,
        400: error,
        413: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        { email: 'ann@example.com' },
        { message: FORGOT_PASSWORD_MESSAGE },
        { ...invalidBody, ...noMail, 202: 'Accepted: a mail is sent if the email has an account' },
        { 503: MAIL_UNAVAILABLE_MESSAGE },
      ),
    },
    resetPassword: {
      method: 'POST',
      path: '/auth/password/reset',
      body: ResetPasswordBodySchema,
      summary: "Choose a new password with a reset mail's token",
      description:
        `The new password ${PASSWORD_RULES}. Every session of the account is signed out; sign ` +
        'in again with the new password.',
      responses: { 204: c.noBody(), 400: error, 413: error, 429: error, 500: error, 503: error },
      metadata: metadata(
        { token, new_password: 'a brand new passphrase' },
        undefined,
        { ...tokenRefused, 204: 'The password is changed and every session signed out' },
        { 400: MAIL_TOKEN_INVALID_MESSAGE },
      ),
    },
    verifyEmail: {
      method: 'POST',
      path: '/auth/email/verify',
      body: VerifyEmailBodySchema,
      summary: "Verify the account's email with a verification mail's token",
      description:
        'The link in the mail opens the web app at `/verify-email?token=…`, which sends this.',
      responses: { 204: c.noBody(), 400: error, 413: error, 429: error, 500: error, 503: error },
      metadata: metadata(
        { token },
        undefined,
        { ...tokenRefused, 204: 'The email address is verified' },
        { 400: MAIL_TOKEN_INVALID_MESSAGE },
      ),
    },
    sendVerification: {
      method: 'POST',
      path: '/auth/email/verification',
      // Every POST of the API sends JSON (http/json-body.ts); this one sends `{}`.
      body: SendVerificationBodySchema,
      summary: 'Mail a new verification link to the signed-in account',
      description:
        'One mail a minute per account at most: sooner answers 429 with `Retry-After`. An ' +
        'address already verified answers 409. Only the newest link works.',
      responses: {
        202: MailAcceptedSchema,
        401: error,
        404: error,
        409: error,
        413: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        {},
        { message: VERIFICATION_SENT_MESSAGE },
        {
          ...noMail,
          202: 'Accepted: the mail is on its way',
          404: "The token is valid but its user has no built-in account (e.g. a provider's user)",
          409: 'The email address is already verified',
          429: 'A verification mail was sent less than a minute ago',
        },
        {
          409: 'This email address is already verified',
          429: 'A verification mail was sent moments ago; try again in 42 seconds',
          503: MAIL_UNAVAILABLE_MESSAGE,
        },
        false,
      ),
    },
  },
  { strictStatusCodes: true },
);

export type ForgotPasswordBody = z.input<typeof ForgotPasswordBodySchema>;
export type ResetPasswordBody = z.input<typeof ResetPasswordBodySchema>;
export type VerifyEmailBody = z.input<typeof VerifyEmailBodySchema>;
export type MailAccepted = z.infer<typeof MailAcceptedSchema>;
