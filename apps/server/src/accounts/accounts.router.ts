import {
  accountRoutes,
  conflict,
  EMAIL_NOT_VERIFIED_MESSAGE,
  errorBody,
  type Account,
  type TokenPair,
} from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { AccountsConfig, JwtConfig } from '../auth/auth-config.js';
import { signAccessToken } from '../auth/sign-token.js';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import { addressKey } from '../http/rate-limit/client-address.js';
import { fingerprintOf, type IdempotencyKeys } from '../idempotency/idempotency-keys.js';
import { answerNotRun, keyReused } from '../http/idempotent-replay.js';
import {
  createAccount,
  findAccountByEmail,
  findAccountById,
  replacePasswordHash,
  revokeFamilyOf,
  rotateRefreshToken,
  startRefreshFamily,
} from './accounts.repository.js';
import { tooManyAttempts } from './attempt-answers.js';
import { attemptPassword } from './password-attempts.js';
import type { MailConfig } from '../mail/mail-config.js';
import { secondsSinceLastToken } from './account-tokens.js';
import { hashNeedsUpgrade, hashPassword, passwordMatches, spendPasswordCheck } from './password.js';
import { queueVerificationMail } from './verification-mail.js';

const s = initServer();

export interface AccountsDependencies {
  db: Db;
  jwt: JwtConfig;
  accounts: AccountsConfig;
  /** Where registrations with an Idempotency-Key keep their answers. */
  keys: IdempotencyKeys;
  /** Registering sends a verification mail; REQUIRE_VERIFIED_EMAIL refuses sign-in until then. */
  mail: MailConfig;
  /** Tells the outbox's sender a mail was committed. */
  wakeOutbox: () => void;
}

const loginFailed = {
  status: 401,
  body: errorBody(401, 'Email or password is incorrect'),
} as const;
const refreshFailed = {
  status: 401,
  // Unknown, expired, revoked and reused tokens look alike: which one it was helps a thief.
  body: errorBody(401, 'Refresh token is invalid, expired or revoked; sign in again'),
} as const;

