import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  AccountSchema,
  NewPasswordSchema,
  PASSWORD_RULES,
  PasswordAttemptSchema,
} from './accounts.js';
import { ErrorBodySchema, invalidRequestMessage } from './errors.js';
import { TimestampSchema, UserIdParamSchema } from './fields.js';
import { resources, type Resources } from './registry.js';
import type { RouteMetadata } from './resource.js';

const c = initContract();
const error = ErrorBodySchema;

/** The body of `POST /auth/password`. */
export const ChangePasswordBodySchema = z
  .object({ current_password: PasswordAttemptSchema, new_password: NewPasswordSchema })
  .strict();

/** The body of `DELETE /auth/me`: the password again, so a borrowed session cannot do it. */
export const DeleteAccountBodySchema = z.object({ password: PasswordAttemptSchema }).strict();

/** One signed-in session (a sign-in and the refreshes that kept it going). */
export const SessionSchema = z.object({
  id: z.string(),
  created_at: TimestampSchema,
  /** When it last signed in or refreshed. */
  last_used_at: TimestampSchema,
  /** When it ends whatever its use (SESSION_ABSOLUTE_DAYS after sign-in). */
  expires_at: TimestampSchema,
  /** The User-Agent of the request that signed in, as sent (cut to 256 characters). */
  user_agent: z.string().nullable(),
  /** Whether the access token of this request belongs to it. */
  current: z.boolean(),
});

/** The answer of `GET /auth/sessions`, newest use first. */
export const SessionListSchema = z.object({ sessions: z.array(SessionSchema) });

/** `DELETE /auth/sessions/{id}`'s path. */
export const SessionIdParamsSchema = z.object({ id: z.string().uuid('must be a session id') });

type ExportShape = { [K in keyof Resources]: z.ZodArray<Resources[K]['schemas']['response']> };

function exportShape(): ExportShape {
  const entries = Object.entries(resources).map(([name, resource]) => [
    name,
    z.array(resource.schemas.response),
  ]);
  // Object.fromEntries forgets the keys; the mapped type restores what the loop built.
  return Object.fromEntries(entries) as ExportShape;
}

/**
 * `GET /api/{user_id}/export`: the account (null for a provider's user) and every item of every
 * registered resource, each as its routes answer it.
 */
export const ExportSchema = z.object({
  exported_at: TimestampSchema,
  user: AccountSchema.nullable(),
  ...exportShape(),
});

const sessionExample = {
  id: '5d1f3a0e-8c2b-4f7a-9e61-0a4b2c3d4e5f',
  created_at: '2026-01-15T09:30:00.000Z',
  last_used_at: '2026-01-16T18:02:11.000Z',
  expires_at: '2026-04-15T09:30:00.000Z',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
  current: true,
};
const metadata = (
  resource: string,
  requestExample: unknown,
  responseExample: unknown,
  statuses: Record<number, string>,
  errorMessages: Record<number, string>,
): RouteMetadata => ({ resource, requestExample, responseExample, statuses, errorMessages });

const WRONG_PASSWORD = 'The password is incorrect';
const throttled = { 429: 'Too many failed password attempts; try again in 840 seconds' };
const unauthenticated = {
  401: 'Missing or malformed Authorization header: expected "Bearer <token>"',
};

/**
 * The account's security under `/auth` (bearer token): change the password, see and end
 * sessions, delete the account.
 */
