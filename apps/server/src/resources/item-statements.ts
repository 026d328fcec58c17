import { sql } from 'kysely';
import { compiledByShape, compiledOnce, type Param } from '../db/compiled-once.js';
import type { OwnedTableName } from '../db/schema.js';
import { cast, type ResourceColumns } from './resource-columns.js';
import type { GenericItem } from './generic-resource.js';
import type { Tables } from './statement-types.js';

// The statements on one item. Each names the owner in its WHERE clause (or, for an insert,
// sets it): a row of another user is simply not found, in the same statement that reads or
// writes it (no check-then-act, no existence leak).

/** The params a write's fields take their values from. */
export const fieldParam = (field: string) => `field ${field}`;

/** What a write sets, shaped by the fields it writes and whether a condition names versions. */
export interface WriteShape {
  /** Sorted, so one shape serves whatever order the client sent them in. */
  fields: string[];
  conditional: boolean;
}

const writeKey = ({ fields, conditional }: WriteShape) =>
  `${fields.join(',')}|${conditional ? 'if-match' : 'any'}`;

export function itemStatements(columns: ResourceColumns) {
  const table = columns.table as OwnedTableName;
  const item = columns.item();

  // A write's condition: the item must be at one of the versions If-Match names, tested in the
  // statement that writes, so nothing can change the row between the test and the write. One
  // array parameter, so any number of versions is one statement shape.
  const atVersion = (param: Param) =>
    sql<boolean>`${sql.ref('version')} = any(${cast(param('versions'), 'bigint[]')})`;

  // The owner's change lock (migration 0010), taken in the statement before it locks the row
  // it writes: every writer of an owner's items takes the lock first and the rows after, so
  // the change log's order is the commit order and no two writers deadlock.
  const ownerLocked = (param: Param) => sql<boolean>`changes_lock_owner(${param<string>('owner')})`;

  return {
    /** The owner's items among `ids` (what the change feed shows of its changes). */
    findMany: compiledOnce((db: Tables, param: Param) =>
      db
        .selectFrom(table)
        .select(item)
        .where('user_id', '=', param<string>('owner'))
        .where('id', '=', sql<number>`any(${cast(param('ids'), 'bigint[]')})`)
        .$castTo<GenericItem>(),
    ),

    find: compiledOnce((db: Tables, param: Param) =>
      db
        .selectFrom(table)
        .select(item)
        .where('user_id', '=', param<string>('owner'))
        .where('id', '=', param<number>('id'))
        .$castTo<GenericItem>(),
    ),

    version: compiledOnce((db: Tables, param: Param) =>
      db
        .selectFrom(table)
        .select('version')
        .where('user_id', '=', param<string>('owner'))
        .where('id', '=', param<number>('id')),
    ),

    create: compiledByShape(
      (db: Tables, param: Param, { fields }: WriteShape) =>
        db
          .insertInto(table)
          .values({
            ...Object.fromEntries(fields.map((field) => [field, param(fieldParam(field))])),
            user_id: param<string>('owner'),
          })
          .returning(item)
          .$castTo<GenericItem>(),
      writeKey,
    ),

    update: compiledByShape((db: Tables, param: Param, { fields, conditional }: WriteShape) => {
      const changes = Object.fromEntries(fields.map((field) => [field, param(fieldParam(field))]));
      let statement = db
        .updateTable(table)
        .set({
          ...changes,
          version: sql<number>`${sql.ref('version')} + 1`,
          updated_at: sql<Date>`now()`,
        })
        .where('user_id', '=', param<string>('owner'))
        .where('id', '=', param<number>('id'))
        .where(ownerLocked(param));
      if (conditional) statement = statement.where(atVersion(param));
      return statement.returning(item).$castTo<GenericItem>();
    }, writeKey),

    remove: compiledByShape((db: Tables, param: Param, { conditional }: WriteShape) => {
      const statement = db
        .deleteFrom(table)
        .where('user_id', '=', param<string>('owner'))
        .where('id', '=', param<number>('id'))
        .where(ownerLocked(param));
      return conditional ? statement.where(atVersion(param)) : statement;
    }, writeKey),
  };
}
