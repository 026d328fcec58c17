import { changeRoutes, errorBody, invalidRequest } from '@enclave/contract';
import { initContract } from '@ts-rest/core';
import { createExpressEndpoints, type TsRestExpressOptions } from '@ts-rest/express';
import type { Express } from 'express';
import { authenticatedUser } from '../http/auth.js';
import { changeBody, GONE_MESSAGE } from './change-body.js';
import type { ChangeCursors } from './changes-cursor.js';
import type { ChangesRepository } from './changes.repository.js';

const c = initContract();
// The stream is served by hand (change-stream.ts); ts-rest serves the sync feed.
const syncRoutes = c.router({ since: changeRoutes.since });

/** GET /api/:user_id/changes: the owner's changes after a cursor, a page at a time. */
export function serveChangeFeed(
  app: Express,
  repository: ChangesRepository,
  cursors: ChangeCursors,
  options: TsRestExpressOptions<typeof syncRoutes>,
): void {
  createExpressEndpoints(
    syncRoutes,
    {
      since: async ({ res, query }) => {
        const owner = authenticatedUser(res);
        if (query.after === undefined) {
          const position = await repository.currentPosition(owner);
          const next_cursor = cursors.encode(owner, position);
          return { status: 200, body: { changes: [], next_cursor, has_more: false } };
        }
        const after = cursors.decode(owner, query.after);
        if (after === undefined) {
          const message = 'is not a change cursor of this user; start again without one';
          return { status: 400, body: invalidRequest([{ path: 'query.after', message }]) };
        }
        const page = await repository.page(owner, after, query.limit);
        if (page.kind === 'gone') return { status: 410, body: errorBody(410, GONE_MESSAGE) };
        const changes = page.changes.map((change) =>
          changeBody(change, cursors.encode(owner, change.position)),
        );
        const next_cursor = cursors.encode(owner, page.position);
        return { status: 200, body: { changes, next_cursor, has_more: page.hasMore } };
      },
    },
    app,
    options,
  );
}