/** `/auth/*`: built-in accounts issuing this server's own tokens. */
export function accountsRouter({
  db,
  jwt,
  accounts,
  keys,
  mail,
  wakeOutbox,
}: AccountsDependencies) {
  // Computed now so the first login for an unknown email costs no more than any other.
  void spendPasswordCheck('');
  const { throttle } = accounts;

  const tokenPair = (userId: string, refreshToken: string, sessionId: string): TokenPair => ({
    access_token: signAccessToken(userId, jwt, accounts.accessTokenTtlSeconds, sessionId),
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: accounts.accessTokenTtlSeconds,
  });

  // The account and its verification mail commit together (in the Idempotency-Key's
  // transaction when there is one).
  const createWithMail = async (trx: Db, email: string, passwordHash: string) => {
    const account = await createAccount(trx, email, passwordHash);
    if (account !== 'taken') await queueVerificationMail(trx, mail, account);
    return account;
  };
  const register = async (on: Db, email: string, passwordHash: string) => {
    const account = on.isTransaction
      ? await createWithMail(on, email, passwordHash)
      : await on.transaction().execute((trx) => createWithMail(trx, email, passwordHash));
    if (account === 'taken') {
      return {
        status: 409 as const,
        body: conflict({ path: 'body.email', message: 'is already registered' }),
      };
    }
    return { status: 201 as const, body: account };
  };

  return s.router(accountRoutes, {
    register: async ({ body, headers, req, res }) => {
      const passwordHash = await hashPassword(body.password);
      const key = headers['idempotency-key'];
      if (key === undefined) {
        const answer = await register(db, body.email, passwordHash);
        wakeOutbox();
        return answer;
      }
      // No one owns a key before the account exists: it is the email's. The stored answer
      // holds no secret, and the password is never hashed into a fingerprint (a fast hash of
      // it would be easier to attack than the account's own): a retry's password is checked
      // against the account instead.
      const request = {
        owner: body.email,
        route: 'auth.register',
        key,
        fingerprint: fingerprintOf({ email: body.email }),
      };
      const outcome = await keys.run(request, (transaction) =>
        register(transaction, body.email, passwordHash),
      );
      if (outcome.kind === 'done') {
        wakeOutbox();
        return outcome.answer;
      }
      if (outcome.kind === 'replay') {
        // A replay proves the password as a sign-in does, so it is throttled as one.
        const attempt = await attemptPassword(
          { db, throttle, email: body.email, address: addressKey(req.ip) },
          async () => {
            const account = await findAccountByEmail(db, body.email);
            return (
              account !== undefined && (await passwordMatches(account.password_hash, body.password))
            );
          },
        );
        if (attempt.kind === 'throttled') {
          return tooManyAttempts(req, res, attempt.retryAfterSeconds);
        }
        if (attempt.kind === 'wrong') return keyReused;
      }
      return answerNotRun<Account, 201>(res, outcome, 201);
    },

    login: async ({ body, req, res }) => {
      let userId: string | undefined;
      let upgrade = false;
      let verified = false;
      const attempt = await attemptPassword(
        { db, throttle, email: body.email, address: addressKey(req.ip) },
        async () => {
          const user = await findAccountByEmail(db, body.email);
          if (user === undefined) {
            await spendPasswordCheck(body.password);
            req.log.info({ event: 'login_failed' }, 'login failed');
            return false;
          }
          if (!(await passwordMatches(user.password_hash, body.password))) {
            req.log.info({ event: 'login_failed', user_id: user.id }, 'login failed');
            return false;
          }
          userId = user.id;
          verified = user.email_verified;
          upgrade = hashNeedsUpgrade(user.password_hash);
          verified = user.email_verified;
          return true;
        },
      );
      if (attempt.kind === 'throttled') {
        return tooManyAttempts(req, res, attempt.retryAfterSeconds);
      }
      if (attempt.kind === 'wrong' || userId === undefined) return loginFailed;
      const owner = userId;
      if (mail.requireVerifiedEmail && !verified) {
        // The password is right, so this is the owner: a fresh link (a minute apart at most),
        // since one who cannot sign in cannot ask for it with a token.
        const age = await secondsSinceLastToken(db, owner, 'email_verification');
        if (age === undefined || age >= mail.resendIntervalSeconds) {
          await db
            .transaction()
            .execute((trx) => queueVerificationMail(trx, mail, { id: owner, email: body.email }));
          wakeOutbox();
        }
        req.log.info({ event: 'login_unverified', user_id: owner }, 'login refused: unverified');
        return { status: 403, body: errorBody(403, EMAIL_NOT_VERIFIED_MESSAGE) };
      }
      // Hashes made under weaker settings are replaced while the password is at hand.
      if (upgrade) await replacePasswordHash(db, userId, await hashPassword(body.password));
      const session = await startRefreshFamily(db, userId, accounts, req.get('user-agent'));
      req.log.info({ event: 'login', user_id: userId }, 'signed in');
      return { status: 200, body: tokenPair(userId, session.token, session.sessionId) };
    },

    refresh: async ({ body, req }) => {
      const rotation = await rotateRefreshToken(
        db,
        body.refresh_token,
        accounts.refreshTokenTtlSeconds,
      );
      if (rotation.outcome === 'reused') {
        req.log.warn(
          { event: 'refresh_token_reuse', user_id: rotation.userId },
          'a spent refresh token was presented again: its whole family is revoked',
        );
      }
      if (rotation.outcome !== 'rotated') return refreshFailed;
      return {
        status: 200,
        body: tokenPair(rotation.userId, rotation.token, rotation.sessionId),
      };
    },

    logout: async ({ body }) => {
      await revokeFamilyOf(db, body.refresh_token);
      return { status: 204, body: undefined };
    },

    me: async ({ res }) => {
      const account = await findAccountById(db, authenticatedUser(res));
      if (account === undefined) {
        return {
          status: 404,
          body: errorBody(404, "No built-in account has this token's user id"),
        };
      }
      return { status: 200, body: account };
    },
  });
}
