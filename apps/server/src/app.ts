import { contract } from '@enclave/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express } from 'express';
import type { Config } from './config.js';
import type { Db } from './db/schema.js';
import { requirePathOwner } from './http/auth.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { jsonBody } from './http/json-body.js';
import { rejectUndeclaredMethods } from './http/method-not-allowed.js';
import { apiDocs } from './http/openapi.js';
import { requestLogging } from './http/request-logging.js';
import { validationErrorHandler } from './http/validation.js';
import type { Logger } from './logger.js';
import { resourceRouters } from './resources.js';
import { createCursorCodec, cursorKey } from './resources/cursor.js';

export interface AppDependencies {
  db: Db;
  config: Pick<Config, 'jwt' | 'bodyLimit' | 'cursorSecret'>;
  logger: Logger;
}

/** The Express application, with no side effects: listening is the caller's business. */
export function createApp({ db, config, logger }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // Clients of a JSON API revalidate nothing; hashing every body for an ETag is wasted work.
  app.set('etag', false);
  app.use(requestLogging(logger));
  app.use(apiDocs());
  app.use('/api/:user_id', requirePathOwner(config.jwt));
  const cursors = createCursorCodec(cursorKey(config.cursorSecret, config.jwt.secret));
  createExpressEndpoints(contract, resourceRouters({ db, cursors }), app, {
    logInitialization: false,
    responseValidation: true,
    globalMiddleware: jsonBody(config.bodyLimit),
    requestValidationErrorHandler: validationErrorHandler,
  });
  rejectUndeclaredMethods(app, contract);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
