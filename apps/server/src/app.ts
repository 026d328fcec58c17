import { contract } from '@enclave/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express } from 'express';
import { accountsRouter } from './accounts/accounts.router.js';
import type { TokenVerifier } from './auth/token-verifier.js';
import { DEVELOPMENT_JWT_SECRET, type Config } from './config.js';
import type { Db } from './db/schema.js';
import { requirePathOwner, requireUser } from './http/auth.js';
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
  config: Pick<Config, 'jwt' | 'accounts' | 'bodyLimit' | 'cursorSecret' | 'trustProxy'>;
  logger: Logger;
  /** Made by createTokenVerifier, which may have to read a provider's key first. */
  verifyToken: TokenVerifier;
}

/** The Express application, with no side effects: listening is the caller's business. */
export function createApp({ db, config, logger, verifyToken }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  // Clients of a JSON API revalidate nothing; hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // Login throttling counts per client address; behind a proxy that is in X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(logger));
  const { auth: authContract, ...resourceContract } = contract;
  const served = config.accounts.enabled ? contract : resourceContract;
  app.use(apiDocs(served));
  app.use('/api/:user_id', requirePathOwner(verifyToken));
  const endpointOptions = {
    logInitialization: false,
    responseValidation: true,
    globalMiddleware: jsonBody(config.bodyLimit),
    requestValidationErrorHandler: validationErrorHandler,
  };
  if (config.accounts.enabled) {
    app.use('/auth/me', requireUser(verifyToken));
    const accounts = accountsRouter({ db, jwt: config.jwt, accounts: config.accounts });
    createExpressEndpoints(authContract, accounts, app, endpointOptions);
  }
  // Only production insists on a secret for cursors (see loadConfig); elsewhere a provider-only
  // setup may have none.
  const cursorSeed = config.jwt.secret ?? DEVELOPMENT_JWT_SECRET;
  const cursors = createCursorCodec(cursorKey(config.cursorSecret, cursorSeed));
  createExpressEndpoints(resourceContract, resourceRouters({ db, cursors }), app, endpointOptions);
  rejectUndeclaredMethods(app, served);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
