import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely over PGlite (PostgreSQL compiled to WebAssembly, in-process). Written here rather than
 * taken from kysely-pglite, whose package pulls a code generator and a CLI framework into the
 * server; the driver itself is this one file.
 */
export class PGliteDialect implements Dialect {
  /** `client` may still be starting (its first start runs initdb): the first query waits. */
  constructor(private readonly client: PGlite | Promise<PGlite>) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.client);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteDriver implements Driver {
  // PGlite is one session: a transaction must own it until it ends, so connections are handed
  // out one at a time in request order.
  private queue: Promise<void> = Promise.resolve();
  private client: PGlite | undefined;

  constructor(private readonly starting: PGlite | Promise<PGlite>) {}

  async init(): Promise<void> {
    const client = await this.starting;
    await client.waitReady;
    this.client = client;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = this.started();
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise((resolve) => (release = resolve));
    await previous;
    // PGlite runs in this thread and settles through promises alone, so back-to-back queries
    // would chain as microtasks and starve the event loop: no new connection accepted, no new
    // request read, while busy ones keep the queue full. One turn of the loop per query.
    await new Promise((resolve) => setImmediate(resolve));
    return new PGliteConnection(client, release);
  }

  private started(): PGlite {
    if (this.client === undefined) throw new Error('The embedded database is not started');
    return this.client;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const access = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}${access}`));
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection) {
    (connection as PGliteConnection).release();
    return Promise.resolve();
  }

  async destroy() {
    const client = this.client ?? (await this.starting);
    if (!client.closed) await client.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly client: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.client.query<R>(query.sql, [...query.parameters]);
    const isWrite = query.query.kind !== 'SelectQueryNode' && result.affectedRows !== undefined;
    return isWrite
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) }
      : { rows: result.rows };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('The embedded database does not stream query results');
  }
}
