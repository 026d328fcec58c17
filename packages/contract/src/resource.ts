import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  CreateHeadersSchema,
  etagOf,
  IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE,
  IDEMPOTENCY_KEY_REUSED_MESSAGE,
  ItemReadHeadersSchema,
  ItemWriteHeadersSchema,
  PRECONDITION_REQUIRED_MESSAGE,
  preconditionFailedMessage,
} from './conditions.js';
import { conflictMessage, ErrorBodySchema, notFoundMessage, takenMessage } from './errors.js';
import {
  requireFieldSpec,
  type FieldSpec,
  type OrderableField,
  type SearchableField,
} from './field-spec.js';
import { IdParamSchema, TimestampSchema, UserIdParamSchema } from './fields.js';
import { listQuerySchema, type ListDeclaration } from './list-query.js';

const c = initContract();

type Shape = z.ZodRawShape;
type FieldName<TFields extends Shape> = Extract<keyof TFields, string>;

/** What a resource declares; everything else about it is derived. */
export interface ResourceDeclaration<
  TName extends string,
  TFields extends Shape,
  TDefaults extends Partial<{ [K in keyof TFields]: z.input<TFields[K]> }>,
  TSort extends OrderableField<TFields> = never,
  TFilter extends OrderableField<TFields> = never,
  TLater extends FieldName<TFields> = never,
  TUnique extends FieldName<TFields> = never,
> {
  /** Plural name: the URL segment, the list key, the contract key and the table name. */
  name: TName;
  /** Singular noun for messages and docs, e.g. `task`. */
  singular: string;
  /**
   * The fields a client writes, each declared with a kind from fields.ts (`text(1, 200)`,
   * `decimal(10, 2)`, `date()`, `reference('projects')`, …), `.nullable()` where it may be
   * empty.
   */
  fields: TFields;
  /** Values used on create when a field is absent; a field without one is required on create. */
  defaults: TDefaults;
  /**
   * Fields whose value is unique among one owner's items: a write that repeats one answers
   * 409, and only then is 409 declared. The migration adds the matching unique constraint.
   */
  unique?: readonly TUnique[];
  /** A realistic value of every field, shown in the OpenAPI examples. */
  example: { [K in keyof TFields]: z.output<TFields[K]> };
  /** How the list route can be ordered, filtered and searched. */
  list: ListDeclaration<TSort, TFilter, SearchableField<TFields>>;
  /**
   * Fields added after clients were written: PUT may omit them and then keeps the stored
   * value, so a client that predates the field cannot erase it by replacing the rest.
   */
  optionalOnReplace?: readonly TLater[];
}

type CreateShape<TFields extends Shape, TDefaults> = {
  [K in keyof TFields]: K extends keyof TDefaults ? z.ZodDefault<TFields[K]> : TFields[K];
};

/** The fields every item has besides its resource's own: set by the server, never written. */
export const itemSystemFields = {
  id: z.number().int().positive(),
  user_id: z.string(),
  /** 1 when created, one more on every write; the item's ETag is this number, quoted. */
  version: z.number().int().positive(),
  created_at: TimestampSchema,
  updated_at: TimestampSchema,
};

type ResponseShape<TFields extends Shape> = typeof itemSystemFields & TFields;

type ReplaceShape<TFields extends Shape, TLater extends keyof TFields> = {
  [K in keyof TFields]: K extends TLater ? z.ZodOptional<TFields[K]> : TFields[K];
};

type ListShape<TName extends string, TItem extends z.ZodTypeAny> = {
  [K in TName]: z.ZodArray<TItem>;
} & { count: z.ZodNullable<z.ZodNumber>; next_cursor: z.ZodNullable<z.ZodString> };

/** Metadata carried on every route, read by the OpenAPI generator. */
export interface RouteMetadata {
  resource: string;
  requestExample?: unknown;
  responseExample?: unknown;
  /** Whether the route is open to callers without a bearer token. */
  public?: boolean;
  /** What a status means on this route, where it differs from the resource routes' meaning. */
  statuses?: Record<number, string>;
  /** The message an error status answers with on this route, for its example. */
  errorMessages?: Record<number, string>;
  /** What each request header the route reads is for, with an example value. */
  requestHeaders?: Record<string, HeaderDescription>;
  /** The headers a status answers with on this route, besides the ones every route sends. */
  responseHeaders?: Record<number, Record<string, HeaderDescription>>;
}

