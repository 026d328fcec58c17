import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.js';
import { authenticatedUser } from '../auth.js';
import { addressKey } from './client-address.js';
import { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { rateLimit } from './rate-limit-middleware.js';
import { createRedisBuckets, describeRedisUrl } from './redis-store.js';
import type { RateLimitConfig } from './rate-limit-config.js';
import type { BucketPolicy } from './token-bucket.js';

export { DEFAULT_KEY_PREFIX, type RateLimitConfig } from './rate-limit-config.js';
export type { BucketPolicy } from './token-bucket.js';

export interface RateLimits {
  /** Mounted after the `/api/:user_id` guard, whose user it reads. */
  api: RequestHandler;
  /** Mounted before the `/auth` routes. */
  auth: RequestHandler;
  /** Where requests are counted, for the start-up log line (never with credentials). */
  description: string;
  close(): Promise<void>;
}

const passThrough: RequestHandler = (_req, _res, next) => {
  next();
};

/**
 * The API's two rate limits. Creating them has no side effect: a Redis connection is made by
 * the first request that needs it. `memory` tunes the in-memory store (tests pass a clock).
 */
export function createRateLimits(
  config: RateLimitConfig,
  logger: Logger,
  memory: MemoryStoreOptions = {},
): RateLimits {
  if (!config.enabled) {
    return {
      api: passThrough,
      auth: passThrough,
      description: 'off',
      close: () => Promise.resolve(),
    };
  }
  const redis =
    config.redisUrl === undefined ? undefined : createRedisBuckets(config.redisUrl, logger);
  const storeFor = (policy: BucketPolicy) =>
    redis?.store(policy) ?? createMemoryStore(policy, memory);
  return {
    api: rateLimit({
      name: 'api',
      policy: config.api,
      store: storeFor(config.api),
      keyOf: (_req, res) => `${config.keyPrefix}api:${authenticatedUser(res)}`,
    }),
    auth: rateLimit({
      name: 'auth',
      policy: config.auth,
      store: storeFor(config.auth),
      keyOf: (req) => `${config.keyPrefix}auth:${addressKey(req.ip)}`,
    }),
    description:
      config.redisUrl === undefined
        ? 'in memory (per instance)'
        : `in Redis ${describeRedisUrl(config.redisUrl)}`,
    close: async () => {
      await redis?.close();
    },
  };
}
