import { accountSecurityRoutes, errorBody } from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { Request, Response } from 'express';
import type { AccountsConfig } from '../auth/auth-config.js';
import type { TokenRevocations } from '../auth/token-revocations.js';
import type { Db } from '../db/schema.js';
import { authenticatedSession, authenticatedUser } from '../http/auth.js';
import { addressKey } from '../http/rate-limit/client-address.js';
import type { RegisteredResource } from '../resources/generic-resource.js';
import { deleteUserData } from '../user-data/delete-user-data.js';
import { findCredentialsById, replacePasswordHash } from './accounts.repository.js';
import { tooManyAttempts } from './attempt-answers.js';
import { hashPassword, passwordMatches } from './password.js';
import { attemptPassword } from './password-attempts.js';
import { endSession, listSessions } from './sessions.repository.js';
import { signOutEverywhere } from './sign-out-everywhere.js';

const s = initServer();

export interface AccountSecurityDependencies {
  db: Db;
  accounts: AccountsConfig;
  revocations: TokenRevocations;
  /** Every served resource: deleting an account deletes their rows. */
  resources: readonly Pick<RegisteredResource, 'name' | 'fields'>[];
}

const noAccount = {
  status: 404,
  body: errorBody(404, "No built-in account has this token's user id"),
} as const;
const wrongPassword = {
  status: 401,
  body: errorBody(401, 'The password is incorrect'),
} as const;
const done = { status: 204, body: undefined } as const;

/** `/auth/password`, `/auth/sessions`, `DELETE /auth/me`: the signed-in account's security. */
export function accountSecurityRouter({
  db,
  accounts,
  revocations,
  resources,
}: AccountSecurityDependencies) {
  /** The account's password proved under the login throttle, or the answer why not. */
  async function proved(req: Request, res: Response, password: string) {
    const account = await findCredentialsById(db, authenticatedUser(res));
    if (account === undefined) return { answer: noAccount };
    const attempt = await attemptPassword(
      { db, throttle: accounts.throttle, email: account.email, address: addressKey(req.ip) },
      () => passwordMatches(account.password_hash, password),
    );
    if (attempt.kind === 'throttled') {
      return { answer: tooManyAttempts(req, res, attempt.retryAfterSeconds) };
    }
    if (attempt.kind === 'wrong') {
      req.log.info({ event: 'password_check_failed', user_id: account.id }, 'wrong password');
      return { answer: wrongPassword };
    }
    return { account };
  }

  // This instance refuses the revoked tokens at once; the others at their next poll.
  const revoked = () => revocations.poll();

  return s.router(accountSecurityRoutes, {
    changePassword: async ({ body, req, res }) => {
      const { account, answer } = await proved(req, res, body.current_password);
      if (answer !== undefined) return answer;
      if (body.new_password.trim().toLowerCase() === account.email) {
        return {
          status: 400,
          body: errorBody(
            400,
            'Invalid request: body.new_password: must not be the email address',
            [{ path: 'body.new_password', message: 'must not be the email address' }],
          ),
        };
      }
      const hash = await hashPassword(body.new_password);
      const current = authenticatedSession(res);
      await db.transaction().execute(async (trx) => {
        await replacePasswordHash(trx, account.id, hash);
        await signOutEverywhere(trx, account.id, { exceptSessionId: current });
      });
      await revoked();
      req.log.info({ event: 'password_changed', user_id: account.id }, 'password changed');
      return done;
    },

    sessions: async ({ res }) => ({
      status: 200,
      body: {
        sessions: await listSessions(db, authenticatedUser(res), authenticatedSession(res)),
      },
    }),

    endSession: async ({ params, res }) => {
      if (await endSession(db, authenticatedUser(res), params.id)) return done;
      return { status: 404, body: errorBody(404, 'Session not found') };
    },

    endAllSessions: async ({ req, res }) => {
      const userId = authenticatedUser(res);
      await db.transaction().execute((trx) => signOutEverywhere(trx, userId));
      await revoked();
      req.log.info({ event: 'signed_out_everywhere', user_id: userId }, 'signed out everywhere');
      return done;
    },

    deleteAccount: async ({ body, req, res }) => {
      const { account, answer } = await proved(req, res, body.password);
      if (answer !== undefined) return answer;
      await db.transaction().execute(async (trx) => {
        await deleteUserData(trx, resources, account.id);
        await signOutEverywhere(trx, account.id);
        await trx.deleteFrom('accounts').where('id', '=', account.id).execute();
      });
      await revoked();
      req.log.info({ event: 'account_deleted', user_id: account.id }, 'account deleted');
      return done;
    },
  });
}
