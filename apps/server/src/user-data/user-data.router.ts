import { Readable } from 'node:stream';
import { errorBody, userDataRoutes, type AccountExport } from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import type { RegisteredResource } from '../resources/generic-resource.js';
import { deleteUserData } from './delete-user-data.js';
import { exportUserData } from './export-user-data.js';

const s = initServer();

export interface UserDataDependencies {
  db: Db;
  /** Whether built-in accounts are served: their users delete with DELETE /auth/me. */
  accounts: boolean;
  resources: readonly Pick<RegisteredResource, 'name' | 'fields'>[];
}

/** `GET /api/{user_id}/export` and `DELETE /api/{user_id}`: a user's data as a whole. */
export function userDataRouter({ db, accounts, resources }: UserDataDependencies) {
  return s.router(userDataRoutes, {
    export: async ({ req, res }) => {
      const userId = authenticatedUser(res);
      const day = new Date().toISOString().slice(0, 10);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="export-${day}.json"`);
      res.setHeader('Cache-Control', 'no-store');
      // The first piece is read before answering: a database that is away is still a 503.
      const pieces = exportUserData(db, resources, userId, accounts);
      const first = await pieces.next();
      async function* all() {
        if (first.done !== true) yield first.value;
        yield* pieces;
      }
      const stream = Readable.from(all(), { objectMode: false });
      // Headers are gone once the first piece is: a failure later can only cut the answer
      // short (the client sees JSON that does not end), and is logged.
      stream.on('error', (error) => {
        req.log.error({ err: error }, 'the export failed while streaming');
        res.destroy(error);
      });
      // A client gone away ends the read, and with it the transaction.
      res.on('close', () => {
        stream.destroy();
        // Ends the transaction even when the stream never started reading.
        void pieces.return(undefined);
      });
      return { status: 200, body: stream as unknown as AccountExport };
    },

    remove: async ({ req, res }) => {
      const userId = authenticatedUser(res);
      if (accounts) {
        const account = await db
          .selectFrom('accounts')
          .select('id')
          .where('id', '=', userId)
          .executeTakeFirst();
        if (account !== undefined) {
          return {
            status: 403,
            body: errorBody(
              403,
              'This user has a built-in account: delete it with DELETE /auth/me and its password',
            ),
          };
        }
      }
      await db.transaction().execute((trx) => deleteUserData(trx, resources, userId));
      req.log.info({ event: 'user_data_deleted', user_id: userId }, "a user's data deleted");
      return { status: 204, body: undefined };
    },
  });
}
