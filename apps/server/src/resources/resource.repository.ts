import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Db, OwnedTableName } from '../db/schema.js';
import type {
  GenericItem,
  GenericRow,
  GenericTable,
  RegisteredResource,
} from './generic-resource.js';

// Every statement here names the owner in its WHERE clause (or, for an insert, sets it): a
// row of another user is simply not found, in the same statement that reads or writes it (no
// check-then-act, no existence leak), and each statement touches one owner's rows only, which
// is what lets the tables be distributed by owner (docs/scaling.md).

// The repository is written once for every resource, so it names columns that only the
// resource's declaration knows. Kysely is told that every owned table also has the shape
// shared by all of them (a type-only view: the same instance, the same connection).
type GenericTables = Record<OwnedTableName, GenericTable>;
type Tables = Kysely<Database & GenericTables>;
type Database = Db extends Kysely<infer T> ? T : never;
type Where = ExpressionBuilder<Database & GenericTables, OwnedTableName>;

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

// Selected by name, so Kysely types them; the resource's own columns are known only at run time.
const SYSTEM_COLUMNS = ['id', 'user_id', 'created_at', 'updated_at'] as const;
const PAGE_SYSTEM_COLUMNS = SYSTEM_COLUMNS.map((column) => `page.${column}` as const);

const views = new WeakMap<Db, Tables>();
function tables(db: Db): Tables {
  let view = views.get(db);
  if (view === undefined) {
    view = db.withTables<GenericTables>();
    views.set(db, view);
  }
  return view;
}

/** The data access of one resource, in its API shape. */
export function resourceRepository(resource: RegisteredResource) {
  const table = resource.name;
  const fieldColumns = Object.keys(resource.fields);
  // The order of an item's keys, as a client sees them (JSON keeps insertion order).
  const columns = ['id', 'user_id', ...fieldColumns, 'created_at', 'updated_at'];
  const searchable: readonly string[] = resource.list.searchable;

  /** Maps a stored row to the API's item: timestamps as ISO 8601 UTC strings. */
  const toItem = (row: GenericRow): GenericItem => {
    const item: Partial<GenericItem> = {};
    for (const column of columns) {
      const value: unknown = row[column];
      item[column] = value instanceof Date ? value.toISOString() : value;
    }
    return item as GenericItem;
  };

  const matching = (eb: Where, owner: string, criteria: ListCriteria) => {
    const conditions = [eb('user_id', '=', owner)];
    for (const [field, value] of Object.entries(criteria.filters)) {
      conditions.push(value === null ? eb(field, 'is', null) : eb(field, '=', value));
    }
    if (criteria.q !== undefined) {
      const pattern = likePattern(criteria.q);
      conditions.push(eb.or(searchable.map((field) => eb(field, 'ilike', pattern))));
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
    ): Promise<{ rows: GenericRow[]; total: number }> {
      const { field, direction } = criteria.sort;
      const { after } = criteria;
      const beyond = direction === 'asc' ? '>' : '<';
      let page = tables(db)
        .selectFrom(table)
        .select(SYSTEM_COLUMNS)
        .select(fieldColumns)
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
        .select(['counted.total', ...PAGE_SYSTEM_COLUMNS])
        .select(fieldColumns.map((column) => `page.${column}` as const));
      if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
      const joined = await query.orderBy('page.id', direction).execute();
      const total = Number(joined[0]?.total ?? 0);
      // The left join yields one row of nulls when the page is empty; a row with an id is a
      // whole row of the table, all of whose system columns are non-null.
      const rows = joined
        .map(({ total: _total, ...row }) => row)
        .filter((row): row is typeof row & GenericRow => row.id !== null);
      return { rows, total };
    },

    async find(db: Db, owner: string, id: number): Promise<GenericItem | undefined> {
      const row = await tables(db)
        .selectFrom(table)
        .select(SYSTEM_COLUMNS)
        .select(fieldColumns)
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async create(db: Db, owner: string, values: Record<string, unknown>): Promise<GenericItem> {
      const row = await tables(db)
        .insertInto(table)
        .values({ ...values, user_id: owner })
        .returning(SYSTEM_COLUMNS)
        .returning(fieldColumns)
        .executeTakeFirstOrThrow();
      return toItem(row);
    },

    /** Changes the given fields (all of them for PUT) in one atomic statement. */
    async update(
      db: Db,
      owner: string,
      id: number,
      changes: Record<string, unknown>,
    ): Promise<GenericItem | undefined> {
      const row = await tables(db)
        .updateTable(table)
        .set({ ...changes, updated_at: sql<Date>`now()` })
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .returning(SYSTEM_COLUMNS)
        .returning(fieldColumns)
        .executeTakeFirst();
      return row && toItem(row);
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
