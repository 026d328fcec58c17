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
  it('runs the SQL Kysely compiles, with each run’s values in their named places', async () => {
    let builds = 0;
    const find = compiledOnce((db: Handle, param) => {
      builds += 1;
      return db.kysely
        .selectFrom('tasks')
        .select('title')
        .where('user_id', '=', param<string>('owner'))
        .where('complete', '=', true)
        .where('id', '=', param<number>('id'));
    });
    const db = handle();
    await find(db).run({ owner: 'alice', id: 7 });
    await find(db).run({ id: 8, owner: 'bob' });
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

  it('gives a name used twice its value in both places', async () => {
    const either = compiledOnce((db: Handle, param) =>
      db.kysely
        .selectFrom('tasks')
        .select('id')
        .where((eb) =>
          eb.or([
            eb('title', '=', param<string>('text')),
            eb('user_id', '=', param<string>('text')),
          ]),
        ),
    );
    const db = handle();
    await either(db).run({ text: 'x' });
    expect(db.ran[0]?.parameters).toEqual(['x', 'x']);
  });

  it('passes a value that looks like a placeholder as the value it is', async () => {
    const find = compiledOnce((db: Handle, param) =>
      db.kysely.selectFrom('tasks').select('id').where('title', '=', param<string>('title')),
    );
    const db = handle();
    const lookalike = '\u0000param title\u0000';
    await find(db).run({ title: lookalike });
    expect(db.ran[0]?.parameters).toEqual([lookalike]);
  });

  it('refuses a run that leaves a named value out, rather than sending NULL', () => {
    const find = compiledOnce((db: Handle, param) =>
      db.kysely.selectFrom('tasks').select('id').where('id', '=', param<number>('id')),
    );
    expect(() => find(handle()).run({})).toThrow('No value for the statement\'s "id"');
  });

  it('compiles once per database handle', async () => {
    let builds = 0;
    const all = compiledOnce((db: Handle) => {
      builds += 1;
      return db.kysely.selectFrom('tasks').select('id');
    });
    const [first, second] = [handle(), handle()];
    await all(first).run({});
    await all(second).run({});
    await all(first).run({});
    expect(builds).toBe(2);
  });
});

describe('compiledByShape', () => {
  const setting = (maxShapes?: number) => {
    const built: string[][] = [];
    const statements = compiledByShape(
      (db: Handle, param, fields: string[]) => {
        built.push(fields);
        const changes = Object.fromEntries(fields.map((field) => [field, param(field)]));
        return db.kysely.updateTable('tasks').set(changes).where('id', '=', param<number>('id'));
      },
      (fields) => fields.join(','),
      maxShapes,
    );
    return { built, statements };
  };

  it('compiles each shape once and fills its values', async () => {
    const { built, statements } = setting();
    const db = handle();
    await statements(db, ['complete', 'title']).run({ id: 1, complete: false, title: 'a' });
    await statements(db, ['title']).run({ id: 2, title: 'b' });
    await statements(db, ['complete', 'title']).run({ id: 3, complete: true, title: 'c' });
    expect(built).toEqual([['complete', 'title'], ['title']]);
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
      await statements(db, [shape]).run({ id: 1, [shape]: 'x' });
    }
    // "title" was dropped for "user_id", so it was compiled again.
    expect(built.flat()).toEqual(['title', 'complete', 'user_id', 'title']);
  });
});
