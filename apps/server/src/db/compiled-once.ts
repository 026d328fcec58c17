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
// each shape is built and compiled once, with a named marker where each value goes, and later
// calls only put their values in the markers' places. The SQL is the text Kysely would compile
// on every call, so prepared statement names (statement-names.ts) and plans stay as they were.

/** Where the value named `name` goes, typed as that value: `param<number>('id')`. */
export type Param = <T>(name: string) => RawBuilder<T>;

/** The values of one run, by the names the statement's params were given. */
export type Values = Readonly<Record<string, unknown>>;

// Only the markers are ever compiled; a request's values go in at run time, so none of them
// can be taken for a marker, whatever it holds.
const MARKER = /^\u0000param (.+)\u0000$/;
const param: Param = <T>(name: string) => sql<T>`${`\u0000param ${name}\u0000`}`;

/** Anything that runs a compiled query: a Kysely handle or one of its transactions. */
export interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A statement compiled once for one database handle, run with new values each time. */
export interface CompiledStatement<Row> {
  /**
   * Runs it on the handle it was compiled for, or on `executor`: a transaction of that
   * handle, which would otherwise compile every statement again for each transaction. Every
   * name the statement uses must have a value (undefined is a mistake, not a NULL).
   */
  run(values: Values, executor?: Executor): Promise<QueryResult<Row>>;
}

function compile<Row>(db: Executor, query: Compilable<Row>): CompiledStatement<Row> {
  const compiled = query.compile();
  // For each parameter of the SQL: the name of the value it takes, or undefined for a constant
  // the build put there itself.
  const sources = compiled.parameters.map((parameter) =>
    typeof parameter === 'string' ? MARKER.exec(parameter)?.[1] : undefined,
  );
  return {
    run(values, executor = db) {
      const parameters = sources.map((name, at) => {
        if (name === undefined) return compiled.parameters[at];
        const value = values[name];
        if (value === undefined) throw new Error(`No value for the statement's "${name}"`);
        return value;
      });
      // A fresh id per run, as Kysely gives each query: plugins keep per-query state by it.
      const statement: CompiledQuery<Row> = { ...compiled, parameters, queryId: createQueryId() };
      return executor.executeQuery(statement);
    },
  };
}

/**
 * A family of statements that differ by shape (which fields a PATCH sets, which filters a list
 * has): `build` makes one from its typed shape, with named params for its values, and `key`
 * names the shape. Each shape is compiled once per database handle; at most `maxShapes` are
 * kept per handle, the oldest dropped first, since a client choosing shapes could otherwise
 * grow the cache forever.
 */
export function compiledByShape<Handle extends Executor & object, Shape, Row>(
  build: (db: Handle, param: Param, shape: Shape) => Compilable<Row>,
  key: (shape: Shape) => string,
  maxShapes = 256,
): (db: Handle, shape: Shape) => CompiledStatement<Row> {
  const byHandle = new WeakMap<Handle, Map<string, CompiledStatement<Row>>>();
  return (db, shape) => {
    let shapes = byHandle.get(db);
    if (shapes === undefined) {
      shapes = new Map();
      byHandle.set(db, shapes);
    }
    const name = key(shape);
    let statement = shapes.get(name);
    if (statement === undefined) {
      statement = compile(db, build(db, param, shape));
      if (shapes.size >= maxShapes) shapes.delete(shapes.keys().next().value!);
      shapes.set(name, statement);
    }
    return statement;
  };
}

/** One statement, compiled once per database handle. */
export function compiledOnce<Handle extends Executor & object, Row>(
  build: (db: Handle, param: Param) => Compilable<Row>,
): (db: Handle) => CompiledStatement<Row> {
  const statements = compiledByShape<Handle, null, Row>(
    (db, params) => build(db, params),
    () => '',
    1,
  );
  return (db) => statements(db, null);
}
