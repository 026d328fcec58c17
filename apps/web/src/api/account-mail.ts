import type { Client, ResetPasswordBody } from '@enclave/client';
import { ApiError } from './api-error';
import { expectStatus } from './client';

// What a signed-out person does by mail: ask for a reset link, choose a new password with
// it, verify their email. No token: these go through a client without one.

async function reached<A>(request: () => Promise<A>): Promise<A> {
  try {
    return await request();
  } catch {
    throw new ApiError(0, undefined);
  }
}

/** Asks for a reset link; the answer is the same whether or not the email has an account. */
export async function forgotPassword(client: Client, email: string): Promise<string> {
  const answer = await reached(() => client.accountMail.forgotPassword({ body: { email } }));
  return expectStatus(answer, 202).body.message;
}

/** Sets a new password with a mailed token (400: the token is spent, expired or unknown). */
export async function resetPassword(client: Client, body: ResetPasswordBody): Promise<void> {
  const answer = await reached(() => client.accountMail.resetPassword({ body }));
  expectStatus(answer, 204);
}

/** Verifies the email a mailed token was sent to. */
export async function verifyEmail(client: Client, token: string): Promise<void> {
  const answer = await reached(() => client.accountMail.verifyEmail({ body: { token } }));
  expectStatus(answer, 204);
}
