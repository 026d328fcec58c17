import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorBodySchema } from './errors.js';
import { TimestampSchema } from './fields.js';
import { limitParamSchema } from './list-query.js';
import { resources, type Resources } from './registry.js';
import type { RouteMetadata } from './resource.js';

const c = initContract();

/** The most changes a page of the sync feed holds, and how many when `limit` is absent. */
export const MAX_CHANGES_LIMIT = 1000;
export const DEFAULT_CHANGES_LIMIT = 100;

/** What a change did to its item. */
export const ChangeOpSchema = z.enum(['created', 'updated', 'deleted']);

/** A change cursor, exactly as the server sent it (signed; opaque). */
export const ChangeCursorSchema = Object.assign(
  z
    .string()
    .max(1024, 'is not a change cursor this API issued')
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'is not a change cursor this API issued'),
  {
    metaOpenApi: {
      description:
        'A `cursor` or `next_cursor` this API sent this user. Without it: no changes, and the ' +
        'current cursor (a starting point).',
    },
  },
);

type ChangeOf<K extends keyof Resources> = z.ZodObject<{
  cursor: z.ZodString;
  resource: z.ZodLiteral<K>;
  id: z.ZodNumber;
  op: typeof ChangeOpSchema;
  version: z.ZodNumber;
  at: typeof TimestampSchema;
  item: z.ZodNullable<Resources[K]['schemas']['response']>;
}>;

function changeOf<K extends keyof Resources>(name: K): ChangeOf<K> {
  return z.object({
    cursor: z.string(),
    resource: z.literal(name),
    id: z.number().int().positive(),
    op: ChangeOpSchema,
    version: z.number().int().positive(),
    at: TimestampSchema,
    // The item as it is now (read with the page, in one snapshot), null once it is gone.
    item: (resources[name].schemas.response as Resources[K]['schemas']['response']).nullable(),
  }) as ChangeOf<K>;
}

type ChangeVariants = { [K in keyof Resources]: ChangeOf<K> }[keyof Resources];

/** One change of one of the user's items, of any resource (told apart by `resource`). */
export const ChangeSchema = z.discriminatedUnion(
  'resource',
  (Object.keys(resources) as (keyof Resources)[]).map(changeOf) as unknown as [
    ChangeVariants,
    ...ChangeVariants[],
  ],
);
export type Change = z.infer<typeof ChangeSchema>;

/** A page of the sync feed. */
export const ChangesPageSchema = z.object({
  changes: z.array(ChangeSchema),
  next_cursor: z.string(),
  has_more: z.boolean(),
});
export type ChangesPage = z.infer<typeof ChangesPageSchema>;

const error = ErrorBodySchema;
const failures = { 400: error, 401: error, 403: error, 410: error, 429: error, 500: error };
const statuses = {
  400: 'A malformed or foreign `after` cursor, or a bad `limit`',
  410: 'The cursor is older than the change log keeps (CHANGES_RETENTION_HOURS): re-read the lists, then start again without a cursor',
};
const errorMessages = {
  410: 'Changes after this cursor are no longer kept; re-read your lists and start again without a cursor',
};

// Where an example stream opens: the position just before exampleChange's.
const exampleStart = 'WzQxLDFd.Qk2cB7nWm1Zr8yV4eT0aH6uJ3sLpX9dF5gC2iK8oN1q';
const exampleChange = {
  cursor: 'WzQyLDFd.9mGr0bq1s0mJxkOZ1Y6qD9cW3d8kqkC4p1XcI5m0Eo4',
  resource: 'tasks',
  id: 7,
  op: 'updated',
  version: 2,
  at: '2026-01-15T09:30:00.000Z',
  item: {
    id: 7,
    user_id: 'user-123',
    ...resources.tasks.example,
    version: 2,
    created_at: '2026-01-15T09:29:00.000Z',
    updated_at: '2026-01-15T09:30:00.000Z',
  },
};

/** The change feed: every create, update and delete of the user's items, in write order. */
export const changeRoutes = c.router({
  since: {
    method: 'GET',
    path: '/api/:user_id/changes',
    summary: "The user's changes after a cursor, in write order",
    description:
      'Each change carries the item as it is now (`null` once deleted). Page on with ' +
      '`next_cursor` while `has_more`; keep the last `next_cursor` to catch up later. Without ' +
      '`after`: no changes and the current cursor, a starting point.',
    pathParams: z.object({ user_id: z.string().min(1).max(255) }),
    query: z
      .object({
        after: ChangeCursorSchema.optional(),
        limit: limitParamSchema(MAX_CHANGES_LIMIT, DEFAULT_CHANGES_LIMIT),
      })
      .strict(),
    responses: { 200: ChangesPageSchema, ...failures, 503: error },
    metadata: {
      resource: 'changes',
      responseExample: {
        changes: [exampleChange],
        next_cursor: exampleChange.cursor,
        has_more: false,
      },
      statuses,
      errorMessages,
    } satisfies RouteMetadata,
  },
  stream: {
    method: 'GET',
    path: '/api/:user_id/changes/stream',
    summary: "The user's changes as they happen (Server-Sent Events)",
    description:
      '`text/event-stream`. It opens with `id: <cursor>` and no data: the position it follows ' +
      'from (without a cursor, the current one), to resume from if the connection drops before ' +
      'any change. Then each change as `id: <cursor>`, `event: change`, `data: <the change ' +
      'as JSON>`; a comment line at least every 15 s. Resumes after `Last-Event-ID` (or ' +
      '`?after=`) with no gap and no duplicate. Ends with `event: end` (`data` says why: the ' +
      'token expired, the server is shutting down) and a `retry:` hint. At most ' +
      'CHANGES_STREAMS_PER_USER open streams per user (429 beyond).',
    pathParams: z.object({ user_id: z.string().min(1).max(255) }),
    query: z.object({ after: ChangeCursorSchema.optional() }).strict(),
    headers: z.object({ 'last-event-id': ChangeCursorSchema.optional() }),
    responses: {
      200: c.otherResponse({ contentType: 'text/event-stream', body: z.string() }),
      ...failures,
      503: error,
    },
    metadata: {
      resource: 'changes',
      responseExample: `: stream of the user's changes\nid: ${exampleStart}\n\nid: ${exampleChange.cursor}\nevent: change\ndata: ${JSON.stringify(exampleChange)}\n\n`,
      statuses: { ...statuses, 429: 'Too many open streams for this user, or the rate limit' },
      errorMessages,
    } satisfies RouteMetadata,
  },
});
