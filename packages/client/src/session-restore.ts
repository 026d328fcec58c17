import type { Sleep } from './fetcher.js';
import { SessionError } from './session-error.js';
import type { SessionState, StateStore } from './session-state.js';
import { isEmptyToken, type TokenStorage } from './token-storage.js';

/** What restoring needs of its session. */
export interface Restoring {
  states: StateStore;
  storage: TokenStorage;
  /** Moves with every sign-in and sign-out: one meanwhile stands, and restoring stops. */
  epoch(): number;
  /** One refresh with the kept token: signs in, or out when refused; throws when it failed. */
  refresh(): Promise<unknown>;
  signOutLocally(reason: 'restore-failed'): Promise<void>;
  sleep: Sleep;
}

/** Waits between tries: what `Retry-After` said (at most 30 s), else 1, 2, 4, 5, 5… s. */
function delayMs(attempt: number, error: SessionError): number {
  if (error.retryAfterSeconds !== undefined) {
    return Math.min(error.retryAfterSeconds * 1000, 30_000);
  }
  return Math.min(500 * 2 ** attempt, 5_000);
}

/**
 * Signs back in with the refresh token kept in storage, if any, waiting out an unreachable
 * server (a passing SessionError); answers the state once that is known.
 */
export async function restoreSession(session: Restoring): Promise<SessionState> {
  const { states, storage } = session;
  if (states.get().status === 'signed-in') return states.get();
  const kept = storage.get();
  // Known at once (web storage): nothing kept means nothing to restore, without a flicker.
  if (!(kept instanceof Promise) && isEmptyToken(kept)) return states.get();
  // Not known yet: the refresh reads it again (under the lock), and says.
  if (kept instanceof Promise) kept.catch(() => undefined);
  const startedIn = session.epoch();
  // Signed in or out meanwhile: that stands.
  const overtaken = () => startedIn !== session.epoch() || states.get().status !== 'restoring';
  states.set({ status: 'restoring' });
  for (let attempt = 1; ; attempt += 1) {
    try {
      await session.refresh();
      // Signed in, refused (signed out, 'expired'), or nothing was kept after all.
      if (states.get().status === 'restoring') states.set({ status: 'signed-out', reason: 'none' });
      return states.get();
    } catch (error) {
      if (overtaken()) return states.get();
      if (!(error instanceof SessionError) || !error.passing) {
        await session.signOutLocally('restore-failed');
        return states.get();
      }
      states.set({ status: 'restoring', error });
      await session.sleep(delayMs(attempt, error));
      if (overtaken()) return states.get();
    }
  }
}
