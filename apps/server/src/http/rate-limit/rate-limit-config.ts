import type { BucketPolicy } from './token-bucket.js';

export interface RateLimitConfig {
  enabled: boolean;
  /** Per authenticated user, on `/api/:user_id/...`. */
  api: BucketPolicy;
  /** Per client address, on `/auth/*`. */
  auth: BucketPolicy;
  /** A Redis every instance shares; undefined counts in each process's memory. */
  redisUrl: string | undefined;
  /** Namespaces the keys: `<prefix>api:<user>`, `<prefix>auth:<address>`. */
  keyPrefix: string;
}

export const DEFAULT_KEY_PREFIX = 'enclave:rl:';
