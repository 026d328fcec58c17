/** A bucket's size and refill: at most `burst` tokens, `perSecond` more every second. */
export interface BucketPolicy {
  burst: number;
  perSecond: number;
}

/** A bucket as last written: `tokens` at `at`, in milliseconds on the store's clock. */
export interface Bucket {
  tokens: number;
  at: number;
}

/** What a store answers for one request: whether it may go on, and the tokens left after it. */
export interface Verdict {
  allowed: boolean;
  tokens: number;
}

/** Where buckets live. `undefined` means the store could not answer (the request goes on). */
export interface BucketStore {
  take(key: string): Promise<Verdict | undefined>;
}

/** The tokens in a bucket at `now`; a bucket never seen (or expired) is full. */
export function tokensAt(policy: BucketPolicy, bucket: Bucket | undefined, now: number): number {
  if (bucket === undefined) return policy.burst;
  // A clock that steps back must never take tokens away. Multiplying before dividing keeps
  // whole milliseconds at whole rates exact (100 ms at 10/s is exactly one token).
  const elapsed = Math.max(0, now - bucket.at);
  return Math.min(policy.burst, bucket.tokens + (elapsed * policy.perSecond) / 1000);
}

/** One request's take: allowed when a whole token is there. A refusal costs nothing. */
export function takeToken(
  policy: BucketPolicy,
  bucket: Bucket | undefined,
  now: number,
): { allowed: boolean; bucket: Bucket } {
  const tokens = tokensAt(policy, bucket, now);
  const allowed = tokens >= 1;
  return { allowed, bucket: { tokens: allowed ? tokens - 1 : tokens, at: now } };
}

/** Milliseconds until a bucket holding `tokens` is full again (and may be forgotten). */
export function msUntilFull(policy: BucketPolicy, tokens: number): number {
  return Math.max(0, ((policy.burst - tokens) * 1000) / policy.perSecond);
}

/** Milliseconds until a bucket holding `tokens` has a whole token to give. */
export function msUntilToken(policy: BucketPolicy, tokens: number): number {
  return Math.max(0, ((1 - tokens) * 1000) / policy.perSecond);
}
