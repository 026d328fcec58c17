import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { isStalePlan, statementNamer } from './statement-names.js';
import {
  DatabaseAvailability,
  DatabaseUnavailableError,
  unavailableReason,
  type UnavailableReason,
} from './availability.js';

export interface PgPoolOptions {
  url: string;
  max: number;
  /** Longest wait for a new connection to be established (TCP, TLS, authentication). */
  connectTimeoutMs: number;
  /** Longest wait for a connection from the pool, a new one included. */
  acquireTimeoutMs: number;
  /** PostgreSQL's statement_timeout; 0 leaves the server's own setting. */
  statementTimeoutMs: number;
  /** PostgreSQL's idle_in_transaction_session_timeout; 0 leaves the server's own setting. */
  idleInTransactionTimeoutMs: number;
  /**
   * Behind a transaction pooler (PgBouncer) a SET lands on whichever server connection runs it
   * and stays there for the pooler's other clients: the two timeouts are then the database
   * role's (docs/scaling.md), never SET; the client-side deadline still holds.
   */
  transactionPooler: boolean;
  types: pg.CustomTypesConfig;
  logger: Logger;
  /** Named prepared statements for data queries; off for poolers that cannot keep them. */
  preparedStatements: boolean;
}

/**
 * How long past statement_timeout the server's own cancellation may take to arrive before the
 * connection is presumed dead (a frozen host, a partition) and dropped.
 */
export const STATEMENT_GRACE_MS = 250;

type PgClient = pg.Client & {
  connection?: { stream?: { destroy(): void }; parsedStatements?: Record<string, string> };
};

/** Ends a connection without waiting for a server that may never answer. */
function discard(client: PgClient): void {
  client.end().catch(() => undefined);
  client.connection?.stream?.destroy();
}

/** Rejects with a timeout if `work` has not settled within `ms`; `work` may settle later. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseUnavailableError('timeout')), ms);
    // Also handles the abandoned work's late failure (its connection dropped meanwhile).
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * A pool of PostgreSQL connections for Kysely's PostgresDialect that survives its database:
 * every wait is bounded, every connection error is handled (node-postgres exits the process on
 * an unhandled one), a dead connection is dropped rather than handed out again, and each
 * failure is turned into a {@link DatabaseUnavailableError} that the HTTP layer answers 503.
 */
export class ResilientPool implements PostgresPool {
  readonly availability: DatabaseAvailability;
  private readonly pool: pg.Pool;
  private readonly sessionReady = new WeakSet<pg.Client>();
  private readonly generations = new WeakMap<pg.Client, number>();
  private readonly broken = new WeakMap<pg.Client, unknown>();
  private readonly wrapped = new WeakMap<pg.Client, PostgresPoolClient>();
  private readonly sessionSettings: string | undefined;
  private readonly statementDeadlineMs: number;
  private readonly statementName: ReturnType<typeof statementNamer> | undefined;

