import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.js';
import { newUserId } from '../../test/harness.js';
import type { Db } from '../db/schema.js';
import {
  createTask,
  deleteTask,
  findTask,
  listTasks,
  toTask,
  updateTask,
  type NewTask,
} from './tasks.repository.js';
import type { TaskRow } from './tasks.table.js';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.destroy());

const plain: NewTask = { title: 'Buy milk', description: null, complete: false };

// Bypasses the repository, which always filters by owner, to see what the table really holds.
async function rowOf(id: number) {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

// An hour back, so "updated_at moved" holds however coarse the database clock is.
async function backdate(id: number) {
  await sql`update tasks set created_at = created_at - interval '1 hour',
    updated_at = updated_at - interval '1 hour' where id = ${id}`.execute(db);
  const row = await rowOf(id);
  if (row === undefined) throw new Error(`task ${id} vanished`);
  return toTask(row);
}

// The database's own CHECK constraints, violated: the error names the constraint.
function violates(constraint: string) {
  return { code: '23514', constraint };
}

describe('toTask', () => {
  const created = new Date('2026-01-15T09:30:00.000Z');
  const updated = new Date('2026-01-16T10:00:00.500Z');
  const row = (id: string | number): TaskRow => ({
    id,
    user_id: 'user-1',
    title: 'Title',
    description: null,
    complete: true,
    created_at: created,
    updated_at: updated,
  });

  it('turns node-postgres string ids and embedded numeric ids into the same number', () => {
    const expected = {
      id: 42,
      user_id: 'user-1',
      title: 'Title',
      description: null,
      complete: true,
      created_at: '2026-01-15T09:30:00.000Z',
      updated_at: '2026-01-16T10:00:00.500Z',
    };
    expect(toTask(row('42'))).toEqual(expected);
    expect(toTask(row(42))).toEqual(expected);
  });
});

describe('createTask', () => {
  it('stores the task and returns it with a positive id and equal UTC timestamps', async () => {
    const owner = newUserId();
    const task = await createTask(db, owner, {
      title: 'Read',
      description: 'a book',
      complete: true,
    });
    expect(task).toMatchObject({
      user_id: owner,
      title: 'Read',
      description: 'a book',
      complete: true,
    });
    expect(Number.isSafeInteger(task.id) && task.id > 0).toBe(true);
    expect(task.created_at).toMatch(/Z$/);
    expect(task.updated_at).toBe(task.created_at);
    expect(toTask((await rowOf(task.id))!)).toEqual(task);
  });

  it('gives every task its own increasing id', async () => {
    const owner = newUserId();
    const first = await createTask(db, owner, plain);
    const second = await createTask(db, owner, plain);
    expect(second.id).toBeGreaterThan(first.id);
  });
});

describe('findTask', () => {
  it("finds the owner's task and nothing for another owner or an unknown id", async () => {
    const owner = newUserId();
    const task = await createTask(db, owner, plain);
    expect(await findTask(db, owner, task.id)).toEqual(task);
    expect(await findTask(db, newUserId(), task.id)).toBeUndefined();
    expect(await findTask(db, owner, task.id + 1_000_000)).toBeUndefined();
  });
});

describe('listTasks', () => {
  it("lists only the owner's tasks, in id order", async () => {
    const owner = newUserId();
    const other = newUserId();
    const a1 = await createTask(db, owner, { ...plain, title: 'z first' });
    await createTask(db, other, plain);
    const a2 = await createTask(db, owner, { ...plain, title: 'a second' });
    const a3 = await createTask(db, owner, { ...plain, title: 'm third' });
    expect(await listTasks(db, owner)).toEqual([a1, a2, a3]);
  });

  it('lists nothing for an owner without tasks', async () => {
    expect(await listTasks(db, newUserId())).toEqual([]);
  });
});

describe('updateTask', () => {
  it('replaces every field, keeps created_at and advances updated_at', async () => {
    const owner = newUserId();
    const { id } = await createTask(db, owner, {
      title: 'old',
      description: 'text',
      complete: false,
    });
    const before = await backdate(id);
    const task = await updateTask(db, owner, id, {
      title: 'new',
      description: null,
      complete: true,
    });
    expect(task).toMatchObject({ id, title: 'new', description: null, complete: true });
    expect(task?.created_at).toBe(before.created_at);
    expect(Date.parse(task!.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect(await findTask(db, owner, id)).toEqual(task);
  });

  it('changes only the fields given', async () => {
    const owner = newUserId();
    const { id } = await createTask(db, owner, {
      title: 'keep',
      description: 'text',
      complete: false,
    });
    const before = await backdate(id);
    const task = await updateTask(db, owner, id, { complete: true });
    expect(task).toEqual({ ...before, complete: true, updated_at: task?.updated_at });
    expect(Date.parse(task!.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
  });

  it("returns undefined for another owner's task and leaves it untouched", async () => {
    const owner = newUserId();
    const task = await createTask(db, owner, plain);
    const change = { title: 'hijacked', description: 'x', complete: true };
    expect(await updateTask(db, newUserId(), task.id, change)).toBeUndefined();
    expect(toTask((await rowOf(task.id))!)).toEqual(task);
  });
});

describe('deleteTask', () => {
  it('deletes once: true, then false', async () => {
    const owner = newUserId();
    const { id } = await createTask(db, owner, plain);
    expect(await deleteTask(db, owner, id)).toBe(true);
    expect(await rowOf(id)).toBeUndefined();
    expect(await deleteTask(db, owner, id)).toBe(false);
  });

  it("returns false for another owner's task and keeps it", async () => {
    const owner = newUserId();
    const task = await createTask(db, owner, plain);
    expect(await deleteTask(db, newUserId(), task.id)).toBe(false);
    expect(await findTask(db, owner, task.id)).toEqual(task);
  });

  it('of concurrent deletes of one task exactly one reports the deletion', async () => {
    const owner = newUserId();
    const { id } = await createTask(db, owner, plain);
    const results = await Promise.all(Array.from({ length: 10 }, () => deleteTask(db, owner, id)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

// The API validates first; these prove the table refuses, by itself, what the API could not
// serve back, whoever writes it.
describe('database constraints', () => {
  it('accepts values at the limits', async () => {
    const owner = newUserId().padEnd(255, 'u');
    const task = await createTask(db, owner, {
      title: 't'.repeat(200),
      description: 'd'.repeat(1000),
      complete: false,
    });
    expect(task).toMatchObject({ user_id: owner, title: 't'.repeat(200) });
    await deleteTask(db, owner, task.id);
  });

  it.each([
    ['a 201-character title', { ...plain, title: 't'.repeat(201) }, 'tasks_title_length'],
    ['an empty title', { ...plain, title: '' }, 'tasks_title_length'],
    [
      'a 1001-character description',
      { ...plain, description: 'd'.repeat(1001) },
      'tasks_description_length',
    ],
  ])('rejects %s written directly, storing nothing', async (_, task, constraint) => {
    const owner = newUserId();
    await expect(createTask(db, owner, task)).rejects.toMatchObject(violates(constraint));
    expect(await listTasks(db, owner)).toEqual([]);
  });

  it('rejects an empty or over-long owner', async () => {
    await expect(createTask(db, '', plain)).rejects.toMatchObject(violates('tasks_user_id_length'));
    const tooLong = newUserId().padEnd(256, 'u');
    await expect(createTask(db, tooLong, plain)).rejects.toMatchObject(
      violates('tasks_user_id_length'),
    );
    expect(await listTasks(db, tooLong)).toEqual([]);
  });

  it('rejects an over-long title in an update and keeps the row', async () => {
    const owner = newUserId();
    const task = await createTask(db, owner, plain);
    await expect(updateTask(db, owner, task.id, { title: 't'.repeat(201) })).rejects.toMatchObject(
      violates('tasks_title_length'),
    );
    expect(toTask((await rowOf(task.id))!)).toEqual(task);
  });
});
