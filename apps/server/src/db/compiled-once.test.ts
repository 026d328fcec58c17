import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type QueryResult,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { compiledByShape, compiledOnce } from './compiled-once.js';

interface Tables {
  tasks: { id: number; user_id: string; title: string; complete: boolean };
}

// Builds with Kysely's PostgreSQL compiler; runs nothing, but keeps what it was asked to run.
function handle() {
  const kysely = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const ran: CompiledQuery[] = [];
  return {
    kysely,
    ran,
    executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> {
      ran.push(query);
      return Promise.resolve({ rows: [] });
    },
  };
}
type Handle = ReturnType<typeof handle>;

describe('compiledOnce', () => {
  it('runs the SQL Kysely compiles, with each run’s values in their places', async () => {
    let builds = 0;
    const find = compiledOnce((db: Handle, slot) => {
      builds += 1;
      return db.kysely
        .selectFrom('tasks')
        .select('title')
        .where('user_id', '=', slot<string>(0))
        .where('complete', '=', true)
        .where('id', '=', slot<number>(1));
    });
    const db = handle();
    await find(db).run(['alice', 7]);
    await find(db).run(['bob', 8]);
    const direct = db.kysely
      .selectFrom('tasks')
      .select('title')
      .where('user_id', '=', 'bob')
      .where('complete', '=', true)
      .where('id', '=', 8)
      .compile();
    expect(builds).toBe(1);
    expect(db.ran.map(({ sql }) => sql)).toEqual([direct.sql, direct.sql]);
    expect(db.ran.map(({ parameters }) => parameters)).toEqual([
      ['alice', true, 7],
      ['bob', true, 8],
    ]);
    // Each run is a query of its own to Kysely's plugins.
    expect(db.ran[0]?.queryId.queryId).not.toBe(db.ran[1]?.queryId.queryId);
  });

  it('passes a value that looks like a placeholder as the value it is', async () => {
    const find = compiledOnce((db: Handle, slot) =>
      db.kysely.selectFrom('tasks').select('id').where('title', '=', slot<string>(0)),
    );
    const db = handle();
    const lookalike = '\u0000slot 0\u0000';
    await find(db).run([lookalike]);
    expect(db.ran[0]?.parameters).toEqual([lookalike]);
  });

  it('compiles once per database handle', async () => {
    let builds = 0;
    const all = compiledOnce((db: Handle) => {
      builds += 1;
      return db.kysely.selectFrom('tasks').select('id');
    });
    const [first, second] = [handle(), handle()];
    await all(first).run([]);
    await all(second).run([]);
    await all(first).run([]);
    expect(builds).toBe(2);
  });
});

describe('compiledByShape', () => {
  const setting = (maxShapes?: number) => {
    const built: string[] = [];
    const statements = compiledByShape((db: Handle, slot, shape: string) => {
      built.push(shape);
      const changes = Object.fromEntries(
        shape.split(',').map((field, at) => [field, slot(at + 1)]),
      );
      return db.kysely.updateTable('tasks').set(changes).where('id', '=', slot<number>(0));
    }, maxShapes);
    return { built, statements };
  };

  it('compiles each shape once and fills its values', async () => {
    const { built, statements } = setting();
    const db = handle();
    await statements(db, 'complete,title').run([1, false, 'a']);
    await statements(db, 'title').run([2, 'b']);
    await statements(db, 'complete,title').run([3, true, 'c']);
    expect(built).toEqual(['complete,title', 'title']);
    expect(db.ran.map(({ sql, parameters }) => [sql, parameters])).toEqual([
      ['update "tasks" set "complete" = $1, "title" = $2 where "id" = $3', [false, 'a', 1]],
      ['update "tasks" set "title" = $1 where "id" = $2', ['b', 2]],
      ['update "tasks" set "complete" = $1, "title" = $2 where "id" = $3', [true, 'c', 3]],
    ]);
  });

  it('keeps at most maxShapes per handle, dropping the oldest', async () => {
    const { built, statements } = setting(2);
    const db = handle();
    for (const shape of ['title', 'complete', 'user_id', 'title']) {
      await statements(db, shape).run([1, 'x']);
    }
    // "title" was dropped for "user_id", so it was compiled again.
    expect(built).toEqual(['title', 'complete', 'user_id', 'title']);
  });
});
