import type { Kysely } from 'kysely';
import type { TasksTable } from '../tasks/tasks.table.js';

/** Every table the server owns, keyed by table name. */
export interface Database {
  tasks: TasksTable;
}

export type Db = Kysely<Database>;