export const accountSecurityRoutes = c.router(
  {
    changePassword: {
      method: 'POST',
      path: '/auth/password',
      body: ChangePasswordBodySchema,
      summary: 'Change the password',
      description:
        `The new password ${PASSWORD_RULES}. Every other session of the account is signed out ` +
        'and access tokens issued before are refused within seconds; this session stays. A ' +
        'wrong current password is 401 and counts as a failed sign-in (429 when repeated).',
      responses: {
        204: c.noBody(),
        400: error,
        401: error,
        404: error,
        413: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        'auth',
        { current_password: 'correct horse battery staple', new_password: 'a new passphrase here' },
        undefined,
        {
          204: 'Changed; other sessions signed out',
          401: 'No valid token, or the current password is incorrect',
          404: "The token is valid but its user has no built-in account (e.g. a provider's user)",
        },
        {
          404: "No built-in account has this token's user id",
          400: invalidRequestMessage([{ path: 'body.new_password', message: PASSWORD_RULES }]),
          401: WRONG_PASSWORD,
          ...throttled,
        },
      ),
    },
    sessions: {
      method: 'GET',
      path: '/auth/sessions',
      summary: "The account's sessions",
      description: 'Every session still able to refresh, most recently used first.',
      responses: { 200: SessionListSchema, 401: error, 429: error, 500: error, 503: error },
      metadata: metadata('auth', undefined, { sessions: [sessionExample] }, {}, unauthenticated),
    },
    endSession: {
      method: 'DELETE',
      path: '/auth/sessions/:id',
      pathParams: SessionIdParamsSchema,
      summary: 'Sign one session out',
      description:
        'Its refresh token stops working at once; its access token at its expiry (15 minutes ' +
        'by default). To cut every access token at once, sign out everywhere.',
      responses: {
        204: c.noBody(),
        400: error,
        404: error,
        401: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        'auth',
        undefined,
        undefined,
        { 204: 'Signed out', 404: 'The account has no such session (or no longer)' },
        { 404: 'Session not found' },
      ),
    },
    endAllSessions: {
      method: 'DELETE',
      path: '/auth/sessions',
      summary: 'Sign out everywhere',
      description:
        'Every session of the account, this one included, is signed out, and every access token ' +
        'issued before is refused on every server instance within seconds.',
      responses: { 204: c.noBody(), 401: error, 429: error, 500: error, 503: error },
      metadata: metadata('auth', undefined, undefined, { 204: 'Signed out everywhere' }, {}),
    },
    deleteAccount: {
      method: 'DELETE',
      path: '/auth/me',
      body: DeleteAccountBodySchema,
      summary: 'Delete the account and all its data',
      description:
        'The password confirms it. In one transaction: the account, its sessions, its stored ' +
        'Idempotency-Key answers, its pending mails and every item of every resource. The ' +
        'email may register again afterwards. A wrong password is 401 and counts as a failed ' +
        'sign-in.',
      responses: {
        204: c.noBody(),
        400: error,
        404: error,
        413: error,
        401: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        'auth',
        { password: 'correct horse battery staple' },
        undefined,
        {
          204: 'Deleted, with everything it owned',
          401: 'No valid token, or the password is incorrect',
          404: "The token is valid but its user has no built-in account (e.g. a provider's user)",
        },
        { 401: WRONG_PASSWORD, 404: "No built-in account has this token's user id", ...throttled },
      ),
    },
  },
  { strictStatusCodes: true },
);

const userParams = z.object({ user_id: UserIdParamSchema });
const forbidden = "The token's user may not access another user's resources";

/** A user's data as a whole, under `/api/{user_id}` (bearer token of that user). */
export const userDataRoutes = c.router(
  {
    export: {
      method: 'GET',
      path: '/api/:user_id/export',
      pathParams: userParams,
      summary: 'Download all my data',
      description:
        'One JSON document, `Content-Disposition: attachment`, read from one consistent ' +
        'snapshot and streamed: every item of every resource as its routes answer it, and the ' +
        'account (null for a user of an identity provider). Secrets are never part of it.',
      responses: { 200: ExportSchema, 403: error, 401: error, 429: error, 500: error, 503: error },
      metadata: metadata(
        'userData',
        undefined,
        {
          exported_at: '2026-01-16T18:02:11.000Z',
          user: {
            id: '0b7e9a64-3c1f-4d2a-9a57-2f1c8e6d4b10',
            email: 'ann@example.com',
            email_verified: true,
            created_at: '2026-01-15T09:30:00.000Z',
          },
          ...Object.fromEntries(Object.keys(resources).map((name) => [name, []])),
        },
        { 200: 'The whole export (a download)' },
        { 403: forbidden },
      ),
    },
    remove: {
      method: 'DELETE',
      path: '/api/:user_id',
      pathParams: userParams,
      summary: "Delete all of a provider's user's data",
      description:
        'For users of an identity provider (no built-in account): every item of every resource ' +
        'and every stored Idempotency-Key answer, in one transaction. A user with a built-in ' +
        'account gets 403 and deletes it with `DELETE /auth/me` and the password instead.',
      responses: { 204: c.noBody(), 403: error, 401: error, 429: error, 500: error, 503: error },
      metadata: metadata(
        'userData',
        undefined,
        undefined,
        {
          204: 'Every row of the user deleted',
          403: "Another user's path, or a built-in account (use DELETE /auth/me)",
        },
        { 403: 'This user has a built-in account: delete it with DELETE /auth/me' },
      ),
    },
  },
  { strictStatusCodes: true },
);

export type ChangePasswordBody = z.input<typeof ChangePasswordBodySchema>;
export type DeleteAccountBody = z.input<typeof DeleteAccountBodySchema>;
export type AccountSession = z.infer<typeof SessionSchema>;
export type AccountExport = z.infer<typeof ExportSchema>;
