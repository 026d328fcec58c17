import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { CreateHeadersSchema, IDEMPOTENCY_KEY_REUSED_MESSAGE } from './conditions.js';
import { conflictMessage, ErrorBodySchema, invalidRequestMessage } from './errors.js';
import { TimestampSchema } from './fields.js';
import type { RouteMetadata } from './resource.js';

const c = initContract();
const error = ErrorBodySchema;

export const PASSWORD_MIN_LENGTH = 12;
/** Why sign-in is refused (403) under REQUIRE_VERIFIED_EMAIL=on. */
export const EMAIL_NOT_VERIFIED_MESSAGE =
  'This email address is not verified yet: open the link in the verification mail; a new ' +
  'one is sent with this answer unless one was sent in the last minute';
export const PASSWORD_MAX_LENGTH = 128;
/** Every rule a new password must meet, stated whole whichever one it broke. */
export const PASSWORD_RULES =
  `must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long and must not be the ` +
  'email address; any characters are allowed, spaces included';

// Emails compare case-insensitively and without surrounding spaces, so `Ann@X.org ` and
// `ann@x.org` are one account. The part before `@` is case-sensitive by the letter of RFC 5321,
// but no mainstream provider treats it so, and two accounts differing only in case are a trap.
// Provider aliases (dots, `+tags`) are distinct addresses and stay distinct.
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .email('must be an email address such as ann@example.com');

// Counted in code points, as a person counts characters (an emoji is one).
const codePoints = (value: string) => [...value].length;

/** A password as a new one must be: the rules of {@link PASSWORD_RULES}. */
export const NewPasswordSchema = z.string().refine((value) => {
  const length = codePoints(value);
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH && !value.includes('\0');
}, PASSWORD_RULES);

// Login does not re-apply today's rules (an older account may predate them); the bound only
// keeps a megabyte "password" away from the hasher.
/** A password as typed to prove who one is (sign-in, confirmations). */
export const PasswordAttemptSchema = z
  .string()
  .min(1, 'is required')
  .max(1024, 'must be at most 1024 characters');

/** The body of `POST /auth/register`. */
export const RegisterBodySchema = z
  .object({ email: EmailSchema, password: NewPasswordSchema })
  .strict()
  .superRefine((body, ctx) => {
    if (body.password.trim().toLowerCase() === body.email) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['password'], message: PASSWORD_RULES });
    }
  });

/** The body of `POST /auth/login`. */
export const LoginBodySchema = z
  .object({ email: EmailSchema, password: PasswordAttemptSchema })
  .strict();

/** The body of `POST /auth/refresh` and `POST /auth/logout`. */
export const RefreshBodySchema = z
  .object({ refresh_token: z.string().min(1, 'is required').max(512, 'is not a refresh token') })
  .strict();

/** A built-in account as its owner sees it; `id` is the `user_id` of the resource paths. */
export const AccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  /** Whether the owner has opened the verification mail's link (`POST /auth/email/verify`). */
  email_verified: z.boolean(),
  created_at: TimestampSchema,
});

/** What login and refresh answer, in the names of RFC 6749 §5.1. */
export const TokenPairSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expires_in: z.number().int().positive(),
});

const account = {
  id: '0b7e9a64-3c1f-4d2a-9a57-2f1c8e6d4b10',
  email: 'ann@example.com',
  email_verified: false,
};
const tokenPairExample = {
  access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjdlOWE2NCJ9.c2lnbmF0dXJl',
  refresh_token: 'Vq3n8mJ0bN5c2dE4fG6hI8jK0lM2nO4pQ6rS8tU0vW2',
  token_type: 'Bearer',
  expires_in: 900,
};
const metadata = (
  requestExample: unknown,
  responseExample: unknown,
  statuses: Record<number, string>,
  errorMessages: Record<number, string>,
  isPublic = true,
): RouteMetadata => ({
  resource: 'auth',
  requestExample,
  responseExample,
  statuses,
  errorMessages,
  public: isPublic,
});
const throttled = { 429: 'Too many failed sign-in attempts; try again in 840 seconds' };
const badPassword = {
  400: invalidRequestMessage([{ path: 'body.password', message: PASSWORD_RULES }]),
};
const invalidBody = { 400: 'Invalid input: the message and `details` name every failing field' };

// Sign-in and refresh answer alike: a new pair, or why not. 429 is the per-address rate limit
// (and, for sign-in, the failed-attempt throttle); 503 the database being away.
const tokenPairResponses = {
  200: TokenPairSchema,
  400: error,
  401: error,
  413: error,
  429: error,
  500: error,
  503: error,
} as const;

