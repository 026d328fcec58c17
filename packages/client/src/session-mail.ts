import { accountMailRoutes } from '@enclave/contract';
import { initClient } from '@ts-rest/core';
import { enclaveFetcher } from './fetcher.js';
import { reached } from './session-error.js';
import { declaredFailure, type Failure } from './session-results.js';
import type { FetchLike } from './transport.js';

// The session's calls of the accounts' mail routes: a forgotten password, a reset, verifying
// the email and asking for a new verification mail. Each answers success or a declared failure,
// typed by status, as sign-in does; anything else throws a SessionError.

type Statuses<Route extends { responses: object }> = keyof Route['responses'];
type Routes = typeof accountMailRoutes;
export type ForgotPasswordFailure = Exclude<Statuses<Routes['forgotPassword']>, 202>;
export type ResetPasswordFailure = Exclude<Statuses<Routes['resetPassword']>, 204>;
export type VerifyEmailFailure = Exclude<Statuses<Routes['verifyEmail']>, 204>;
export type SendVerificationFailure = Exclude<Statuses<Routes['sendVerification']>, 202>;
/** What a mail route answered: done (or accepted), or one of its declared errors. */
export type MailResult<FailureStatus> = { ok: true } | Failure<FailureStatus>;

const statusesOf = (route: { responses: object }) => Object.keys(route.responses).map(Number);

interface MailCallsOptions {
  baseUrl: string;
  fetch: FetchLike | undefined;
  /** The session's current access token, for the one route that needs a bearer. */
  accessToken: () => Promise<string | undefined>;
  now: () => number;
}

export function accountMailCalls({ baseUrl, fetch, accessToken, now }: MailCallsOptions) {
  const options = { baseUrl, throwOnUnknownStatus: false } as const;
  // Sent once each: a reset or verify token works once, and a mail should not go twice.
  const open = initClient(accountMailRoutes, { ...options, api: enclaveFetcher({ fetch }) });
  const bearer = initClient(accountMailRoutes, {
    ...options,
    api: enclaveFetcher({ fetch, token: accessToken }),
  });

  async function call<FailureStatus>(
    request: () => Promise<{ status: number; body: unknown; headers: Headers }>,
    success: number,
    declared: readonly number[],
  ): Promise<MailResult<FailureStatus>> {
    const reply = await reached(request);
    if (reply.status === success) return { ok: true };
    return declaredFailure<FailureStatus>(reply, declared, now());
  }

  return {
    /** Asks for a reset link by mail; accepted (202) whether or not the email has an account. */
    requestPasswordReset: (email: string) =>
      call<ForgotPasswordFailure>(
        () => open.forgotPassword({ body: { email } }),
        202,
        statusesOf(accountMailRoutes.forgotPassword),
      ),
    /** Sets a new password with a reset mail's token; every session is signed out after. */
    resetPassword: (token: string, newPassword: string) =>
      call<ResetPasswordFailure>(
        () => open.resetPassword({ body: { token, new_password: newPassword } }),
        204,
        statusesOf(accountMailRoutes.resetPassword),
      ),
    /** Verifies the email with a verification mail's token. */
    verifyEmail: (token: string) =>
      call<VerifyEmailFailure>(
        () => open.verifyEmail({ body: { token } }),
        204,
        statusesOf(accountMailRoutes.verifyEmail),
      ),
    /** Asks for a new verification mail for the signed-in account (one a minute at most). */
    sendVerification: () =>
      call<SendVerificationFailure>(
        () => bearer.sendVerification({ body: {} }),
        202,
        statusesOf(accountMailRoutes.sendVerification),
      ),
  };
}
