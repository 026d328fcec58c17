import { errorBody } from '@enclave/contract';
import type { AppRouter } from '@ts-rest/core';
import { initServer } from '@ts-rest/express';
import type { Response } from 'express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import type { CursorCodec } from './cursor.js';
import {
  afterCursor,
  cursorScope,
  listCriteria,
  nextCursor,
  type ListQuery,
} from './list-request.js';
import { resourceRepository, type StoredResource } from './resource.repository.js';
import { answerViolation, type WriteViolations } from './write-violations.js';

const s = initServer();

/** A resource as the server serves it: its contract declaration and its write rules. */
export interface ServedResource<TRoutes extends AppRouter = AppRouter> extends StoredResource {
  singular: string;
  routes: TRoutes;
  /** Database constraints a write may break, and how each answers (400 or 409). */
  violations?: WriteViolations;
}

export interface RouterDependencies {
  db: Db;
  cursors: CursorCodec;
}

interface Params {
  user_id: string;
  id: number;
}
interface Handler {
  res: Response;
  params: Params;
  query: ListQuery;
  body: Record<string, unknown>;
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** The six routes of a resource; the owner always comes from the verified token. */
export function resourceRouter<TRoutes extends AppRouter>(
  resource: ServedResource<TRoutes>,
  { db, cursors }: RouterDependencies,
) {
  const repository = resourceRepository(resource);
  const notFound = {
    status: 404,
    body: errorBody(404, `${capitalized(resource.singular)} not found`),
  } as const;
  const invalidCursor = {
    status: 400,
    body: errorBody(
      400,
      'Invalid request: query.cursor: is not a cursor of this list; start again without one',
      [{ path: 'query.cursor', message: 'is not a cursor of this list' }],
    ),
  } as const;

  // A write that breaks a rule the resource expects (a duplicate name, a project that is not
  // the owner's) answers 409 or 400; anything else is unexpected and reaches the 500 handler.
  const writing = async <T>(write: () => Promise<T>) => {
    try {
      return { ok: true as const, value: await write() };
    } catch (error) {
      const answer = answerViolation(error, resource.violations ?? {});
      if (answer === undefined) throw error;
      return { ok: false as const, answer };
    }
  };
  const itemOrNotFound = async (write: () => Promise<unknown>) => {
    const result = await writing(write);
    if (!result.ok) return result.answer;
    return result.value === undefined ? notFound : { status: 200, body: result.value };
  };

  const handlers = {
    list: async ({ res, query }: Handler) => {
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
      return {
        status: 200,
        body: {
          [resource.name]: page.map(repository.toItem),
          count,
          next_cursor: more ? nextCursor(last, criteria.sort.field, scope, cursors) : null,
        },
      };
    },
    create: async ({ res, body }: Handler) => {
      const result = await writing(() => repository.create(db, authenticatedUser(res), body));
      return result.ok ? { status: 201, body: result.value } : result.answer;
    },
    get: async ({ res, params }: Handler) => {
      const item = await repository.find(db, authenticatedUser(res), params.id);
      return item === undefined ? notFound : { status: 200, body: item };
    },
    update: ({ res, params, body }: Handler) =>
      itemOrNotFound(() => repository.update(db, authenticatedUser(res), params.id, body)),
    patch: ({ res, params, body }: Handler) =>
      itemOrNotFound(() => repository.update(db, authenticatedUser(res), params.id, body)),
    remove: async ({ res, params }: Handler) =>
      (await repository.remove(db, authenticatedUser(res), params.id))
        ? { status: 204, body: undefined }
        : notFound,
  };
  // The handlers are written once for every resource, so their types are the general shape;
  // the contract's response validation checks each answer against the resource's own schemas.
  return s.router(resource.routes, handlers as never);
}