/** A header as the API documentation shows it. */
export interface HeaderDescription {
  description: string;
  example: string;
}

function withDefaults<
  TFields extends Shape,
  TDefaults extends Partial<Record<keyof TFields, unknown>>,
>(fields: TFields, defaults: TDefaults) {
  const shape: Shape = {};
  for (const [key, schema] of Object.entries(fields)) {
    shape[key] = key in defaults ? schema.default(defaults[key]) : schema;
  }
  return shape as CreateShape<TFields, TDefaults>;
}

/** Derives the request and response schemas of a resource from its declaration. */
function resourceSchemas<
  TName extends string,
  TFields extends Shape,
  TDefaults extends Partial<{ [K in keyof TFields]: z.input<TFields[K]> }>,
  TSort extends OrderableField<TFields> = never,
  TFilter extends OrderableField<TFields> = never,
  TLater extends FieldName<TFields> = never,
  TUnique extends FieldName<TFields> = never,
>(declaration: ResourceDeclaration<TName, TFields, TDefaults, TSort, TFilter, TLater, TUnique>) {
  const { name, fields, defaults } = declaration;
  const later = new Set<string>(declaration.optionalOnReplace ?? []);
  const create = z.object(withDefaults(fields, defaults)).strict();
  const replaceShape: Shape = {};
  for (const [key, schema] of Object.entries(fields)) {
    replaceShape[key] = later.has(key) ? schema.optional() : schema;
  }
  const replace = z.object(replaceShape as ReplaceShape<TFields, TLater>).strict();
  const patch = z
    .object(fields)
    .partial()
    .strict()
    .refine((body) => Object.keys(body).length > 0, {
      message: 'must contain at least one field to change',
    });
  const { id, user_id, version, created_at, updated_at } = itemSystemFields;
  // The order a client sees: the ids, the resource's fields, the version, then the times.
  const responseShape = {
    id,
    user_id,
    ...fields,
    version,
    created_at,
    updated_at,
  } as ResponseShape<TFields>;
  const response = z.object(responseShape);
  const list = z.object({
    [name]: z.array(response),
    // null when the client asked not to count (count=none).
    count: z.number().int().nonnegative().nullable(),
    next_cursor: z.string().nullable(),
  } as ListShape<TName, typeof response>);
  const listQuery = listQuerySchema(name, fields, declaration.list);
  return { create, replace, patch, response, list, listQuery };
}

const error = ErrorBodySchema;
const conflictResponse = { 409: error } as const;
type ConflictResponses<TUnique extends string> = [TUnique] extends [never]
  ? Record<never, never>
  : typeof conflictResponse;

// The headers of conditional requests and idempotent creates, as the docs show them.
const etagHeader = {
  ETag: {
    description: "The item's strong entity tag: its `version`, quoted. Send it back in If-Match.",
    example: etagOf(3),
  },
};
const requestHeaderDocs = {
  'if-none-match': {
    description:
      'ETags of a copy the client holds: an unchanged item answers 304 with no body. `*` ' +
      'matches any version.',
    example: etagOf(3),
  },
  'if-match': {
    description:
      'Write only if the item is still at this ETag (from a GET, a write, or `version` in a ' +
      'list); otherwise 412 with the current ETag. Decided in the statement that writes.',
    example: etagOf(3),
  },
  'idempotency-key': {
    description:
      "A key of the client's choosing (1-255 visible ASCII characters, e.g. a UUID; bare or " +
      "quoted): the first request's answer is stored with the item and replayed, with " +
      '`Idempotent-Replayed: true`, to a retry with the same key and body for 24 hours by ' +
      'default. Per user and route.',
    example: '5c0f8e0e-7d4b-4e0a-9d0e-1d6b2f3c4a5b',
  },
};
const replayedHeader = {
  'Idempotent-Replayed': {
    description: '`true` when this is a stored answer to an earlier request with this key',
    example: 'true',
  },
};

