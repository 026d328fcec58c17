import {
  conflictMessage,
  errorBody,
  invalidRequestMessage,
  type ErrorStatus,
  type HeaderDescription,
  type RouteMetadata,
} from '@enclave/contract';
import { isAppRouteOtherResponse, type AppRoute, type AppRouter } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import express, { type Router } from 'express';
import { docsPage } from './docs-page.js';
import { readOnly } from './method-not-allowed.js';

type OpenApiDocument = ReturnType<typeof generateOpenApi>;
type Operation = Parameters<
  NonNullable<Parameters<typeof generateOpenApi>[2]>['operationMapper'] & {}
>[0];

// What each status means on these routes, shown beside it in the docs.
const statusMeanings: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'Deleted; no content',
  304: 'Not modified: the item is still at the ETag in If-None-Match; no body',
  400: 'Invalid input: the message and `details` name every failing field',
  401: 'Missing, malformed, expired or otherwise invalid bearer token',
  403: "The path's user_id is not the token's subject",
  404: 'No such resource among this user\'s (another user\'s resources are "not found" too)',
  409: 'Conflicts with an existing resource',
  412: 'The item changed since the ETag in If-Match: nothing was written; `ETag` is the current one',
  413: 'Request body over the size limit',
  422: 'This Idempotency-Key was used before with a different request',
  428: 'This server requires If-Match on this request (REQUIRE_IF_MATCH=on)',
  429: 'Too many requests: `Retry-After` gives the seconds to wait',
  500: 'Unexpected server error; details are logged, never sent',
  503: 'The database is unavailable or the server is starting; retry after `Retry-After` seconds',
};

// Where a route says nothing more specific (each resource names its own 404 and 409).
const errorExampleMessages: Record<string, string> = {
  400: invalidRequestMessage([{ path: 'body.title', message: 'must be at least 1 character' }]),
  401: 'Token has expired',
  403: "The token's user may not access another user's resources",
  404: 'Not found',
  409: conflictMessage({ path: 'body.name', message: 'is already taken' }),
  413: 'Request body is too large',
  429: 'Too many requests; try again in 1 second',
  500: 'An unexpected error occurred; it has been logged',
  503: 'The database is unavailable; try again shortly',
};

// A 429 comes from the rate limit (per user on /api, per address on /auth), which also sends
// its RateLimit fields on every answer it counts, from a user's share of the database (too
// many of their requests at once, Retry-After only), or from sign-in's failed-attempt throttle.
const tooManyRequestsHeaders = {
  'Retry-After': {
    description: 'Seconds to wait before a new request (or sign-in attempt) is counted',
    schema: { type: 'integer', minimum: 1 },
  },
  RateLimit: {
    description:
      'The rate limit now (draft-ietf-httpapi-ratelimit-headers): whole requests remaining ' +
      '(`r`) and seconds until the full burst is available again (`t`)',
    schema: { type: 'string', example: '"api";r=0;t=3' },
  },
  'RateLimit-Policy': {
    description:
      'The rate limit (`api` per user, `auth` per client address): the burst (`q`) and the ' +
      'seconds an exhausted budget takes to refill (`w`)',
    schema: { type: 'string', example: '"api";q=300;w=3' },
  },
};

// A 503 is a passing state (the database is away, or the server is starting or stopping):
// the request may be repeated unchanged.
const unavailableHeaders = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 1 },
  },
};

function metadataOf(route: AppRoute): RouteMetadata | undefined {
  return route.metadata as RouteMetadata | undefined;
}

// A header of the contract's metadata as OpenAPI writes one.
const headerObject = ({ description, example }: HeaderDescription) => ({
  description,
  schema: { type: 'string', example },
});

function describe(operation: Operation, route: AppRoute): Operation {
  const metadata = metadataOf(route);
  const responses = operation.responses as Record<string, Record<string, unknown>>;
  for (const [status, response] of Object.entries(responses)) {
    response.description = metadata?.statuses?.[Number(status)] ?? statusMeanings[status] ?? status;
    if (status === '429') response.headers = tooManyRequestsHeaders;
    if (status === '503') response.headers = unavailableHeaders;
    const declared = metadata?.responseHeaders?.[Number(status)];
    if (declared !== undefined) {
      const headers = Object.entries(declared).map(([name, header]) => [
        name,
        headerObject(header),
      ]);
      response.headers = { ...(response.headers as object), ...Object.fromEntries(headers) };
    }
    // A response of another type than JSON (the change stream's): the generator leaves it
    // without content, so it is described here, its example the text it sends.
    const declaredResponse = (
      route.responses as Record<string, Parameters<typeof isAppRouteOtherResponse>[0]>
    )[status];
    if (declaredResponse !== undefined && isAppRouteOtherResponse(declaredResponse)) {
      response.content = {
        [declaredResponse.contentType]: {
          schema: { type: 'string' },
          example: metadata?.responseExample,
        },
      };
      continue;
    }
    const content = response.content as Record<string, Record<string, unknown>> | undefined;
    const json = content?.['application/json'];
    if (json === undefined) continue;
    const code = Number(status);
    if (code >= 400) {
      const message = metadata?.errorMessages?.[code] ?? errorExampleMessages[status] ?? 'Error';
      json.example = errorBody(code as ErrorStatus, message);
    } else if (metadata?.responseExample !== undefined) {
      json.example = metadata.responseExample;
    }
  }
  // The request headers the contract declares, with what each is for and an example.
  for (const parameter of (operation.parameters ?? []) as Record<string, unknown>[]) {
    const header =
      parameter.in === 'header' ? metadata?.requestHeaders?.[String(parameter.name)] : undefined;
    if (header === undefined) continue;
    parameter.description = header.description;
    parameter.example = header.example;
  }
  const body = operation.requestBody as
    { required?: boolean; content?: Record<string, Record<string, unknown>> } | undefined;
  // OpenAPI takes a body as optional unless told otherwise; every write here answers 400
  // without one.
  if (body !== undefined) body.required = true;
  const bodyJson = body?.content?.['application/json'];
  if (bodyJson !== undefined && metadata?.requestExample !== undefined) {
    bodyJson.example = metadata.requestExample;
  }
  return {
    ...operation,
    tags: metadata === undefined ? [] : [metadata.resource],
    security: metadata?.public === true ? [] : [{ bearerAuth: [] }],
  };
}

/** The OpenAPI 3 document, generated from the contract: the single source of the API. */
export function buildOpenApiDocument(contract: AppRouter): OpenApiDocument {
  return generateOpenApi(
    contract,
    {
      info: {
        title: 'Enclave API',
        version: '0.1.0',
        description:
          'CRUD over user-owned resources. Every `/api` route needs `Authorization: Bearer <jwt>` ' +
          "whose user (`sub`, or the configured claim of a provider's token) equals the `user_id` " +
          'in the path; `/auth` issues such tokens for built-in accounts. Errors are ' +
          '`{"error","message","status_code"}`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    { setOperationId: 'concatenated-path', operationMapper: describe },
  );
}

/** `/openapi.json` and the interactive docs at `/docs`, whose assets are served from here. */
export function apiDocs(contract: AppRouter): Router {
  const document = buildOpenApiDocument(contract);
  const router = express.Router();
  // Read-only, both: POST, DELETE or TRACE is a 405, not the page again.
  router.use(['/openapi.json', '/docs'], readOnly);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', docsPage());
  return router;
}
