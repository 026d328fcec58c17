import type { CompiledQuery, ConnectionProvider, KyselyPlugin, QueryExecutor } from 'kysely';
import type { Db } from '../src/db/schema.js';
import type { RecordedStatement } from './owner-scope.js';

// Per test file (vitest gives each file its own modules): every statement the server issued.
const statements: RecordedStatement[] = [];

/** The statements run so far in this test file, as compiled SQL and its parameters. */
export function recordedStatements(): readonly RecordedStatement[] {
  return statements;
}

// Records every query the executor runs, as sent: the SQL and the values it ran with. The
// server runs statements it compiled once (src/db/compiled-once.ts) with new values each
// time, so no plugin, which sees a query only when it is compiled, could see them all.
// Kysely hands an executor's own kind on to what it derives from it (a transaction's, a
// plugin's), so each of those is recorded too.
function record(executor: QueryExecutor): QueryExecutor {
  const executeQuery = executor.executeQuery.bind(executor);
  const withConnectionProvider = executor.withConnectionProvider.bind(executor);
  const withPlugin = executor.withPlugin.bind(executor);
  const withPlugins = executor.withPlugins.bind(executor);
  const withPluginAtFront = executor.withPluginAtFront.bind(executor);
  const withoutPlugins = executor.withoutPlugins.bind(executor);
  return Object.assign(executor, {
    executeQuery: <R>(query: CompiledQuery<R>) => {
      statements.push({ sql: query.sql, parameters: query.parameters });
      return executeQuery(query);
    },
    withConnectionProvider: (provider: ConnectionProvider) =>
      record(withConnectionProvider(provider)),
    withPlugin: (plugin: KyselyPlugin) => record(withPlugin(plugin)),
    withPlugins: (plugins: readonly KyselyPlugin[]) => record(withPlugins(plugins)),
    withPluginAtFront: (plugin: KyselyPlugin) => record(withPluginAtFront(plugin)),
    withoutPlugins: () => record(withoutPlugins()),
  });
}

// Changes nothing: asking for a handle with it gives that handle an executor of its own.
const ownExecutor: KyselyPlugin = {
  transformQuery: ({ node }) => node,
  transformResult: ({ result }) => Promise.resolve(result),
};

/**
 * The database handle the code under test gets: the same connection, with every statement
 * recorded. Tests read and arrange data through the plain handle, which records nothing, so
 * only the server's own statements are checked (owner-scope.setup.ts).
 */
export function recording(db: Db): Db {
  const recorded = db.withPlugin(ownExecutor);
  record(recorded.getExecutor());
  return recorded;
}