/** Built-in accounts: register, sign in, keep signed in, sign out, and who am I. */
export const accountRoutes = c.router(
  {
    register: {
      method: 'POST',
      path: '/auth/register',
      headers: CreateHeadersSchema,
      body: RegisterBodySchema,
      summary: 'Create an account',
      description:
        `The password ${PASSWORD_RULES}. The email is stored trimmed and lower-cased. With an ` +
        '`Idempotency-Key`, a retry with the same email and password answers what the first ' +
        'request answered (`Idempotent-Replayed: true`) instead of 409.',
      responses: {
        201: AccountSchema,
        400: error,
        409: error,
        413: error,
        422: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: {
        ...metadata(
          { email: account.email, password: 'correct horse battery staple' },
          { ...account, created_at: '2026-01-15T09:30:00.000Z' },
          {
            ...invalidBody,
            201: 'The new account',
            409:
              'This email already has an account, or a request with this Idempotency-Key is ' +
              'still being processed',
            422: 'This Idempotency-Key was used before with another email or password',
          },
          {
            ...badPassword,
            409: conflictMessage({ path: 'body.email', message: 'is already registered' }),
            422: IDEMPOTENCY_KEY_REUSED_MESSAGE,
          },
        ),
        requestHeaders: {
          'idempotency-key': {
            description:
              "Makes a retry safe: per email, kept 24 hours by default (see the resources' " +
              'create routes).',
            example: '5c0f8e0e-7d4b-4e0a-9d0e-1d6b2f3c4a5b',
          },
        },
        responseHeaders: {
          201: {
            'Idempotent-Replayed': {
              description: '`true` when this is the stored answer to an earlier request',
              example: 'true',
            },
          },
        },
      },
    },
    login: {
      method: 'POST',
      path: '/auth/login',
      body: LoginBodySchema,
      summary: 'Sign in: exchange email and password for tokens',
      description:
        'An unknown email and a wrong password get the same 401. Repeated failures for one ' +
        'email or from one address answer 429 with `Retry-After`.',
      // 403 only under REQUIRE_VERIFIED_EMAIL=on, and only after the right password.
      responses: {
        200: TokenPairSchema,
        400: error,
        401: error,
        403: error,
        413: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        { email: account.email, password: 'correct horse battery staple' },
        tokenPairExample,
        {
          ...invalidBody,
          401: 'Email or password is incorrect (the same answer for both)',
          403: 'The password is right but the email is not verified yet (REQUIRE_VERIFIED_EMAIL=on)',
        },
        { 401: 'Email or password is incorrect', 403: EMAIL_NOT_VERIFIED_MESSAGE, ...throttled },
      ),
    },
    refresh: {
      method: 'POST',
      path: '/auth/refresh',
      body: RefreshBodySchema,
      summary: 'Exchange a refresh token for new tokens',
      description:
        'Each refresh token works once and is replaced by the one returned. Presenting a spent ' +
        'one again revokes every token descended from the same login.',
      responses: tokenPairResponses,
      metadata: metadata(
        { refresh_token: tokenPairExample.refresh_token },
        tokenPairExample,
        {
          ...invalidBody,
          401: 'The refresh token is unknown, expired, revoked or already spent',
        },
        { 401: 'Refresh token is invalid, expired or revoked; sign in again' },
      ),
    },
    logout: {
      method: 'POST',
      path: '/auth/logout',
      body: RefreshBodySchema,
      summary: 'Sign out: revoke a refresh token and its whole login',
      description:
        'Answers 204 whether or not the token was still valid. Access tokens already issued ' +
        'stay valid until they expire (15 minutes by default).',
      responses: {
        204: c.noBody(),
        400: error,
        413: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        { refresh_token: tokenPairExample.refresh_token },
        undefined,
        {
          ...invalidBody,
          204: 'Signed out',
        },
        {},
      ),
    },
    me: {
      method: 'GET',
      path: '/auth/me',
      summary: "The access token's account",
      responses: {
        200: AccountSchema,
        401: error,
        404: error,
        429: error,
        500: error,
        503: error,
      },
      metadata: metadata(
        undefined,
        { ...account, created_at: '2026-01-15T09:30:00.000Z' },
        { 404: "The token is valid but its user has no built-in account (e.g. a provider's user)" },
        { 404: "No built-in account has this token's user id" },
        false,
      ),
    },
  },
  { strictStatusCodes: true },
);

export type Account = z.infer<typeof AccountSchema>;
export type TokenPair = z.infer<typeof TokenPairSchema>;
export type RegisterBody = z.input<typeof RegisterBodySchema>;
export type LoginBody = z.input<typeof LoginBodySchema>;
