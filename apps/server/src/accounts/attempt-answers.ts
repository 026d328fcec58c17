import { errorBody } from '@enclave/contract';

// What of a request and its response this needs, so that this module stays free of express.
interface Asking {
  log: { warn(fields: object, message: string): void };
}
interface Answering {
  setHeader(name: string, value: string): unknown;
}

/** The 429 of a throttled password attempt, with its Retry-After and the log line it earns. */
export function tooManyAttempts(req: Asking, res: Answering, retryAfterSeconds: number) {
  req.log.warn({ event: 'login_throttled' }, 'password refused: too many failed attempts');
  res.setHeader('Retry-After', String(retryAfterSeconds));
  return {
    status: 429 as const,
    body: errorBody(
      429,
      `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`,
    ),
  };
}
