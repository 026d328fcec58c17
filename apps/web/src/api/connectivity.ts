// Whether the session's last request reached the server. While the session restores itself
// after a reload no query runs yet, so this is what tells the banner the server is away
// (later, the queries' own retries do: query-client.ts). Plain functions, not methods: they
// are handed around (to useSyncExternalStore, to the session) detached from this object.

const UNAVAILABLE = new Set([0, 502, 503, 504]);

export interface Connectivity {
  /** Records an answer's status (0: none came). */
  report: (status: number) => void;
  unavailable: () => boolean;
  subscribe: (listener: () => void) => () => void;
}

export function createConnectivity(): Connectivity {
  let unavailable = false;
  const listeners = new Set<() => void>();
  return {
    report(status) {
      const next = UNAVAILABLE.has(status);
      if (next === unavailable) return;
      unavailable = next;
      for (const listener of listeners) listener();
    },
    unavailable: () => unavailable,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
