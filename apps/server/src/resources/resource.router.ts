import {
  errorBody,
  etagOf,
  invalidRequest,
  notFoundMessage,
  PRECONDITION_REQUIRED_MESSAGE,
  preconditionFailedMessage,
} from '@enclave/contract';
import { initContract, type AppRouter } from '@ts-rest/core';
import {
  createExpressEndpoints,
  type AppRouteImplementation,
  type TsRestExpressOptions,
} from '@ts-rest/express';
import type { Express, Response } from 'express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import { fingerprintOf, type IdempotencyKeys } from '../idempotency/idempotency-keys.js';
import { answerNotRun } from '../http/idempotent-replay.js';
import { notModified, writeCondition } from './conditions.js';
import type { CursorCodec } from './cursor.js';
import type { GenericItem, GenericRoutes, RegisteredResource } from './generic-resource.js';
import { afterCursor, cursorScope, listCriteria, nextCursor } from './list-request.js';
import { resourceRepository } from './resource.repository.js';
import { answerViolation, expectedViolations } from './write-violations.js';

export interface RouterDependencies {
  db: Db;
  /** The longest a list with `q` may run (resource.repository.ts). */
  searchTimeoutMs?: number;
  cursors: CursorCodec;
  /** Where creates with an Idempotency-Key keep their answers. */
  idempotencyKeys: IdempotencyKeys;
  /** Refuse PUT, PATCH and DELETE without If-Match (428). */
  requireIfMatch: boolean;
  /** Called with the owner after a write has committed (wakes this process's change streams). */
  onWrite?: ((owner: string) => void) | undefined;
}

/** The implementation of every route of a resource, each checked against its route's types. */
export type ResourceHandlers = {
  [K in keyof GenericRoutes]: AppRouteImplementation<GenericRoutes[K]>;
};

