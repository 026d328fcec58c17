import type { ColumnType, Generated, Selectable } from 'kysely';

export interface TasksTable {
  // bigint identity: node-postgres returns int8 as a string, the embedded database as a number.
  id: ColumnType<string | number, never, never>;
  user_id: string;
  title: string;
  description: string | null;
  complete: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type TaskRow = Selectable<TasksTable>;
