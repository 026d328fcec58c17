import { sql } from 'kysely';
import type { Executor } from '../db/compiled-once.js';
import type { Db } from '../db/schema.js';
import type { GenericItem, RegisteredResource } from './generic-resource.js';
import { fieldParam, itemStatements } from './item-statements.js';
import { listRun, listStatements, type ListCriteria } from './list-statements.js';
import { resourceColumns } from './resource-columns.js';
import { tablesOf } from './statement-types.js';

export type { ListCriteria, ListFilter, SortDirection } from './list-statements.js';

/** The fields a write sets, in one order whatever order the client sent them in. */
function writtenFields(values: Record<string, unknown>): string[] {
  // A field whose value is undefined is not written (PUT keeps a field added later).
  return Object.keys(values)
    .filter((field) => values[field] !== undefined)
    .sort();
}

export interface RepositoryOptions {
  /**
   * The longest a list with `q` may run, in milliseconds: a search reads every one of the
   * owner's rows its filters leave, so it is bounded apart from the other statements.
   */
  searchTimeoutMs?: number;
}

/** The data access of one resource on one database, in its API shape. */
export function resourceRepository(
  db: Db,
  resource: Pick<RegisteredResource, 'name' | 'fields' | 'list'>,
  { searchTimeoutMs }: RepositoryOptions = {},
) {
  const tables = tablesOf(db);
  const columns = resourceColumns(resource);
  const lists = listStatements(columns, resource.list.searchable);
  const items = itemStatements(columns);
  // Only the item's columns are copied out of a counted page's rows, key by key in one order,
  // so every item gets one shape: a rest copy (`{ total, ...item }`) cost more than the rest of
  // the list's JavaScript together.
  const itemColumns = ['id', 'user_id', ...columns.names, 'version', 'created_at', 'updated_at'];
  const withoutTotal = (row: GenericItem & { total: unknown }): GenericItem => {
    const item: Record<string, unknown> = {};
    for (const column of itemColumns) item[column] = row[column];
    return item as GenericItem;
  };
  const fieldValues = (values: Record<string, unknown>, fields: string[]) =>
    Object.fromEntries(
      fields.map((field) => [fieldParam(field), columns.toParameter(field, values[field])]),
    );

  const listOn = async (
    executor: Executor | undefined,
    owner: string,
    criteria: ListCriteria,
  ): Promise<{ rows: GenericItem[]; total: number | null }> => {
    const { shape, values } = listRun(columns, owner, criteria);
    if (!criteria.count) {
      const { rows } = await lists.page(tables, shape).run(values, executor);
      return { rows, total: null };
    }
    const { rows: counted } = await lists.counted(tables, shape).run(values, executor);
    const rows = counted.map(withoutTotal);
    const first = counted[0];
    if (first !== undefined) {
      return { rows, total: first.total === null ? rows.length : Number(first.total) };
    }
    // An empty page: with no cursor nothing matches; after one, the rows before it count.
    if (criteria.after === undefined) return { rows, total: 0 };
    const [matched] = (await lists.count(tables, shape).run(values, executor)).rows;
    return { rows, total: Number(matched?.total ?? 0) };
  };

  return {
    /**
     * A page of the owner's matching rows (one more than `limit`, to tell if more follow) and
     * how many match across all pages, both from one statement, so from one snapshot: a count
     * that disagrees with its page under concurrent writes would be a lie the client can see.
     * (A page after a cursor that comes back empty has no row to carry the count; that count
     * is asked for on its own.) A search runs in a transaction of its own that bounds it to
     * `searchTimeoutMs`.
     */
    async listPage(owner: string, criteria: ListCriteria) {
      if (criteria.q === undefined || searchTimeoutMs === undefined) {
        return listOn(undefined, owner, criteria);
      }
      return db.transaction().execute(async (transaction) => {
        await sql`set local statement_timeout = ${sql.lit(Math.round(searchTimeoutMs))}`.execute(
          transaction,
        );
        return listOn(transaction, owner, criteria);
      });
    },

    /** The owner's items among `ids`, read with `executor` (a transaction's snapshot). */
    async findMany(owner: string, ids: number[], executor?: Executor): Promise<GenericItem[]> {
      const { rows } = await items.findMany(tables).run({ owner, ids }, executor);
      return rows;
    },

    async find(owner: string, id: number): Promise<GenericItem | undefined> {
      const { rows } = await items.find(tables).run({ owner, id });
      return rows[0];
    },

    /** The item's version, or undefined when the owner has no such item. */
    async versionOf(owner: string, id: number): Promise<number | undefined> {
      const { rows } = await items.version(tables).run({ owner, id });
      return rows[0]?.version;
    },

    /** Creates an item; inside a transaction of the database when `executor` is one. */
    async create(
      owner: string,
      values: Record<string, unknown>,
      executor?: Executor,
    ): Promise<GenericItem> {
      const fields = writtenFields(values);
      const statement = items.create(tables, { fields, conditional: false });
      const { rows } = await statement.run({ owner, ...fieldValues(values, fields) }, executor);
      const row = rows[0];
      if (row === undefined) throw new Error(`insert into ${resource.name} returned no row`);
      return row;
    },

    /**
     * Changes the given fields (all of them for PUT) in one atomic statement, and the version;
     * with `versions`, only if the item is at one of them. Undefined when nothing was written:
     * no such item, or (with `versions`) it is at another version.
     */
    async update(
      owner: string,
      id: number,
      changes: Record<string, unknown>,
      versions?: readonly number[],
    ): Promise<GenericItem | undefined> {
      const fields = writtenFields(changes);
      const conditional = versions !== undefined;
      const statement = items.update(tables, { fields, conditional });
      const values = { owner, id, ...fieldValues(changes, fields), versions: versions ?? [] };
      const { rows } = await statement.run(values);
      return rows[0];
    },

    /**
     * True when this call deleted the row (with `versions`, only if it was at one of them); of
     * concurrent deletes of one row exactly one wins.
     */
    async remove(owner: string, id: number, versions?: readonly number[]): Promise<boolean> {
      const conditional = versions !== undefined;
      const statement = items.remove(tables, { fields: [], conditional });
      const { numAffectedRows } = await statement.run({ owner, id, versions: versions ?? [] });
      return (numAffectedRows ?? 0n) > 0n;
    },
  };
}
