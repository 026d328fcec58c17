import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from './support/database';
import { POSTGRES_URL, publishBaseUrl, publishMailbox } from './support/environment';
import { startMailbox } from './support/mailbox';
import { startServer } from './support/server';

/**
 * One real server for the run, as `npm start` runs it (its build, serving the app's build),
 * on a PostgreSQL database of its own when one is available, else the embedded database,
 * sending its mail to an SMTP server of the run's own.
 * Returns the teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  for (const built of ['../../server/dist/main.js', '../dist/index.html']) {
    if (!existsSync(fileURLToPath(new URL(built, import.meta.url)))) {
      throw new Error(`${built} is missing: run the tests with \`npm run test:e2e\`, which builds`);
    }
  }
  const database = POSTGRES_URL === undefined ? undefined : await freshDatabase(POSTGRES_URL);
  const mailbox = await startMailbox();
  const server = await startServer({ databaseUrl: database?.url, smtpUrl: mailbox.url }).catch(
    async (error: unknown) => {
      await mailbox.stop();
      await database?.drop();
      throw error;
    },
  );
  process.stdout.write(
    `[e2e] server ${server.baseUrl} on ${database === undefined ? 'the embedded database' : `PostgreSQL (${new URL(database.url).pathname.slice(1)})`}\n`,
  );
  publishBaseUrl(server.baseUrl);
  publishMailbox(mailbox.folder);
  return async () => {
    await server.stop();
    await mailbox.stop();
    await database?.drop();
  };
}
