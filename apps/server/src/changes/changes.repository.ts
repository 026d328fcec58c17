import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../db/compiled-once.js';
import type { Database, Db } from '../db/schema.js';
import type { ChangeOp } from '../db/tables/change-tables.js';
import type { GenericItem } from '../resources/generic-resource.js';

/** A change as the log holds it, its time printed as the API shows times. */
export interface ChangeRow {
  position: number;
  resource: string;
  item_id: number;
  op: ChangeOp;
  version: number;
  at: string;
}

/** Reads the owner's items among `ids` of one resource, in the snapshot of `executor`. */
export type ItemsReader = (
  owner: string,
  ids: number[],
  executor: Executor,
) => Promise<GenericItem[]>;

export type ChangesPage =
  | { kind: 'gone' }
  | {
      kind: 'page';
      changes: (ChangeRow & { item: GenericItem | null })[];
      /** The last position read, or `after` when none was. */
      position: number;
      hasMore: boolean;
    };

const ISO_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

// Every statement names one owner as a top-level term (test/owner-scope.ts): a feed is one
// user's rows only, known before the first row is read.
const horizonOf = (db: Kysely<Database>, owner: string) =>
  sql<{ position: number }>`
    select "position" from "change_horizons" where "user_id" = ${owner}`.execute(db);

/** The change log of every resource, read one owner at a time. */
export function changesRepository(db: Db, readers: ReadonlyMap<string, ItemsReader>) {
  const rowsAfter = (executor: Transaction<Database>, owner: string, after: number, n: number) =>
    sql<ChangeRow>`
      select "position", "resource", "item_id", "op", "version",
        to_char("at" at time zone 'UTC', ${sql.lit(ISO_TIME)}) as "at"
      from "changes" where "user_id" = ${owner} and "position" > ${after}
      order by "position" limit ${n}`.execute(executor);

  return {
    /**
     * The position a new client starts from: the owner's last change, or the last one the
     * retention sweep took, or 0. (A change still being written gets a higher position: each
     * owner's changes take their positions under a lock held to commit, migration 0010.)
     */
    async currentPosition(owner: string): Promise<number> {
      const { rows } = await sql<{ last: number | null; horizon: number | null }>`
        select
          (select max("position") from "changes" where "user_id" = ${owner}) as "last",
          (select "position" from "change_horizons" where "user_id" = ${owner}) as "horizon"
      `.execute(db);
      return Math.max(Number(rows[0]?.last ?? 0), Number(rows[0]?.horizon ?? 0));
    },

    /**
     * Up to `limit` changes after `after`, each with its item as it is now, all read in one
     * REPEATABLE READ snapshot so an item never shows a write whose change the page lacks.
     * `gone` when the retention sweep has taken changes after `after`.
     */
    async page(owner: string, after: number, limit: number): Promise<ChangesPage> {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (transaction) => {
          const horizon = (await horizonOf(transaction, owner)).rows[0];
          if (horizon !== undefined && Number(horizon.position) > after) return { kind: 'gone' };
          const { rows } = await rowsAfter(transaction, owner, after, limit + 1);
          const hasMore = rows.length > limit;
          const changes = rows.slice(0, limit);
          const items = await itemsOf(transaction, owner, changes);
          return {
            kind: 'page',
            changes: changes.map((change) => ({
              ...change,
              item: items.get(`${change.resource}/${change.item_id}`) ?? null,
            })),
            position: changes.at(-1)?.position ?? after,
            hasMore,
          };
        });
    },
  };

  // One statement per resource the page touches, for its items still there.
  async function itemsOf(executor: Executor, owner: string, changes: ChangeRow[]) {
    const ids = new Map<string, Set<number>>();
    for (const { resource, item_id, op } of changes) {
      if (op === 'deleted') continue;
      const set = ids.get(resource) ?? new Set();
      set.add(item_id);
      ids.set(resource, set);
    }
    const found = new Map<string, GenericItem>();
    for (const [resource, set] of ids) {
      const read = readers.get(resource);
      if (read === undefined) continue; // a resource no longer served: its items are not shown
      for (const item of await read(owner, [...set], executor)) {
        found.set(`${resource}/${item.id}`, item);
      }
    }
    return found;
  }
}

export type ChangesRepository = ReturnType<typeof changesRepository>;
