import {
  createQueryId,
  sql,
  type Compilable,
  type CompiledQuery,
  type QueryResult,
  type RawBuilder,
} from 'kysely';

// Building a query with Kysely makes a tree of frozen nodes and compiles it to SQL text, on
// every call: a tenth of the CPU a `get` cost. The hot statements have a few shapes each, so
// each shape is built and compiled once, with a marker where each value goes, and later calls
// only put their values in the markers' places. The SQL is the text Kysely would compile on
// every call, so prepared statement names (statement-names.ts) and plans stay as they were.

/** Where the `index`th value of a run goes, typed as that value: `slot<number>(1)`. */
export type Slot = <T>(index: number) => RawBuilder<T>;

// Only the markers are ever compiled; a request's values go in at run time, so none of them
// can be taken for a marker, whatever it holds.
const MARKER = /^\u0000slot (\d+)\u0000$/;
const slot: Slot = <T>(index: number) => sql<T>`${`\u0000slot ${index}\u0000`}`;

/** Anything that runs a compiled query: a Kysely handle or one of its transactions. */
export interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A statement compiled once for one database handle, run with new values each time. */
export interface CompiledStatement<Row> {
  /**
   * Runs it on the handle it was compiled for, or on `executor`: a transaction of that
   * handle, which would otherwise compile every statement again for each transaction.
   */
  run(values: readonly unknown[], executor?: Executor): Promise<QueryResult<Row>>;
}

function compile<Row>(db: Executor, query: Compilable<Row>): CompiledStatement<Row> {
  const compiled = query.compile();
  // For each parameter of the SQL: the index of the value it takes, or -1 for a constant the
  // build put there itself.
  const sources = compiled.parameters.map((parameter) => {
    const match = typeof parameter === 'string' ? MARKER.exec(parameter) : null;
    return match === null ? -1 : Number(match[1]);
  });
  return {
    run(values, executor = db) {
      const parameters = sources.map((source, at) =>
        source === -1 ? compiled.parameters[at] : values[source],
      );
      // A fresh id per run, as Kysely gives each query: plugins keep per-query state by it.
      const statement: CompiledQuery<Row> = { ...compiled, parameters, queryId: createQueryId() };
      return executor.executeQuery(statement);
    },
  };
}

/**
 * A family of statements that differ by shape (which fields a PATCH sets, which filters a list
 * has): `shape` names one, and `build` makes it from the name, with slots for its values. Each
 * shape is compiled once per database handle; at most `maxShapes` are kept per handle, the
 * oldest dropped first, since a client choosing shapes could otherwise grow the cache forever.
 */
export function compiledByShape<Handle extends Executor & object, Row>(
  build: (db: Handle, slot: Slot, shape: string) => Compilable<Row>,
  maxShapes = 256,
): (db: Handle, shape: string) => CompiledStatement<Row> {
  const byHandle = new WeakMap<Handle, Map<string, CompiledStatement<Row>>>();
  return (db, shape) => {
    let shapes = byHandle.get(db);
    if (shapes === undefined) {
      shapes = new Map();
      byHandle.set(db, shapes);
    }
    let statement = shapes.get(shape);
    if (statement === undefined) {
      statement = compile(db, build(db, slot, shape));
      if (shapes.size >= maxShapes) shapes.delete(shapes.keys().next().value!);
      shapes.set(shape, statement);
    }
    return statement;
  };
}

/** One statement, compiled once per database handle. */
export function compiledOnce<Handle extends Executor & object, Row>(
  build: (db: Handle, slot: Slot) => Compilable<Row>,
): (db: Handle) => CompiledStatement<Row> {
  const statements = compiledByShape<Handle, Row>((db, slots) => build(db, slots), 1);
  return (db) => statements(db, '');
}
