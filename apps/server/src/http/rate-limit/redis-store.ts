import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import { createOutageLog } from './outage-log.js';
import type { BucketPolicy, BucketStore, Verdict } from './token-bucket.js';
import { TOKEN_BUCKET_SCRIPT } from './token-bucket-script.js';

/** Buckets in one Redis shared by every instance, one connection for all policies. */
export interface RedisBuckets {
  store(policy: BucketPolicy): BucketStore;
  /** Quits the connection; takes after this let requests through without a word. */
  close(): Promise<void>;
}

/** A request waits at most this long for Redis before it goes on unlimited. */
export const COMMAND_TIMEOUT_MS = 250;

/** host:port of a Redis URL, without user or password. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

const SCRIPT_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

function verdictOf(reply: unknown): Verdict {
  if (Array.isArray(reply) && reply.length === 2) {
    const [allowed, tokens] = reply as unknown[];
    const left = Number(tokens);
    if ((allowed === 0 || allowed === 1) && Number.isFinite(left)) {
      return { allowed: allowed === 1, tokens: left };
    }
  }
  throw new Error('unexpected reply from the rate limit script');
}

/**
 * Fails fast and open: a request never waits on Redis longer than COMMAND_TIMEOUT_MS (no
 * offline queue, so nothing piles up while it is away), and when Redis cannot answer the
 * request goes on, reported once per incident by the outage log.
 */
export function createRedisBuckets(url: string, logger: Logger): RedisBuckets {
  const where = { redis: describeRedisUrl(url) };
  const redis = new Redis(url, {
    // Nothing happens until the first request needs Redis.
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // A connection that swallows commands (a frozen host) is dropped and made again.
    socketTimeout: 1000,
    connectTimeout: 1000,
    maxRetriesPerRequest: 1,
    // A take that may have reached Redis before the connection broke is not sent twice.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(100 * 2 ** (attempt - 1), 2000),
  });
  // Every failed reconnection emits one; without a listener each would go to stderr. The
  // outage log reports what matters: requests let through.
  redis.on('error', (error) => {
    logger.debug({ ...where, reason: error.message }, 'Redis connection error');
  });
  const outage = createOutageLog(logger, where);
  let closed = false;

  // Commands fail at once unless the connection is ready, so a request that arrives while it
  // is being made (the first one, or a reconnection's handshake) waits for it, briefly.
  let settling: Promise<void> | undefined;
  const connectionSettled = () => {
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
    if (redis.status !== 'connecting' && redis.status !== 'connect') return undefined;
    settling ??= new Promise<void>((resolve) => {
      const done = () => {
        redis.off('ready', done).off('close', done).off('end', done);
        settling = undefined;
        resolve();
      };
      redis.once('ready', done).once('close', done).once('end', done);
    });
    return settling;
  };
  const untilReady = async () => {
    const settled = connectionSettled();
    if (settled === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, COMMAND_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  };

  const run = async (key: string, policy: BucketPolicy): Promise<unknown> => {
    const args = [key, policy.burst, policy.perSecond] as const;
    try {
      return await redis.evalsha(SCRIPT_SHA, 1, ...args);
    } catch (error) {
      // Redis forgets scripts on restart or SCRIPT FLUSH; EVAL loads it again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(TOKEN_BUCKET_SCRIPT, 1, ...args);
    }
  };

  return {
    store: (policy) => ({
      async take(key) {
        if (closed) return undefined;
        const sentAt = performance.now();
        try {
          await untilReady();
          const verdict = verdictOf(await run(key, policy));
          outage.answered();
          return verdict;
        } catch (error) {
          outage.failed(error, sentAt);
          return undefined;
        }
      },
    }),
    async close() {
      closed = true;
      if (redis.status === 'ready') {
        try {
          await redis.quit();
          return;
        } catch {
          // Redis did not answer QUIT in time; drop the connection instead.
        }
      }
      redis.disconnect();
    },
  };
}