/**
 * Declares a resource: its schemas and its six routes under `/api/:user_id/<name>`, each with
 * every status code it can answer.
 */
export function defineResource<
  TName extends string,
  TFields extends Shape,
  TDefaults extends Partial<{ [K in keyof TFields]: z.input<TFields[K]> }>,
  TSort extends OrderableField<TFields> = never,
  TFilter extends OrderableField<TFields> = never,
  TLater extends FieldName<TFields> = never,
  TUnique extends FieldName<TFields> = never,
>(declaration: ResourceDeclaration<TName, TFields, TDefaults, TSort, TFilter, TLater, TUnique>) {
  const { name, singular } = declaration;
  // Every field has a kind: its column, checks and list abilities follow from it.
  const fieldSpecs: Record<string, FieldSpec> = {};
  for (const [field, schema] of Object.entries(declaration.fields)) {
    fieldSpecs[field] = requireFieldSpec(name, field, schema);
  }
  const schemas = resourceSchemas(declaration);
  const collection = `/api/:user_id/${name}` as const;
  const item = `/api/:user_id/${name}/:id` as const;
  const ownerParams = z.object({ user_id: UserIdParamSchema });
  const itemParams = z.object({ user_id: UserIdParamSchema, id: IdParamSchema });
  // 409 is declared only where the resource has a uniqueness rule to break (and on create,
  // where a key still in use by an earlier request is one too).
  const conflicts = (declaration.unique ?? []).length > 0;
  const withConflict = <T extends object>(responses: T) =>
    (conflicts ? { ...responses, ...conflictResponse } : responses) as T &
      ConflictResponses<TUnique>;
  // What every route can answer besides its success: a malformed request, a refused token,
  // another user's path, the rate limit, the unexpected, the database away; an item route
  // adds "not found", a route with a body "too large". (Integer keys keep ascending order.)
  const failures = { 400: error, 401: error, 403: error, 429: error, 500: error, 503: error };
  const itemFailures = { ...failures, 404: error };
  // A conditional write can find the item changed (412), or its condition missing where the
  // server requires one (428).
  const conditionalFailures = { ...itemFailures, 412: error, 428: error };
  // PUT and PATCH can answer the same things.
  const itemWriteResponses = withConflict({
    200: schemas.response,
    ...conditionalFailures,
    413: error,
  });
  const responseExample = {
    id: 1,
    user_id: 'user-123',
    ...declaration.example,
    version: 3,
    created_at: '2026-01-15T09:30:00.000Z',
    updated_at: '2026-01-15T09:30:00.000Z',
  };
  // Each resource's own 404 and 409 in its examples, not one resource's for all.
  const errorMessages: Record<number, string> = {
    404: notFoundMessage(singular),
    412: preconditionFailedMessage(singular, 4),
    428: PRECONDITION_REQUIRED_MESSAGE,
  };
  const [uniqueField] = declaration.unique ?? [];
  if (uniqueField !== undefined) {
    const message = takenMessage(uniqueField, name);
    errorMessages[409] = conflictMessage({ path: `body.${uniqueField}`, message });
  }
  // A create can also find its key in use (409) or used for another body (422).
  const createMessages = {
    409: IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE,
    ...errorMessages,
    422: IDEMPOTENCY_KEY_REUSED_MESSAGE,
  };
  const metadata = (
    requestExample?: unknown,
    example: unknown = responseExample,
    extra: Pick<
      RouteMetadata,
      'requestHeaders' | 'responseHeaders' | 'statuses' | 'errorMessages'
    > = {},
  ) =>
    ({
      resource: name,
      requestExample,
      responseExample: example,
      errorMessages,
      ...extra,
    }) satisfies RouteMetadata;
  const conditionalWrite = {
    requestHeaders: { 'if-match': requestHeaderDocs['if-match'] },
    responseHeaders: { 200: etagHeader, 412: etagHeader },
  };

  // Routes go through c.query/c.mutation, not c.router(): ts-rest's header validation cannot be
  // resolved on generic types, so the root contract applies c.router() once they are concrete.
  const routes = {
    list: c.query({
      method: 'GET' as const,
      strictStatusCodes: true as const,
      path: collection,
      pathParams: ownerParams,
      query: schemas.listQuery,
      summary: `List the user's ${name}`,
      description:
        `The authenticated user's ${name}, a page at a time (newest first unless \`sort\` says ` +
        'otherwise). `count` is how many match the filters across all pages (null with ' +
        '`count=none`); `next_cursor` fetches the next page and is null on the last one. ' +
        "Each item's `version` is its ETag, unquoted: edit from the list with " +
        '`If-Match: "<version>"`.',
      responses: { 200: schemas.list, ...failures },
      metadata: metadata(undefined, { [name]: [responseExample], count: 1, next_cursor: null }),
    }),
    create: c.mutation({
      method: 'POST' as const,
      strictStatusCodes: true as const,
      path: collection,
      pathParams: ownerParams,
      headers: CreateHeadersSchema,
      body: schemas.create,
      summary: `Create a ${singular}`,
      description:
        'With an `Idempotency-Key`, a retry (after a timeout, a 503, a lost connection) answers ' +
        'what the first request answered instead of creating a second item.',
      responses: { 201: schemas.response, ...failures, 409: error, 413: error, 422: error },
      metadata: metadata(declaration.example, responseExample, {
        errorMessages: createMessages,
        requestHeaders: { 'idempotency-key': requestHeaderDocs['idempotency-key'] },
        responseHeaders: {
          201: { ...etagHeader, ...replayedHeader },
          409: {
            'Retry-After': {
              description: 'Seconds to wait before retrying with the same key',
              example: '1',
            },
          },
        },
        statuses: {
          409: conflicts
            ? 'Conflicts with an existing resource, or a request with this Idempotency-Key is ' +
              'still being processed'
            : 'A request with this Idempotency-Key is still being processed: retry shortly',
          422: 'This Idempotency-Key was used before with a different request body',
        },
      }),
    }),
    get: c.query({
      method: 'GET' as const,
      strictStatusCodes: true as const,
      path: item,
      pathParams: itemParams,
      headers: ItemReadHeadersSchema,
      summary: `Get one ${singular}`,
      responses: { 200: schemas.response, 304: c.noBody(), ...itemFailures },
      metadata: metadata(undefined, responseExample, {
        requestHeaders: { 'if-none-match': requestHeaderDocs['if-none-match'] },
        responseHeaders: { 200: etagHeader, 304: etagHeader },
      }),
    }),
    update: c.mutation({
      method: 'PUT' as const,
      strictStatusCodes: true as const,
      path: item,
      pathParams: itemParams,
      headers: ItemWriteHeadersSchema,
      body: schemas.replace,
      summary: `Replace a ${singular}`,
      description: 'Every writable field is required; nullable fields take an explicit null.',
      responses: itemWriteResponses,
      metadata: metadata(declaration.example, responseExample, conditionalWrite),
    }),
    patch: c.mutation({
      method: 'PATCH' as const,
      strictStatusCodes: true as const,
      path: item,
      pathParams: itemParams,
      headers: ItemWriteHeadersSchema,
      body: schemas.patch,
      summary: `Change some fields of a ${singular}`,
      description: 'Only the fields sent change; at least one field is required.',
      responses: itemWriteResponses,
      metadata: metadata(pickFirstField(declaration.example), responseExample, conditionalWrite),
    }),
    remove: c.mutation({
      method: 'DELETE' as const,
      strictStatusCodes: true as const,
      path: item,
      pathParams: itemParams,
      headers: ItemWriteHeadersSchema,
      body: c.noBody(),
      summary: `Delete a ${singular}`,
      responses: { 204: c.noBody(), ...conditionalFailures },
      metadata: metadata(undefined, responseExample, {
        requestHeaders: conditionalWrite.requestHeaders,
        responseHeaders: { 412: etagHeader },
      }),
    }),
  };
  return {
    ...declaration,
    fieldSpecs: fieldSpecs as { [K in FieldName<TFields>]: FieldSpec },
    schemas,
    routes,
  };
}

function pickFirstField(example: Record<string, unknown>): Record<string, unknown> {
  const [first] = Object.entries(example);
  return first === undefined ? {} : { [first[0]]: first[1] };
}
