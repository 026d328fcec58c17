import {
  contract,
  errorBody,
  invalidRequest,
  notFoundMessage,
  resources,
  type ResourceName,
} from '@enclave/contract';
import {
  createExpressEndpoints,
  type AppRouteImplementation,
  type TsRestExpressOptions,
} from '@ts-rest/express';
import type { Express } from 'express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import type { CursorCodec } from './cursor.js';
import type { GenericRoutes, RegisteredResource } from './generic-resource.js';
import { afterCursor, cursorScope, listCriteria, nextCursor } from './list-request.js';
import { resourceRepository } from './resource.repository.js';
import { answerViolation, expectedViolations } from './write-violations.js';

export interface RouterDependencies {
  db: Db;
  cursors: CursorCodec;
}

/** The implementation of every route of a resource, each checked against its route's types. */
export type ResourceHandlers = {
  [K in keyof GenericRoutes]: AppRouteImplementation<GenericRoutes[K]>;
};

/** The six routes of a resource; the owner always comes from the verified token. */
export function resourceHandlers(
  resource: RegisteredResource,
  { db, cursors }: RouterDependencies,
): ResourceHandlers {
  const repository = resourceRepository(resource);
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
  const writing = async <T>(write: () => Promise<T>) => {
    try {
      return { ok: true as const, value: await write() };
    } catch (error) {
      const answer = answerViolation(error, violations);
      if (answer === undefined) throw error;
      return { ok: false as const, answer };
    }
  };

  // PUT and PATCH differ in what the contract lets through, not in how they are stored.
  const change = async (owner: string, id: number, changes: Record<string, unknown>) => {
    const result = await writing(() => repository.update(db, owner, id, changes));
    if (!result.ok) return result.answer;
    return result.value === undefined ? notFound : { status: 200 as const, body: result.value };
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
      const { rows, total: count } = await repository.listPage(db, owner, criteria);
      const page = rows.slice(0, criteria.limit);
      const last = page.at(-1);
      const more = rows.length > criteria.limit && last !== undefined;
      const next_cursor = more ? nextCursor(last, criteria.sort.field, scope, cursors) : null;
      // The items' key is the resource's name, which only the registry knows by value.
      const items = { [resource.name]: page };
      return { status: 200, body: Object.assign(items, { count, next_cursor }) };
    },
    create: async ({ res, body }) => {
      const result = await writing(() => repository.create(db, authenticatedUser(res), body));
      return result.ok ? { status: 201, body: result.value } : result.answer;
    },
    get: async ({ res, params }) => {
      const item = await repository.find(db, authenticatedUser(res), params.id);
      return item === undefined ? notFound : { status: 200, body: item };
    },
    update: ({ res, params, body }) => change(authenticatedUser(res), params.id, body),
    patch: ({ res, params, body }) => change(authenticatedUser(res), params.id, body),
    remove: async ({ res, params }) =>
      (await repository.remove(db, authenticatedUser(res), params.id))
        ? { status: 204, body: undefined }
        : notFound,
  };
}

/**
 * The one boundary between a resource's routes and the handlers written once for all of
 * them: the routes' types widen to the generic resource's. The compiler cannot relate the
 * two (a resource's own fields and statuses against "some fields, 409 possible"), hence the
 * cast through unknown. Each route keeps its own schemas, so ts-rest still validates every
 * request and response against the resource's real types at run time.
 */
function genericRoutes(name: ResourceName): GenericRoutes {
  return contract[name] as unknown as GenericRoutes;
}

/** Serves the six routes of every registered resource. */
export function serveResources(
  app: Express,
  dependencies: RouterDependencies,
  options: TsRestExpressOptions<GenericRoutes>,
): void {
  for (const resource of Object.values(resources)) {
    // The contract's routes, as the client and OpenAPI see them (c.router completes each).
    createExpressEndpoints(
      genericRoutes(resource.name),
      resourceHandlers(resource, dependencies),
      app,
      options,
    );
  }
}
