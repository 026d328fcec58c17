import type { notes, projects, tasks } from '@enclave/contract';
import type { Kysely } from 'kysely';
import type { AccountTables } from '../accounts/accounts.tables.js';
import type { OwnedTable } from './owned-table.js';
// new:resource imports here

/** The table of every resource, keyed by table name; each one's comes from its contract. */
export interface OwnedTables {
  tasks: OwnedTable<typeof tasks>;
  projects: OwnedTable<typeof projects>;
  notes: OwnedTable<typeof notes>;
  // new:resource inserts here
}

/** Every table the server uses. */
export interface Database extends OwnedTables, AccountTables {}

export type Db = Kysely<Database>;

/** Tables whose every row belongs to one user: each statement on them names the owner. */
export type OwnedTableName = keyof OwnedTables;
