import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import type { Db } from '../src/db/schema.js';
import type { RecordedStatement } from './owner-scope.js';

// Per test file (vitest gives each file its own modules): every statement the server issued.
const statements: RecordedStatement[] = [];

/** The statements run so far in this test file, as compiled SQL and its parameters. */
export function recordedStatements(): readonly RecordedStatement[] {
  return statements;
}

/**
 * The database handle the code under test gets: the same connection, with every statement
 * recorded. Tests read and arrange data through the plain handle, which records nothing, so
 * only the server's own statements are checked (owner-scope.setup.ts).
 */
export function recording(db: Db): Db {
  // Kysely hands every subquery to the plugin too; only the statement that runs gets a result.
  // (A subquery's entry stays behind: a few per list request, for the life of a test file.)
  const compiled = new Map<string, RecordedStatement>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs) {
      const { sql, parameters } = db.getExecutor().compileQuery(node, queryId);
      compiled.set(queryId.queryId, { sql, parameters });
      return node;
    },
    transformResult: ({ result, queryId }: PluginTransformResultArgs) => {
      const statement = compiled.get(queryId.queryId);
      if (statement !== undefined) statements.push(statement);
      compiled.delete(queryId.queryId);
      return Promise.resolve(result);
    },
  };
  return db.withPlugin(plugin);
}
