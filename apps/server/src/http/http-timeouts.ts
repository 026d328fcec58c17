/** How long Node's HTTP server waits on a client, in milliseconds; 0 turns a limit off. */
export interface HttpTimeouts {
  /** The whole header block of a request must arrive within this (slow-header attacks). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (slow-body attacks). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. Behind a load balancer it must be
   * longer than the balancer's own idle timeout, or the balancer reuses a closing socket. */
  keepAliveTimeoutMs: number;
}

/**
 * Node's own defaults are 60 s for headers, 5 min for a request: generous to slow clients, and
 * to attackers holding connections open. The API's bodies are small, so these are tighter.
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * A combination Node's `createServer` would refuse (it throws ERR_OUT_OF_RANGE when the
 * headers may take longer than the request containing them), described by variable name.
 */
export function httpTimeoutsProblem(timeouts: HttpTimeouts): string | undefined {
  const { headersTimeoutMs: headers, requestTimeoutMs: request } = timeouts;
  if (headers > 0 && request > 0 && headers > request) {
    return (
      `HTTP_HEADERS_TIMEOUT_MS (${headers}) must not exceed HTTP_REQUEST_TIMEOUT_MS ` +
      `(${request}): the headers are part of the request; raise the one or lower the other`
    );
  }
  return undefined;
}

/** A limit set to 0 is allowed (Node's meaning: none), but worth a word at start. */
export function httpTimeoutsWarnings(timeouts: HttpTimeouts): string[] {
  const named = [
    ['HTTP_HEADERS_TIMEOUT_MS', timeouts.headersTimeoutMs],
    ['HTTP_REQUEST_TIMEOUT_MS', timeouts.requestTimeoutMs],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', timeouts.keepAliveTimeoutMs],
  ] as const;
  return named
    .filter(([, ms]) => ms === 0)
    .map(([name]) => `${name}=0 turns that limit off: slow or idle clients can hold connections`);
}

/**
 * Node checks the header and request deadlines only every `connectionsCheckingInterval`
 * (30 s by default), so a 10 s limit could hold for 40 s. Checking at a quarter of the
 * shortest limit keeps each one within 125% of its value.
 */
export function connectionsCheckingInterval(timeouts: HttpTimeouts): number {
  const limits = [timeouts.headersTimeoutMs, timeouts.requestTimeoutMs].filter((ms) => ms > 0);
  if (limits.length === 0) return 30_000;
  return Math.min(30_000, Math.max(25, Math.floor(Math.min(...limits) / 4)));
}