  constructor(private readonly options: PgPoolOptions) {
    const { connectTimeoutMs } = options;
    // node-postgres uses one timeout for both waits; a Client of our own keeps them apart.
    class BoundedClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super({
          ...(typeof config === 'string' ? { connectionString: config } : config),
          connectionTimeoutMillis: connectTimeoutMs,
        });
      }
    }
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      keepAlive: true,
      application_name: 'enclave',
      types: options.types,
      Client: BoundedClient,
    });
    this.availability = new DatabaseAvailability({
      logger: options.logger,
      probe: () => this.probe(BoundedClient),
    });
    // An idle connection that dies is already dropped by the pool; without this listener the
    // pool's 'error' event would end the process.
    this.pool.on('error', (error) => this.noteFailure(error));
    this.pool.on('connect', (client) => {
      this.generations.set(client, this.availability.generation);
      // A checked-out connection has no listener of the pool's; an error there would crash.
      client.on('error', (error) => {
        this.broken.set(client, error);
        this.noteFailure(error);
      });
    });
    // SET rather than startup parameters, which connection poolers such as PgBouncer refuse.
    const settings = [
      options.statementTimeoutMs > 0 ? `set statement_timeout = ${options.statementTimeoutMs}` : '',
      options.idleInTransactionTimeoutMs > 0
        ? `set idle_in_transaction_session_timeout = ${options.idleInTransactionTimeoutMs}`
        : '',
    ].filter(Boolean);
    this.sessionSettings =
      settings.length > 0 && !options.transactionPooler ? settings.join('; ') : undefined;
    this.statementDeadlineMs =
      options.statementTimeoutMs > 0 ? options.statementTimeoutMs + STATEMENT_GRACE_MS : 0;
    this.statementName = options.preparedStatements ? statementNamer() : undefined;
  }

  async connect(): Promise<PostgresPoolClient> {
    // The common case costs no extra turn of the event loop: admit() waits only in an incident.
    if (!this.availability.available) {
      try {
        await this.availability.admit();
      } catch (error) {
        throw this.failure(error);
      }
    }
    for (;;) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.failure(error);
      }
      // A connection older than the last incident may be silently dead: replace it.
      if ((this.generations.get(client) ?? -1) < this.availability.generation) {
        this.drop(client, new Error('connection predates a database incident'));
        continue;
      }
      const connection = this.wrap(client);
      if (this.sessionSettings !== undefined && !this.sessionReady.has(client)) {
        try {
          await connection.query(this.sessionSettings, []);
        } catch (error) {
          connection.release();
          throw error;
        }
        this.sessionReady.add(client);
      }
      return connection;
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  private wrap(client: pg.PoolClient): PostgresPoolClient {
    let wrapped = this.wrapped.get(client);
    if (wrapped === undefined) {
      wrapped = this.wrapAnew(client);
      this.wrapped.set(client, wrapped);
    }
    return wrapped;
  }

  private wrapAnew(client: pg.PoolClient): PostgresPoolClient {
    return {
      query: async <R>(sql: string, parameters: ReadonlyArray<unknown>) => {
        const failedBefore = this.broken.get(client);
        if (failedBefore !== undefined) throw this.failure(failedBefore);
        try {
          const name = this.statementName?.(sql, parameters.length);
          const run = () =>
            // Boundary between two libraries' types: pg types `command` as any string and
            // rows as plain records, where Kysely's result names the commands and its rows.
            withDeadline(
              client.query({ text: sql, values: [...parameters], name }) as unknown as Promise<
                PostgresQueryResult<R>
              >,
              this.statementDeadlineMs,
            );
          try {
            return await run();
          } catch (error) {
            if (name === undefined || !isStalePlan(error)) throw error;
            // A migration changed what the statement returns: prepare it again, once.
            await withDeadline(client.query(`deallocate "${name}"`), this.statementDeadlineMs);
            delete (client as PgClient).connection?.parsedStatements?.[name];
            return await run();
          }
        } catch (error) {
          const reason = unavailableReason(error);
          // A connection that lost its server, or never answered, cannot be used again.
          if (reason === 'unreachable' || reason === 'timeout') this.broken.set(client, error);
          throw this.failure(error);
        }
      },
      release: () => {
        const error = this.broken.get(client);
        if (error === undefined) client.release();
        else this.drop(client, error);
      },
    } as PostgresPoolClient;
  }

  private drop(client: pg.PoolClient, error: unknown): void {
    client.release(error instanceof Error ? error : new Error('connection dropped'));
    discard(client);
  }

  private noteFailure(error: unknown): UnavailableReason | undefined {
    const reason = unavailableReason(error);
    if (reason !== undefined) this.availability.reportFailure(reason, error);
    return reason;
  }

  /** The error a caller sees: unavailability as DatabaseUnavailableError, anything else as is. */
  private failure(error: unknown): unknown {
    const reason = this.noteFailure(error);
    if (reason === undefined) return error;
    return error instanceof DatabaseUnavailableError
      ? error
      : new DatabaseUnavailableError(reason, { cause: error });
  }

  /** A fresh connection and a trivial statement, outside the pool, each bounded in time. */
  private async probe(Client: new (config: pg.ClientConfig) => pg.Client): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'enclave',
    }) as PgClient;
    client.on('error', () => undefined);
    try {
      await client.connect();
      await withDeadline(client.query('select 1'), this.options.connectTimeoutMs);
    } finally {
      discard(client);
    }
  }
}
