import type { Task, TaskPatch, TaskReplace } from '@enclave/contract';
import { sql } from 'kysely';
import type { Db } from '../db/schema.js';
import type { TaskRow } from './tasks.table.js';

// Every statement names the owner in its WHERE clause: a row of another user is simply not
// found, in the same statement that reads or writes it (no check-then-act, no existence leak).

const columns = [
  'id',
  'user_id',
  'title',
  'description',
  'complete',
  'created_at',
  'updated_at',
] as const;

export type NewTask = Pick<Task, 'title' | 'description' | 'complete'>;

/** Maps a stored row to the API's task. */
export function toTask(row: TaskRow): Task {
  return {
    id: Number(row.id),
    user_id: row.user_id,
    title: row.title,
    description: row.description,
    complete: row.complete,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listTasks(db: Db, owner: string): Promise<Task[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(columns)
    .where('user_id', '=', owner)
    .orderBy('id')
    .execute();
  return rows.map(toTask);
}

export async function findTask(db: Db, owner: string, id: number): Promise<Task | undefined> {
  const row = await db
    .selectFrom('tasks')
    .select(columns)
    .where('id', '=', id)
    .where('user_id', '=', owner)
    .executeTakeFirst();
  return row && toTask(row);
}

export async function createTask(db: Db, owner: string, task: NewTask): Promise<Task> {
  const row = await db
    .insertInto('tasks')
    .values({ ...task, user_id: owner })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toTask(row);
}

/** Changes the given fields (all of them for PUT) in one atomic statement. */
export async function updateTask(
  db: Db,
  owner: string,
  id: number,
  changes: TaskReplace | TaskPatch,
): Promise<Task | undefined> {
  const row = await db
    .updateTable('tasks')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('user_id', '=', owner)
    .returning(columns)
    .executeTakeFirst();
  return row && toTask(row);
}

/** True when this call deleted the row; of concurrent deletes of one row exactly one wins. */
export async function deleteTask(db: Db, owner: string, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('tasks')
    .where('id', '=', id)
    .where('user_id', '=', owner)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
