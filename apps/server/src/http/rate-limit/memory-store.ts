import {
  takeToken,
  tokensAt,
  type Bucket,
  type BucketPolicy,
  type BucketStore,
} from './token-bucket.js';

export interface MemoryStoreOptions {
  /** The most keys held; past it, full buckets and then the least recently used are dropped. */
  maxKeys?: number;
  /** Milliseconds on a clock that never steps back; tests pass their own. */
  now?: () => number;
}

/** About 100 bytes a key: a flood of distinct keys costs at most ~10 MB per limit. */
export const DEFAULT_MAX_KEYS = 100_000;

/** Buckets in this process's memory, for one policy: each instance counts on its own. */
export function createMemoryStore(
  policy: BucketPolicy,
  { maxKeys = DEFAULT_MAX_KEYS, now = () => performance.now() }: MemoryStoreOptions = {},
): BucketStore & { readonly size: number } {
  // A Map iterates in insertion order; re-inserting on every use keeps it least recent first.
  const buckets = new Map<string, Bucket>();
  // Room is made a tenth of maxKeys at a time, so the full scan runs at most once per that
  // many new keys however hard the flood.
  const roomy = maxKeys - Math.max(1, Math.floor(maxKeys / 10));

  const makeRoom = (time: number) => {
    // A full bucket is the same as none: dropping it loses nothing.
    for (const [key, bucket] of buckets) {
      if (tokensAt(policy, bucket, time) >= policy.burst) buckets.delete(key);
    }
    for (const key of buckets.keys()) {
      if (buckets.size <= roomy) break;
      buckets.delete(key);
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      const time = now();
      const bucket = buckets.get(key);
      if (bucket === undefined && buckets.size >= maxKeys) makeRoom(time);
      const taken = takeToken(policy, bucket, time);
      buckets.delete(key);
      buckets.set(key, taken.bucket);
      return Promise.resolve({ allowed: taken.allowed, tokens: taken.bucket.tokens });
    },
  };
}
