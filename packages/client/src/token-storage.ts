// Where a session keeps its refresh token. Browsers, Node and other runtimes alike: nothing here
// touches a global unless handed it.

type Awaitable<T> = T | Promise<T>;

/** Keeps a session's refresh token: in memory by default, or somewhere that outlives a reload. */
export interface TokenStorage {
  get(): Awaitable<string | null | undefined>;
  set(token: string): Awaitable<void>;
  remove(): Awaitable<void>;
  /**
   * Set when other pages or processes share this storage: their refreshes are then taken one at
   * a time under a Web Lock of this name where the runtime has `navigator.locks`, so no two
   * present the same refresh token (a reused one revokes the whole sign-in).
   */
  readonly sharedAs?: string;
  /**
   * Calls `listener` with the token whenever another page or process changes it (not on this
   * storage's own writes); returns the unsubscribe. A session follows another tab's sign-out
   * (the token removed) through it.
   */
  watch?(listener: (token: string | null) => void): () => void;
}

/** Whether storage holds no token: nothing kept, or an empty value (as `localStorage` may). */
export const isEmptyToken = (token: string | null | undefined): token is null | undefined | '' =>
  token === null || token === undefined || token === '';

/** The part of a browser's `storage` event a session reads. */
interface StorageEventLike {
  key: string | null;
  newValue: string | null;
}

/** Where `storage` events are heard: the page's window (`globalThis` in a browser). */
export interface StorageEventTarget {
  addEventListener(type: 'storage', listener: (event: StorageEventLike) => void): void;
  removeEventListener(type: 'storage', listener: (event: StorageEventLike) => void): void;
}

/** The part of `localStorage` / `sessionStorage` a session uses. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The default: the refresh token lives as long as the page or process, and no longer. */
export function memoryStorage(): TokenStorage {
  let token: string | undefined;
  return {
    get: () => token,
    set: (value) => {
      token = value;
    },
    remove: () => {
      token = undefined;
    },
  };
}

/**
 * The refresh token in `localStorage` (kept across reloads and shared by the origin's tabs) or
 * `sessionStorage` (one tab, until it closes), under `key`. Anything able to run script on
 * the page can read it there: keep the page free of injected script (a strict CSP). Other
 * tabs' changes are heard through the `storage` event of `events` (the page's `window` by
 * default, where there is one), so a sign-out in one tab signs out all.
 */
export function webStorage(
  storage: WebStorageLike,
  key = 'enclave.refresh_token',
  events: StorageEventTarget | undefined = pageEvents(),
): TokenStorage {
  return {
    get: () => storage.getItem(key),
    set: (value) => storage.setItem(key, value),
    remove: () => storage.removeItem(key),
    sharedAs: `enclave-refresh:${key}`,
    watch(listener) {
      if (events === undefined) return () => undefined;
      // A null key is the whole storage cleared (`localStorage.clear()`).
      const heard = (event: StorageEventLike) => {
        if (event.key === key || event.key === null)
          listener(event.key === null ? null : event.newValue);
      };
      events.addEventListener('storage', heard);
      return () => events.removeEventListener('storage', heard);
    },
  };
}

/** The page's window in a browser; undefined elsewhere (Node has no `storage` events). */
function pageEvents(): StorageEventTarget | undefined {
  const page = globalThis as Partial<StorageEventTarget>;
  return typeof page.addEventListener === 'function' &&
    typeof page.removeEventListener === 'function'
    ? (page as StorageEventTarget)
    : undefined;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Runs `task` under the Web Lock `name` where there is one to take, else at once. */
export function underLock<T>(name: string | undefined, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (name === undefined || typeof locks?.request !== 'function') return task();
  return locks.request(name, task);
}
