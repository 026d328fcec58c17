import { msUntilFull, msUntilToken, type BucketPolicy } from './token-bucket.js';

// The fields of draft-ietf-httpapi-ratelimit-headers-10, structured-field lists of one item
// named after the policy. All times are whole seconds, rounded so a client that waits them is
// never early.

/** `RateLimit-Policy`: the quota (`q`) and the seconds an empty bucket takes to refill (`w`). */
export function policyField(name: string, policy: BucketPolicy): string {
  return `"${name}";q=${policy.burst};w=${Math.ceil(policy.burst / policy.perSecond)}`;
}

/** `RateLimit`: whole tokens remaining (`r`) and the seconds until the bucket is full (`t`). */
export function stateField(name: string, policy: BucketPolicy, tokens: number): string {
  const remaining = Math.floor(tokens);
  return `"${name}";r=${remaining};t=${Math.ceil(msUntilFull(policy, tokens) / 1000)}`;
}

/** `Retry-After` of a refusal: the seconds until a token is there, at least 1. */
export function retryAfterSeconds(policy: BucketPolicy, tokens: number): number {
  return Math.max(1, Math.ceil(msUntilToken(policy, tokens) / 1000));
}
