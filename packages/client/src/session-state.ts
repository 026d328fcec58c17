import type { SessionError } from './session-error.js';

/**
 * Why a session is signed out: never signed in (`none`), signed out here (`signed-out`), the
 * refresh token refused (`expired`), the stored sign-in removed by another tab or process
 * (`signed-out-elsewhere`), or a restore that failed for a reason waiting would not fix
 * (`restore-failed`).
 */
export type SignedOutReason =
  'none' | 'signed-out' | 'expired' | 'signed-out-elsewhere' | 'restore-failed';

/**
 * Signed in as `userId`; restoring a kept sign-in (`error`: why the last try failed, while
 * waiting to try again); or signed out and why.
 */
export type SessionState =
  | { status: 'signed-in'; userId: string }
  | { status: 'restoring'; error?: SessionError }
  | { status: 'signed-out'; reason: SignedOutReason };

function same(a: SessionState, b: SessionState): boolean {
  if (a.status === 'signed-in') return b.status === 'signed-in' && a.userId === b.userId;
  if (a.status === 'signed-out') return b.status === 'signed-out' && a.reason === b.reason;
  return b.status === 'restoring' && a.error === b.error;
}

/**
 * A session's state and who listens to it: the same object until it really changes, and
 * listeners told only of real changes (fit for React's `useSyncExternalStore`).
 */
export function stateStore() {
  let state: SessionState = { status: 'signed-out', reason: 'none' };
  const listeners = new Set<(state: SessionState) => void>();
  return {
    get: (): SessionState => state,
    set: (next: SessionState): void => {
      if (same(next, state)) return;
      state = next;
      for (const listener of [...listeners]) listener(state);
    },
    onChange: (listener: (state: SessionState) => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type StateStore = ReturnType<typeof stateStore>;
