import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { compiledOnce, type Param } from '../db/compiled-once.js';
import type { Database, Db } from '../db/schema.js';

// Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) over PostgreSQL alone, so any
// number of server instances share it and a restart forgets nothing:
//
// 1. A transaction-scoped advisory lock on (owner, route, key), tried without waiting: held
//    means the first request with the key is still running (409). Through a transaction
//    pooler it is released with its transaction, like everything else in it.
// 2. Under the lock, the stored answer, if any: the same request is answered with it (a
//    replay); another request with the same key is refused (422).
// 3. Else the work runs in the same transaction, and a successful answer is stored in it: an
//    item made under a key always has its stored answer, and an answer always its item.
//
// Only successes are stored: a request refused for its input, or for a conflict that may
// clear, is not an outcome a retry must repeat (Stripe's rule).

/** An answer as stored for a key and replayed to a retry. */
export interface StoredAnswer {
  status: number;
  /** The body as sent, JSON. */
  body: string;
  /** The headers that matter to a client (ETag, Location), as first sent. */
  headers: Record<string, string>;
}

/** Who used the key, on what, for which request. */
export interface KeyedRequest {
  owner: string;
  /** The operation, e.g. `tasks.create`: a key is per user and route. */
  route: string;
  key: string;
  /** A hash of what the request asks for (fingerprintOf): the same key with another is a 422. */
  fingerprint: string;
}

/** What a keyed request gets. */
export type KeyedOutcome<T> =
  /** The work ran now: its answer, stored when it succeeded. */
  | { kind: 'done'; answer: T }
  /** An earlier request with this key and this request succeeded: its answer. */
  | { kind: 'replay'; stored: StoredAnswer }
  /** The key was used with another request. */
  | { kind: 'reused' }
  /** The first request with this key has not finished. */
  | { kind: 'in-flight' };

/** The part of an answer the store keeps; `status` from 200 to 299 is stored. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A hash of a request's body, the same for the same JSON whatever the order of its keys, so
 * a client that serialises one object two ways is not refused as "a different request".
 */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// Two users' keys, or one user's keys on two routes, never share a lock: JSON keeps the
// three apart whatever characters they hold. A 64-bit hash can collide; the cost of that
// is a 409 that a retry clears.
const lockStatement = compiledOnce((db: Db, param: Param) =>
  db.selectNoFrom(
    sql<boolean>`pg_try_advisory_xact_lock(hashtextextended(${param<string>('lock')}, 0))`.as(
      'locked',
    ),
  ),
);

const findStatement = compiledOnce((db: Db, param: Param) =>
  db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'status', 'body', 'headers'])
    .select(sql<boolean>`${sql.ref('expires_at')} <= now()`.as('expired'))
    .where('user_id', '=', param<string>('owner'))
    .where('route', '=', param<string>('route'))
    .where('key', '=', param<string>('key')),
);

// An expired answer is gone, whether or not the sweep has removed it yet: its key is taken
// afresh, under the lock, so nothing else can be storing it meanwhile.
const forgetStatement = compiledOnce((db: Db, param: Param) =>
  db
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', param<string>('owner'))
    .where('route', '=', param<string>('route'))
    .where('key', '=', param<string>('key')),
);

const storeStatement = compiledOnce((db: Db, param: Param) =>
  db.insertInto('idempotency_keys').values({
    user_id: param<string>('owner'),
    route: param<string>('route'),
    key: param<string>('key'),
    fingerprint: param<string>('fingerprint'),
    status: param<number>('status'),
    body: param<string>('body'),
    headers: param<string>('headers'),
    expires_at: sql<Date>`now() + make_interval(secs => ${param<number>('ttlSeconds')})`,
  }),
);

/** Runs requests with an Idempotency-Key; answers are kept for `ttlSeconds`. */
export function idempotencyKeys(db: Db, ttlSeconds: number) {
  return {
    /**
     * Runs `work` once per key: inside one transaction with the stored answer, which `work`
     * must make its writes in (it gets the transaction). A throw rolls both back.
     */
    async run<T extends Answer>(
      request: KeyedRequest,
      work: (transaction: Transaction<Database>) => Promise<T>,
    ): Promise<KeyedOutcome<T>> {
      const { owner, route, key, fingerprint } = request;
      return db.transaction().execute(async (transaction): Promise<KeyedOutcome<T>> => {
        const lockName = JSON.stringify([owner, route, key]);
        const [lock] = (await lockStatement(db).run({ lock: lockName }, transaction)).rows;
        if (lock?.locked !== true) return { kind: 'in-flight' };
        const [stored] = (await findStatement(db).run({ owner, route, key }, transaction)).rows;
        if (stored?.expired === true) {
          await forgetStatement(db).run({ owner, route, key }, transaction);
        } else if (stored !== undefined) {
          if (stored.fingerprint !== fingerprint) return { kind: 'reused' };
          const { status, body, headers } = stored;
          return { kind: 'replay', stored: { status, body, headers } };
        }
        const answer = await work(transaction);
        if (answer.status >= 200 && answer.status < 300) {
          const values = {
            owner,
            route,
            key,
            fingerprint,
            status: answer.status,
            body: JSON.stringify(answer.body),
            headers: JSON.stringify(answer.headers ?? {}),
            ttlSeconds,
          };
          await storeStatement(db).run(values, transaction);
        }
        return { kind: 'done', answer };
      });
    },
  };
}

export type IdempotencyKeys = ReturnType<typeof idempotencyKeys>;
