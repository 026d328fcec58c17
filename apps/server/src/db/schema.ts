import type { notes, projects, tasks } from '@enclave/contract';
import type { Kysely } from 'kysely';
import type { OwnedTable } from './owned-table.js';
// new:resource imports here

/** Every table the server owns, keyed by table name; each resource's comes from its contract. */
export interface Database {
  tasks: OwnedTable<typeof tasks>;
  projects: OwnedTable<typeof projects>;
  notes: OwnedTable<typeof notes>;
  // new:resource inserts here
}

export type Db = Kysely<Database>;

/** Tables whose every row belongs to one user: each statement on them names the owner. */
export type OwnedTableName = keyof Database;
