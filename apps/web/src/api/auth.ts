import {
  SessionError,
  type ErrorBody,
  type LoginBody,
  type RegisterBody,
  type Session,
} from '@enclave/client';
import { ApiError } from './api-error';

// The typed client's session (createSession in @enclave/client) answers a declared failure as
// a value and throws a SessionError for no answer or an answer outside the contract; the
// screens and TanStack Query work with ApiError. These turn the one into the other.

const inMs = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

/** A session's SessionError as the ApiError it stands for (status 0: no answer); else as is. */
export function asApiError(error: unknown): unknown {
  if (!(error instanceof SessionError)) return error;
  return new ApiError(error.status ?? 0, undefined, inMs(error.retryAfterSeconds));
}

interface Failure {
  status: number;
  error: ErrorBody;
  retryAfterSeconds: number | undefined;
}

const failed = ({ status, error, retryAfterSeconds }: Failure) =>
  new ApiError(status, error, inMs(retryAfterSeconds));

async function settled<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw asApiError(error);
  }
}

/** Signs in; a wrong password and the like reject with the API's error. */
export async function signIn(session: Pick<Session, 'signIn'>, body: LoginBody): Promise<void> {
  const result = await settled(() => session.signIn(body.email, body.password));
  if (!result.ok) throw failed(result);
}

/** Creates an account and signs in with it: a new user lands in the app, not on a form. */
export async function signUp(session: Pick<Session, 'signUp'>, body: RegisterBody): Promise<void> {
  const result = await settled(() => session.signUp(body.email, body.password));
  if (!result.ok) throw failed(result);
}
