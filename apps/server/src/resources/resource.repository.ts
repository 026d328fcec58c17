import type { resourceSchemas } from '@enclave/contract';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { Db, OwnedTableName } from '../db/schema.js';

// Every statement here names the owner in its WHERE clause (or, for an insert, sets it): a
// row of another user is simply not found, in the same statement that reads or writes it (no
// check-then-act, no existence leak), and each statement touches one owner's rows only, which
// is what lets the tables be distributed by owner (docs/scaling.md).

/** What the repository needs of a resource's contract declaration. */
export interface StoredResource {
  name: OwnedTableName;
  fields: z.ZodRawShape;
  list: { searchable: readonly string[] };
  schemas: Pick<ReturnType<typeof resourceSchemas>, 'response'>;
}

/** A stored row as both drivers return it (see database.ts for int8). */
type Row = { id: number; user_id: string; created_at: Date; updated_at: Date } & Record<
  string,
  unknown
>;
// The repository works on any resource's table, so it sees the tables through this one shape;
// the types of the values come from the contract's schemas instead.
type AnyTables = Kysely<Record<string, Row>>;
type Where = ExpressionBuilder<Record<string, Row>, string>;

export type SortDirection = 'asc' | 'desc';

/** A page of a list, after the caller turned the query string and cursor into these. */
export interface ListCriteria {
  limit: number;
  sort: { field: string; direction: SortDirection };
  /** Rows strictly after this position in the sort order (from a cursor). */
  after?: { value: unknown; id: number };
  /** Field → value (null: the field is null). */
  filters: Record<string, unknown>;
  q?: string;
}

/** `%`, `_` and `\` in a search are the user's characters, not LIKE wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The data access of one resource; `Item` is its API shape. */
export function resourceRepository<TItem>(resource: StoredResource) {
  const table = resource.name;
  const columns = ['id', 'user_id', ...Object.keys(resource.fields), 'created_at', 'updated_at'];
  const tables = (db: Db) => db as unknown as AnyTables;

  /** Maps a stored row to the API's item: timestamps as ISO 8601 UTC strings. */
  const toItem = (row: Row): TItem => {
    const item: Record<string, unknown> = {};
    for (const column of columns) {
      const value = row[column];
      item[column] = value instanceof Date ? value.toISOString() : value;
    }
    return item as TItem;
  };

  const matching = (eb: Where, owner: string, criteria: ListCriteria) => {
    const conditions = [eb('user_id', '=', owner)];
    for (const [field, value] of Object.entries(criteria.filters)) {
      conditions.push(value === null ? eb(field, 'is', null) : eb(field, '=', value));
    }
    if (criteria.q !== undefined) {
      const pattern = likePattern(criteria.q);
      conditions.push(eb.or(resource.list.searchable.map((field) => eb(field, 'ilike', pattern))));
    }
    return eb.and(conditions);
  };

  return {
    toItem,

    /**
     * A page of the owner's matching rows (one more than `limit`, to tell if more follow) and
     * how many match across all pages. One statement, so both come from one snapshot: a count
     * that disagrees with its page under concurrent writes would be a lie the client can see.
     */
    async listPage(
      db: Db,
      owner: string,
      criteria: ListCriteria,
    ): Promise<{ rows: Row[]; total: number }> {
      const { field, direction } = criteria.sort;
      const { after } = criteria;
      const beyond = direction === 'asc' ? '>' : '<';
      let page = tables(db)
        .selectFrom(table)
        .select(columns)
        .where((eb) => matching(eb, owner, criteria));
      if (after !== undefined) {
        page = page.where((eb) =>
          field === 'id'
            ? eb('id', beyond, after.id)
            : eb(eb.refTuple(field, 'id'), beyond, eb.tuple(after.value, after.id)),
        );
      }
      if (field !== 'id') page = page.orderBy(field, direction);
      const counted = tables(db)
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where((eb) => matching(eb, owner, criteria));
      // The count is the outer side, so an empty page (an empty list, or a cursor at the end)
      // still yields one row carrying it; the page's own order is restated outside.
      let query = tables(db)
        .selectFrom(counted.as('counted'))
        .leftJoinLateral(
          page
            .orderBy('id', direction)
            .limit(criteria.limit + 1)
            .as('page'),
          (join) => join.onTrue(),
        )
        .select(['counted.total', ...columns.map((column) => `page.${column}` as 'page.id')]);
      if (field !== 'id') query = query.orderBy(`page.${field}` as 'page.id', direction);
      const joined = (await query.orderBy('page.id', direction).execute()) as (Row & {
        total: number;
      })[];
      const total = Number(joined[0]?.total ?? 0);
      const rows = joined
        .filter((row) => row.id !== null)
        .map(({ total: _total, ...row }) => row as Row);
      return { rows, total };
    },

    async find(db: Db, owner: string, id: number): Promise<TItem | undefined> {
      const row = await tables(db)
        .selectFrom(table)
        .select(columns)
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toItem(row as Row);
    },

    async create(db: Db, owner: string, values: Record<string, unknown>): Promise<TItem> {
      const row = await tables(db)
        .insertInto(table)
        .values({ ...values, user_id: owner })
        .returning(columns)
        .executeTakeFirstOrThrow();
      return toItem(row as Row);
    },

    /** Changes the given fields (all of them for PUT) in one atomic statement. */
    async update(
      db: Db,
      owner: string,
      id: number,
      changes: Record<string, unknown>,
    ): Promise<TItem | undefined> {
      const row = await tables(db)
        .updateTable(table)
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .returning(columns)
        .executeTakeFirst();
      return row && toItem(row as Row);
    },

    /** True when this call deleted the row; of concurrent deletes of one row exactly one wins. */
    async remove(db: Db, owner: string, id: number): Promise<boolean> {
      const result = await tables(db)
        .deleteFrom(table)
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ResourceRepository<TItem> = ReturnType<typeof resourceRepository<TItem>>;
