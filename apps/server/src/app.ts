import { contract, resources } from '@enclave/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Express } from 'express';
import { accountMailRouter } from './accounts/account-mail.router.js';
import { accountSecurityRouter } from './accounts/account-security.router.js';
import { accountsRouter } from './accounts/accounts.router.js';
import { refusingRevoked, type TokenRevocations } from './auth/token-revocations.js';
import type { TokenVerifier } from './auth/token-verifier.js';
import { ChangeHub } from './changes/change-hub.js';
import { changeStream } from './changes/change-stream.router.js';
import { changeCursors } from './changes/changes-cursor.js';
import { changesRepository, type ItemsReader } from './changes/changes.repository.js';
import { serveChangeFeed } from './changes/changes.router.js';
import type { Config } from './config.js';
import type { Db } from './db/schema.js';
import { requirePathOwner, requireUser } from './http/auth.js';
import { bodyLimitBytes, refuseDeclaredOversize } from './http/body-size.js';
import { cors } from './http/cors.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { healthRouter, untilReady, type Readiness } from './http/health.js';
import { jsonBody } from './http/json-body.js';
import { rejectUndeclaredMethods } from './http/method-not-allowed.js';
import { noSniff } from './http/no-sniff.js';
import { apiDocs } from './http/openapi.js';
import { parseFlatQuery } from './http/query-parser.js';
import type { RateLimits } from './http/rate-limit/rate-limits.js';
import { requestLogging } from './http/request-logging.js';
import { rejectUndeclaredQuery } from './http/undeclared-query.js';
import { userConcurrency } from './http/user-concurrency.js';
import { validationErrorHandler } from './http/validation.js';
import { WEB_APP_FOLDER, webApp } from './http/web-app.js';
import type { Logger } from './logger.js';
import { idempotencyKeys } from './idempotency/idempotency-keys.js';
import { createCursorCodec } from './resources/cursor.js';
import type { RegisteredResource } from './resources/generic-resource.js';
import { resourceRepository } from './resources/resource.repository.js';
import { genericRoutes, serveResources } from './resources/resource.router.js';
import { userDataRouter } from './user-data/user-data.router.js';

export interface AppDependencies {
  db: Db;
  config: Pick<
    Config,
    | 'jwt'
    | 'accounts'
    | 'bodyLimit'
    | 'cursorKey'
    | 'trustProxy'
    | 'cors'
    | 'responseValidation'
    | 'requestLogLevel'
    | 'logQueryValues'
    | 'userConcurrency'
    | 'requireIfMatch'
    | 'idempotencyKeyTtlSeconds'
    | 'searchTimeoutMs'
    | 'sourceMaps'
    | 'mail'
    | 'changes'
  >;
  logger: Logger;
  /** Made by createTokenVerifier, which may have to read a provider's key first. */
  verifyToken: TokenVerifier;
  /** Whether the server may serve yet (or still): `/readyz` and the API's gate read it. */
  readiness: Readiness;
  /**
   * Each account's "tokens valid after" time (tokenRevocations, started by the caller): every
   * authenticated request is checked against it.
   */
  revocations: TokenRevocations;
  /** Per-user and per-address request limits (createRateLimits); without them, none. */
  rateLimits?: RateLimits;
  /**
   * Told after a commit that wrote to the mail outbox (the outbox sender's `wake`); without
   * it, mails wait for a sender's periodic scan.
   */
  wakeOutbox?: () => void;
  /**
   * Resources served beside the registry's, declared elsewhere (the tests' fixture of every
   * field kind): their routes are served and documented like the registry's.
   */
  extraResources?: readonly RegisteredResource[];
  /**
   * This process's open change streams, which the caller wakes (LISTEN, the safety poll) and
   * ends on shutdown; one of its own when absent.
   */
  changeHub?: ChangeHub;
  /** Tells other instances which owner wrote (changeNotifier); none on the embedded database. */
  notifyChange?: (owner: string) => void;
}

