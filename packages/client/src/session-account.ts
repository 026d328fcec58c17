import {
  accountSecurityRoutes,
  ExportSchema,
  SessionListSchema,
  userDataRoutes,
  type AccountExport,
  type AccountSession,
} from '@enclave/contract';
import { initClient } from '@ts-rest/core';
import { enclaveFetcher } from './fetcher.js';
import { reached, SessionError } from './session-error.js';
import { declaredFailure, type Failure } from './session-results.js';
import type { FetchLike } from './transport.js';

type Route = { responses: object };
type FailureOf<R extends Route, Ok extends number> = Failure<Exclude<keyof R['responses'], Ok>>;
/** What an account call answered: done (with its value), or one of the route's declared errors. */
export type AccountResult<R extends Route, Ok extends number, Value = undefined> =
  ({ ok: true } & (Value extends undefined ? unknown : { value: Value })) | FailureOf<R, Ok>;

type Routes = typeof accountSecurityRoutes;
export type ChangePasswordResult = AccountResult<Routes['changePassword'], 204>;
export type SessionsResult = AccountResult<Routes['sessions'], 200, AccountSession[]>;
export type EndSessionResult = AccountResult<Routes['endSession'], 204>;
export type EndAllSessionsResult = AccountResult<Routes['endAllSessions'], 204>;
export type DeleteAccountResult = AccountResult<Routes['deleteAccount'], 204>;
export type ExportResult = AccountResult<typeof userDataRoutes.export, 200, AccountExport>;

const statusesOf = (route: Route) => Object.keys(route.responses).map(Number);

interface AccountActionsOptions {
  baseUrl: string;
  fetch?: FetchLike;
  /** The session's current access token (refreshed as needed). */
  accessToken: () => Promise<string | undefined>;
  /** The signed-in user, for the `/api/{user_id}` paths. */
  userId: () => string | undefined;
  /** Called once the server has signed this session out (everywhere, or the account gone). */
  signedOut: () => Promise<void>;
  now: () => number;
}

/** The account's security actions of a session, each sent with its access token. */
export function accountActions(options: AccountActionsOptions) {
  const api = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    api: enclaveFetcher({ fetch: options.fetch, token: options.accessToken }),
    throwOnUnknownStatus: false,
  };
  const account = initClient(accountSecurityRoutes, api);
  const data = initClient(userDataRoutes, api);
  const failure = <F>(reply: { status: number; body: unknown; headers: Headers }, route: Route) =>
    declaredFailure<F>(reply, statusesOf(route), options.now());

  return {
    /** Changes the password; other sessions are signed out, this one stays. */
    async changePassword(currentPassword: string, newPassword: string) {
      const reply = await reached(() =>
        account.changePassword({
          body: { current_password: currentPassword, new_password: newPassword },
        }),
      );
      if (reply.status === 204) return { ok: true } as ChangePasswordResult;
      return failure(reply, accountSecurityRoutes.changePassword) as ChangePasswordResult;
    },

    /** The account's sessions, the current one marked. */
    async sessions(): Promise<SessionsResult> {
      const reply = await reached(() => account.sessions());
      if (reply.status === 200) {
        const list = SessionListSchema.safeParse(reply.body);
        if (!list.success) throw new SessionError('The answer is not a list of sessions', 200);
        return { ok: true, value: list.data.sessions };
      }
      return failure(reply, accountSecurityRoutes.sessions);
    },

    /** Signs one session out (by its id from `sessions()`). */
    async endSession(id: string): Promise<EndSessionResult> {
      const reply = await reached(() => account.endSession({ params: { id } }));
      if (reply.status === 204) return { ok: true };
      return failure(reply, accountSecurityRoutes.endSession);
    },

    /** Signs every session out, this one included, and refuses every earlier access token. */
    async signOutEverywhere(): Promise<EndAllSessionsResult> {
      const reply = await reached(() => account.endAllSessions());
      if (reply.status !== 204) {
        return failure(reply, accountSecurityRoutes.endAllSessions);
      }
      await options.signedOut();
      return { ok: true };
    },

    /** Deletes the account and everything it owns; the session is signed out after. */
    async deleteAccount(password: string): Promise<DeleteAccountResult> {
      const reply = await reached(() => account.deleteAccount({ body: { password } }));
      if (reply.status !== 204) {
        return failure(reply, accountSecurityRoutes.deleteAccount);
      }
      await options.signedOut();
      return { ok: true };
    },

    /** All of the signed-in user's data, as one document. */
    async exportData(): Promise<ExportResult> {
      const userId = options.userId();
      if (userId === undefined) throw new SessionError('Not signed in');
      const reply = await reached(() =>
        data.export({ params: { user_id: encodeURIComponent(userId) } }),
      );
      if (reply.status === 200) {
        const document = ExportSchema.safeParse(reply.body);
        if (!document.success) throw new SessionError('The answer is not an export', 200);
        return { ok: true, value: document.data };
      }
      return failure(reply, userDataRoutes.export);
    },
  };
}
