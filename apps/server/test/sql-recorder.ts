import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import type { Db } from '../src/db/schema.js';

// Per test file (vitest gives each file its own modules): every statement the server issued.
const statements: string[] = [];

/** The statements recorded so far in this test file, as compiled SQL. */
export function recordedStatements(): readonly string[] {
  return statements;
}

/**
 * The database handle the code under test gets: the same connection, with every statement
 * recorded. Tests read and arrange data through the plain handle, which records nothing, so
 * only the server's own statements are checked (owner-scope.setup.ts).
 */
export function recording(db: Db): Db {
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs) {
      statements.push(db.getExecutor().compileQuery(node, queryId).sql);
      return node;
    },
    transformResult: ({ result }: PluginTransformResultArgs) => Promise.resolve(result),
  };
  return db.withPlugin(plugin);
}
