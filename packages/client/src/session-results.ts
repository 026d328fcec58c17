import { accountRoutes, type Account, type ErrorBody } from '@enclave/contract';
import { errorBodyOf } from './error-body.js';
import { retryAfterSeconds } from './retry-after.js';
import { answeredError } from './session-error.js';

// What the session's account calls answer: success, or one of the failures the route
// declares, typed by status; anything else throws.

type Responses<Route extends { responses: object }> = keyof Route['responses'];
/** A failure a route declares, typed by status. */
export type Failure<Status> = {
  ok: false;
  status: Status;
  /** The API's error body; for a 400, `details` names each failing field. */
  error: ErrorBody;
  /** From `Retry-After` (a 429 or a 503), in seconds. */
  retryAfterSeconds: number | undefined;
};
export type LoginFailure = Exclude<Responses<typeof accountRoutes.login>, 200>;
export type RegisterFailure = Exclude<Responses<typeof accountRoutes.register>, 201>;
/** What sign-in answered: signed in, or one of the login route's declared errors. */
export type SignInResult = { ok: true; userId: string } | Failure<LoginFailure>;
/** What sign-up answered: signed in, or one of the register or login routes' declared errors. */
export type SignUpResult = SignInResult | Failure<RegisterFailure>;
/** What registering answered: the account made (not signed in), or a declared error. */
export type RegisterResult = { ok: true; account: Account } | Failure<RegisterFailure>;

export const LOGIN_STATUSES = Object.keys(accountRoutes.login.responses).map(Number);
export const REGISTER_STATUSES = Object.keys(accountRoutes.register.responses).map(Number);

/**
 * A failure the contract declares (`declared`), in the API's error format; anything else
 * throws a SessionError. `now` dates a `Retry-After` given as an HTTP date.
 */
export function declaredFailure<Status>(
  reply: { status: number; body: unknown; headers: Headers },
  declared: readonly number[],
  now: number,
): Failure<Status> {
  const error = errorBodyOf(reply.body);
  if (!declared.includes(reply.status) || error === undefined) {
    throw answeredError(`The server answered ${reply.status}`, reply, now);
  }
  return {
    ok: false,
    status: reply.status as Status,
    error,
    retryAfterSeconds: retryAfterSeconds(reply.headers.get('retry-after'), now),
  };
}
