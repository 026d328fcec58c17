import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from './support/database';
import { POSTGRES_URL, publishBaseUrl } from './support/environment';
import { startServer } from './support/server';

/**
 * One real server for the run, as `npm start` runs it (its build, serving the app's build),
 * on a PostgreSQL database of its own when one is available, else the embedded database.
 * Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const built of ['../../server/dist/main.js', '../dist/index.html']) {
    if (!existsSync(fileURLToPath(new URL(built, import.meta.url)))) {
      throw new Error(`${built} is missing: run the tests with \`npm run test:e2e\`, which builds`);
    }
  }
  const database = POSTGRES_URL === undefined ? undefined : await freshDatabase(POSTGRES_URL);
  const server = await startServer(database?.url).catch(async (error: unknown) => {
    await database?.drop();
    throw error;
  });
  process.stdout.write(
    `[e2e] server ${server.baseUrl} on ${database === undefined ? 'the embedded database' : `PostgreSQL (${new URL(database.url).pathname.slice(1)})`}\n`,
  );
  publishBaseUrl(server.baseUrl);
  return async () => {
    await server.stop();
    await database?.drop();
  };
}
