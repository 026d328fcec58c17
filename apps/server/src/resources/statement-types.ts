import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Db, OwnedTableName } from '../db/schema.js';
import type { GenericTable } from './generic-resource.js';

// The statements are written once for every resource, so they name columns only the
// resource's declaration knows. Kysely is told that every owned table also has the shape
// shared by all of them (a type-only view: the same instance, the same connection).
type GenericTables = Record<OwnedTableName, GenericTable>;
type Database = Db extends Kysely<infer T> ? T : never;

/** A database handle that knows every owned table by the shape all of them share. */
export type Tables = Kysely<Database & GenericTables>;
/** A condition's builder over one owned table. */
export type Where = ExpressionBuilder<Database & GenericTables, OwnedTableName>;

const views = new WeakMap<Db, Tables>();

/** The generic view of `db`: made once per handle, so statements compiled for it are reused. */
export function tablesOf(db: Db): Tables {
  let view = views.get(db);
  if (view === undefined) {
    view = db.withTables<GenericTables>();
    views.set(db, view);
  }
  return view;
}