/** The six routes of a resource; the owner always comes from the verified token. */
export function resourceHandlers(
  resource: RegisteredResource,
  { db, cursors, idempotencyKeys, requireIfMatch, searchTimeoutMs, onWrite }: RouterDependencies,
): ResourceHandlers {
  const repository = resourceRepository(
    db,
    resource,
    searchTimeoutMs === undefined ? {} : { searchTimeoutMs },
  );
  const violations = expectedViolations(resource);
  const notFound = {
    status: 404,
    body: errorBody(404, notFoundMessage(resource.singular)),
  } as const;
  const invalidCursor = {
    status: 400,
    body: invalidRequest([
      {
        path: 'query.cursor',
        message: 'is not a cursor of this list; start again without one',
      },
    ]),
  } as const;

  // A write that breaks a rule the resource declares (a duplicate of a unique field, a
  // reference to an item that is not the owner's) answers 409 or 400; anything else is
  // unexpected and reaches the 500 handler.
  const writing = async <T>(write: () => Promise<T>, owner?: string) => {
    try {
      const value = await write();
      if (owner !== undefined) onWrite?.(owner);
      return { ok: true as const, value };
    } catch (error) {
      const answer = answerViolation(error, violations);
      if (answer === undefined) throw error;
      return { ok: false as const, answer };
    }
  };

  const preconditionRequired = {
    status: 428,
    body: errorBody(428, PRECONDITION_REQUIRED_MESSAGE),
  } as const;
  const createRoute = `${resource.name}.create`;

  // A conditional write that wrote nothing: the item is gone (404) or at another version
  // (412, with the version it is at now, so the client can read it and decide).
  const conditionFailed = async (res: Response, owner: string, id: number) => {
    const current = await repository.versionOf(owner, id);
    if (current === undefined) return notFound;
    res.setHeader('ETag', etagOf(current));
    const message = preconditionFailedMessage(resource.singular, current);
    return { status: 412 as const, body: errorBody(412, message) };
  };

  // PUT and PATCH differ in what the contract lets through, not in how they are stored.
  const change = async (
    res: Response,
    id: number,
    changes: Record<string, unknown>,
    ifMatch: string | undefined,
  ) => {
    const owner = authenticatedUser(res);
    const condition = writeCondition(ifMatch, requireIfMatch);
    if (condition.kind === 'missing') return preconditionRequired;
    const versions = condition.kind === 'versions' ? condition.versions : undefined;
    if (versions?.length === 0) return conditionFailed(res, owner, id);
    const result = await writing(() => repository.update(owner, id, changes, versions), owner);
    if (!result.ok) return result.answer;
    const item = result.value;
    if (item === undefined) {
      return condition.kind === 'versions' ? conditionFailed(res, owner, id) : notFound;
    }
    res.setHeader('ETag', etagOf(item.version));
    return { status: 200 as const, body: item };
  };

  const create = async (owner: string, body: Record<string, unknown>, res: Response) => {
    const result = await writing(() => repository.create(owner, body), owner);
    if (!result.ok) return result.answer;
    res.setHeader('ETag', etagOf(result.value.version));
    return { status: 201 as const, body: result.value };
  };

  // A create with an Idempotency-Key: made once, its answer stored with it and replayed.
  const createOnce = async (
    owner: string,
    body: Record<string, unknown>,
    key: string,
    res: Response,
  ) => {
    const request = { owner, route: createRoute, key, fingerprint: fingerprintOf(body) };
    const result = await writing(
      () =>
        idempotencyKeys.run(request, async (transaction) => {
          const item = await repository.create(owner, body, transaction);
          return { status: 201 as const, body: item, headers: { ETag: etagOf(item.version) } };
        }),
      owner,
    );
    if (!result.ok) return result.answer;
    const outcome = result.value;
    if (outcome.kind !== 'done') return answerNotRun<GenericItem, 201>(res, outcome, 201);
    res.setHeader('ETag', outcome.answer.headers.ETag);
    return { status: 201 as const, body: outcome.answer.body };
  };

  return {
    list: async ({ res, query }) => {
      const owner = authenticatedUser(res);
      const requested = listCriteria(query);
      const scope = cursorScope(resource.name, owner, requested);
      const criteria =
        query.cursor === undefined
          ? requested
          : afterCursor(requested, query.cursor, scope, cursors);
      if (criteria === undefined) return invalidCursor;
      const { rows, total: count } = await repository.listPage(owner, criteria);
      const page = rows.slice(0, criteria.limit);
      const last = page.at(-1);
      const more = rows.length > criteria.limit && last !== undefined;
      const next_cursor = more ? nextCursor(last, criteria.sort.field, scope, cursors) : null;
      // The items' key is the resource's name, which only the registry knows by value.
      const items = { [resource.name]: page };
      return { status: 200, body: Object.assign(items, { count, next_cursor }) };
    },
    create: ({ res, body, headers }) => {
      const owner = authenticatedUser(res);
      const key = headers['idempotency-key'];
      return key === undefined ? create(owner, body, res) : createOnce(owner, body, key, res);
    },
    get: async ({ res, params, headers }) => {
      const item = await repository.find(authenticatedUser(res), params.id);
      if (item === undefined) return notFound;
      res.setHeader('ETag', etagOf(item.version));
      return notModified(headers['if-none-match'], item.version)
        ? { status: 304, body: undefined }
        : { status: 200, body: item };
    },
    update: ({ res, params, body, headers }) => change(res, params.id, body, headers['if-match']),
    patch: ({ res, params, body, headers }) => change(res, params.id, body, headers['if-match']),
    remove: async ({ res, params, headers }) => {
      const owner = authenticatedUser(res);
      const condition = writeCondition(headers['if-match'], requireIfMatch);
      if (condition.kind === 'missing') return preconditionRequired;
      const deleted = { status: 204, body: undefined } as const;
      if (condition.kind === 'any') {
        if (!(await repository.remove(owner, params.id))) return notFound;
        onWrite?.(owner);
        return deleted;
      }
      const { versions } = condition;
      if (versions.length > 0 && (await repository.remove(owner, params.id, versions))) {
        onWrite?.(owner);
        return deleted;
      }
      return conditionFailed(res, owner, params.id);
    },
  };
}

const c = initContract();

/**
 * The one boundary between a resource's routes and the handlers written once for all of
 * them: the routes' types widen to the generic resource's. The compiler cannot relate the
 * two (a resource's own fields and statuses against "some fields, 409 possible"), hence the
 * cast through unknown. Each route keeps its own schemas, so ts-rest still validates every
 * request and response against the resource's real types at run time. c.router completes the
 * routes as the root contract does for the registry's.
 */
export function genericRoutes(resource: RegisteredResource): GenericRoutes {
  const router = c.router as (routes: AppRouter) => AppRouter;
  return router(resource.routes) as unknown as GenericRoutes;
}

/** Serves the six routes of each resource. */
export function serveResources(
  app: Express,
  served: readonly RegisteredResource[],
  dependencies: RouterDependencies,
  options: TsRestExpressOptions<GenericRoutes>,
): void {
  for (const resource of served) {
    createExpressEndpoints(
      genericRoutes(resource),
      resourceHandlers(resource, dependencies),
      app,
      options,
    );
  }
}