/** The Express application, with no side effects: listening is the caller's business. */
export function createApp({
  db,
  config,
  logger,
  verifyToken: verifySignature,
  readiness,
  revocations,
  rateLimits,
  wakeOutbox = () => {},
  extraResources = [],
  changeHub = new ChangeHub(config.changes.streamsPerUser),
  notifyChange,
}: AppDependencies): Express {
  const verifyToken = refusingRevoked(verifySignature, revocations);
  const app = express();
  app.disable('x-powered-by');
  // Before the router exists, which is when Express reads it: qs would drop `__proto__`.
  app.set('query parser', parseFlatQuery);
  // Clients of a JSON API revalidate nothing; hashing every body for an ETag is wasted work.
  app.set('etag', false);
  // Login throttling counts per client address; behind a proxy that is in X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(logger, config.requestLogLevel, config.logQueryValues));
  app.use(noSniff);
  app.use(cors(config.cors));
  // Before authentication: a refused upload is not read at all, whoever sends it.
  app.use(refuseDeclaredOversize(bodyLimitBytes(config.bodyLimit)));
  const {
    auth: authContract,
    accountMail: accountMailContract,
    health: healthContract,
    ...resourceContract
  } = contract;
  const allResources = [...Object.values(resources), ...extraResources];
  // The accounts' routes, by mail too, exist only with the built-in accounts.
  const served = config.accounts.enabled
    ? {
        health: healthContract,
        auth: authContract,
        accountMail: accountMailContract,
        ...resourceContract,
      }
    : { health: healthContract, ...resourceContract };
  const extra = Object.fromEntries(
    extraResources.map((extra) => [extra.name, genericRoutes(extra)]),
  );
  const endpointOptions = {
    logInitialization: false,
    responseValidation: config.responseValidation,
    // The body first: it is read within the limit, where an early answer would leave Node
    // to read and discard all of it.
    globalMiddleware: [...jsonBody(config.bodyLimit), rejectUndeclaredQuery],
    requestValidationErrorHandler: validationErrorHandler,
  };
  createExpressEndpoints(healthContract, healthRouter(readiness), app, endpointOptions);
  app.use(apiDocs(served));
  app.use(['/api', '/auth'], untilReady(readiness));
  app.use('/api/:user_id', requirePathOwner(verifyToken));
  // After the guard: the limit is per verified user, and a refused token costs no one a token.
  if (rateLimits !== undefined) app.use('/api/:user_id', rateLimits.api);
  const cursors = createCursorCodec(config.cursorKey);
  const changes = changesRepository(
    db,
    new Map<string, ItemsReader>(
      allResources.map((resource) => {
        const repository = resourceRepository(db, resource);
        return [resource.name, (owner, ids, executor) => repository.findMany(owner, ids, executor)];
      }),
    ),
  );
  const changeCursorCodec = changeCursors(cursors);
  // Before the user's share of the database: an open stream holds no turn.
  app.get(
    '/api/:user_id/changes/stream',
    changeStream({
      repository: changes,
      cursors: changeCursorCodec,
      hub: changeHub,
      logger,
      heartbeatMs: config.changes.heartbeatMs,
      retryMs: config.changes.retryMs,
      tokenGraceSeconds: config.jwt.clockToleranceSeconds,
    }),
  );
  // After the rate limit, which refuses for less; a refused request takes no turn.
  app.use('/api/:user_id', userConcurrency(config.userConcurrency));
  const userData = userDataRouter({
    db,
    accounts: config.accounts.enabled,
    resources: allResources,
  });
  createExpressEndpoints(contract.userData, userData, app, endpointOptions);
  const keys = idempotencyKeys(db, config.idempotencyKeyTtlSeconds);
  if (config.accounts.enabled) {
    if (rateLimits !== undefined) app.use('/auth', rateLimits.auth);
    // Tokens are answered here (login, register, refresh): no cache may keep a copy.
    app.use('/auth', (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    });
    app.use(['/auth/me', '/auth/sessions', '/auth/email/verification'], requireUser(verifyToken));
    // The route alone: a prefix would also take /auth/password/forgot and /reset, which are
    // for someone who cannot sign in.
    app.post('/auth/password', requireUser(verifyToken));
    const { mail } = config;
    const accounts = accountsRouter({
      db,
      jwt: config.jwt,
      accounts: config.accounts,
      keys,
      mail,
      wakeOutbox,
    });
    const security = accountSecurityRouter({
      db,
      accounts: config.accounts,
      revocations,
      resources: allResources,
    });
    createExpressEndpoints(authContract, { ...accounts, ...security }, app, endpointOptions);
    const byMail = accountMailRouter({ db, mail, wakeOutbox, revocations });
    createExpressEndpoints(accountMailContract, byMail, app, endpointOptions);
  }
  const { requireIfMatch, searchTimeoutMs } = config;
  // A committed write wakes the owner's streams here at once, and those of other instances
  // by a NOTIFY after it.
  const onWrite = (owner: string) => {
    changeHub.wake(owner);
    notifyChange?.(owner);
  };
  const dependencies = {
    db,
    cursors,
    idempotencyKeys: keys,
    requireIfMatch,
    searchTimeoutMs,
    onWrite,
  };
  serveChangeFeed(app, changes, changeCursorCodec, endpointOptions);
  serveResources(app, allResources, dependencies, endpointOptions);
  rejectUndeclaredMethods(app, { ...served, ...extra });
  app.use(webApp(WEB_APP_FOLDER, { sourceMaps: config.sourceMaps }));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
