import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Db, OwnedTableName } from '../db/schema.js';
import type { GenericItem, GenericTable, RegisteredResource } from './generic-resource.js';

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
  /** Whether to count every match across all pages (the list's `count`). */
  count: boolean;
}

/** `%`, `_` and `\` in a search are the user's characters, not LIKE wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

// The database writes the API's timestamps itself (ISO 8601, UTC, milliseconds, as the
// columns hold them): parsing each into a Date and printing it again cost more JavaScript
// than anything else in a list. Both drivers run the same SQL, so both answer alike.
const isoTime = (column: 'created_at' | 'updated_at', from = '') =>
  sql<string>`to_char(${sql.ref(from + column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(
    column,
  );
const ISO_TIMES = [isoTime('created_at'), isoTime('updated_at')];
// A list's page keeps the stored times, which its index orders; the outer select prints them.
const PAGE_TIMES = [isoTime('created_at', 'page.'), isoTime('updated_at', 'page.')];

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
  const pageFieldColumns = fieldColumns.map((column) => `page.${column}` as const);
  const searchable: readonly string[] = resource.list.searchable;
  // Every statement selects exactly the declared columns by name, in the order a client sees
  // them (id, user_id, the fields, the times), so a row as the driver returns it is the item:
  // nothing to map, and no column the contract does not declare can ever be in it.

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
    /**
     * A page of the owner's matching rows (one more than `limit`, to tell if more follow) and
     * how many match across all pages. One statement, so both come from one snapshot: a count
     * that disagrees with its page under concurrent writes would be a lie the client can see.
     */
    async listPage(
      db: Db,
      owner: string,
      criteria: ListCriteria,
    ): Promise<{ rows: GenericItem[]; total: number | null }> {
      const { field, direction } = criteria.sort;
      const { after } = criteria;
      const beyond = direction === 'asc' ? '>' : '<';
      let page = tables(db)
        .selectFrom(table)
        .select(['id', 'user_id', 'created_at', 'updated_at'])
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
      const pageRows = page
        .orderBy('id', direction)
        .limit(criteria.limit + 1)
        .as('page');
      if (!criteria.count) {
        // The page alone: what it costs does not grow with the owner's other rows.
        let query = tables(db)
          .selectFrom(pageRows)
          .select(['page.id', 'page.user_id'])
          .select(pageFieldColumns)
          .select(PAGE_TIMES);
        if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
        return { rows: await query.orderBy('page.id', direction).execute(), total: null };
      }
      const counted = tables(db)
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where((eb) => matching(eb, owner, criteria));
      // The count is the outer side, so an empty page (an empty list, or a cursor at the end)
      // still yields one row carrying it; the page's own order is restated outside.
      let query = tables(db)
        .selectFrom(counted.as('counted'))
        .leftJoinLateral(pageRows, (join) => join.onTrue())
        .select(['counted.total', 'page.id', 'page.user_id'])
        .select(pageFieldColumns)
        .select(PAGE_TIMES);
      if (field !== 'id') query = query.orderBy(`page.${field}`, direction);
      const joined = await query.orderBy('page.id', direction).execute();
      const total = Number(joined[0]?.total ?? 0);
      // The left join yields one row of nulls when the page is empty; a row with an id is a
      // whole row of the table, all of whose system columns are non-null.
      const rows = joined
        .map(({ total: _total, ...row }) => row)
        .filter((row): row is typeof row & GenericItem => row.id !== null);
      return { rows, total };
    },

    async find(db: Db, owner: string, id: number): Promise<GenericItem | undefined> {
      const row = await tables(db)
        .selectFrom(table)
        .select(['id', 'user_id'])
        .select(fieldColumns)
        .select(ISO_TIMES)
        .where('user_id', '=', owner)
        .where('id', '=', id)
        .executeTakeFirst();
      return row;
    },

    async create(db: Db, owner: string, values: Record<string, unknown>): Promise<GenericItem> {
      const row = await tables(db)
        .insertInto(table)
        .values({ ...values, user_id: owner })
        .returning(['id', 'user_id'])
        .returning(fieldColumns)
        .returning(ISO_TIMES)
        .executeTakeFirstOrThrow();
      return row;
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
        .returning(['id', 'user_id'])
        .returning(fieldColumns)
        .returning(ISO_TIMES)
        .executeTakeFirst();
      return row;
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
