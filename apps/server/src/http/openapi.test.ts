import {
  ErrorBodySchema,
  contract,
  resources,
  tasks,
  type ErrorStatus,
  type RouteMetadata,
} from '@enclave/contract';
import type { AppRoute } from '@ts-rest/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/harness.js';

interface MediaType {
  schema?: Record<string, unknown>;
  example?: unknown;
}
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
}

let server: TestServer;
let doc: OpenApiDocument;

beforeAll(async () => {
  server = await startTestServer();
  const response = await server.fetch('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await server.close();
});

// What the contract declares, in OpenAPI's terms: the expectations follow the contract, so a
// route or status added there and lost on the way to the document fails here.
const declared = Object.entries(contract).flatMap(([group, routes]) =>
  Object.entries(routes).map(([name, route]: [string, AppRoute]) => ({
    group,
    name,
    route,
    path: route.path.replace(/:(\w+)/g, '{$1}'),
    method: route.method.toLowerCase(),
    statuses: Object.keys(route.responses).sort(),
  })),
);

const resourceRoutes = declared.flatMap((d) =>
  d.group in resources ? [{ ...d, resource: d.group as keyof typeof resources }] : [],
);
const isPublic = (route: AppRoute) => (route.metadata as RouteMetadata).public === true;

function operation(path: string, method: string): Operation {
  const op = doc.paths[path]?.[method];
  expect(op, `${method.toUpperCase()} ${path} is documented`).toBeDefined();
  return op!;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document describing this API', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Enclave API');
    expect(doc.info.version).toEqual(expect.any(String));
  });

  it('documents the probes, the auth routes, the change feed and the six routes of every resource', () => {
    const names = Object.keys(resources);
    expect(names).toEqual(expect.arrayContaining(['notes', 'projects', 'tasks']));
    const authPaths = [
      '/livez',
      '/readyz',
      '/auth/login',
      '/auth/logout',
      '/auth/me',
      '/auth/password',
      '/auth/refresh',
      '/auth/register',
      '/auth/sessions',
      '/auth/sessions/{id}',
      '/api/{user_id}',
      '/api/{user_id}/export',
      '/auth/password/forgot',
      '/auth/password/reset',
      '/auth/email/verify',
      '/auth/email/verification',
    ];
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        ...authPaths,
        '/api/{user_id}/changes',
        '/api/{user_id}/changes/stream',
        ...names.flatMap((name) => [`/api/{user_id}/${name}`, `/api/{user_id}/${name}/{id}`]),
      ].sort(),
    );
    for (const name of names) {
      expect(Object.keys(doc.paths[`/api/{user_id}/${name}`]!).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths[`/api/{user_id}/${name}/{id}`]!).sort()).toEqual([
        'delete',
        'get',
        'patch',
        'put',
      ]);
    }
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(declared.map((d) => `${d.method} ${d.path}`).sort());
  });

  it('declares bearer JWT authentication and requires it everywhere but sign-in', () => {
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    for (const { path, method, route } of declared) {
      expect(operation(path, method).security).toEqual(isPublic(route) ? [] : [{ bearerAuth: [] }]);
    }
    const open = declared.filter((d) => isPublic(d.route)).map((d) => d.path);
    expect(open.sort()).toEqual([
      '/auth/email/verify',
      '/auth/login',
      '/auth/logout',
      '/auth/password/forgot',
      '/auth/password/reset',
      '/auth/refresh',
      '/auth/register',
      '/livez',
      '/readyz',
    ]);
  });

  it('documents the probes: no token, 503 with Retry-After when not ready', () => {
    const live = operation('/livez', 'get');
    expect(Object.keys(live.responses)).toEqual(['200']);
    const ready = operation('/readyz', 'get');
    expect(Object.keys(ready.responses).sort()).toEqual(['200', '503']);
    const notReady = ready.responses['503'] as unknown as {
      headers?: Record<string, unknown>;
      content?: Record<string, { example?: unknown }>;
    };
    expect(notReady.headers).toHaveProperty('Retry-After');
    expect(notReady.content?.['application/json']?.example).toMatchObject({ status_code: 503 });
  });

  it('documents 503 with Retry-After on every resource route', () => {
    for (const { path, method } of declared.filter((d) => d.path.startsWith('/api/'))) {
      const unavailable = operation(path, method).responses['503'] as unknown as {
        headers?: Record<string, unknown>;
      };
      expect(unavailable.headers, `${method} ${path}`).toHaveProperty('Retry-After');
    }
  });

  it('documents the throttled answer with its Retry-After header', () => {
    const tooMany = operation('/auth/login', 'post').responses['429'] as unknown as {
      headers?: Record<string, unknown>;
    };
    expect(tooMany.headers).toHaveProperty('Retry-After');
    const unauthorized = operation('/auth/login', 'post').responses['401'];
    expect(unauthorized?.description).toMatch(/incorrect/);
    // The example is what login really answers, not the resource routes' token message.
    expect(unauthorized?.content?.['application/json']?.example).toMatchObject({
      message: 'Email or password is incorrect',
    });
  });

  it.each(declared)('documents every status $name declares, and no other', (d) => {
    const op = operation(d.path, d.method);
    expect(Object.keys(op.responses).sort()).toEqual(d.statuses);
    for (const [status, response] of Object.entries(op.responses)) {
      // ts-rest's fallback description is the bare status code, which tells a reader nothing.
      expect(response.description, `${d.name} ${status}`).not.toBe(status);
      expect(response.description.length).toBeGreaterThan(1);
    }
  });

  it('spot-checks statuses against what the API really answers', () => {
    const create = operation('/api/{user_id}/tasks', 'post');
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413']),
    );
    // A create's 409 is its Idempotency-Key in use; a change's 409 only a unique field's.
    expect(create.responses).toHaveProperty('409');
    expect(create.responses).not.toHaveProperty('404');
    expect(operation('/api/{user_id}/tasks/{id}', 'patch').responses).not.toHaveProperty('409');
    expect(operation('/api/{user_id}/tasks', 'get').responses).toHaveProperty('400');
    expect(operation('/api/{user_id}/projects', 'post').responses).toHaveProperty('409');
    expect(operation('/api/{user_id}/projects/{id}', 'patch').responses).toHaveProperty('409');
    expect(operation('/api/{user_id}/notes/{id}', 'put').responses).not.toHaveProperty('409');
    expect(operation('/api/{user_id}/tasks/{id}', 'get').responses).toHaveProperty('404');
    const remove = operation('/api/{user_id}/tasks/{id}', 'delete');
    expect(remove.responses['204']?.content).toBeUndefined();
    expect(remove.requestBody).toBeUndefined();
  });

  it.each(Object.keys(resources))(
    'documents the safe-write headers of %s: ETag, If-Match, If-None-Match, Idempotency-Key',
    (name) => {
      type Documented = Omit<Operation, 'parameters' | 'responses'> & {
        parameters?: { name: string; in: string; description?: string; example?: string }[];
        responses: Record<string, { headers?: Record<string, { schema: { example: string } }> }>;
      };
      const item = (method: string) =>
        operation(`/api/{user_id}/${name}/{id}`, method) as unknown as Documented;
      const create = operation(`/api/{user_id}/${name}`, 'post') as unknown as Documented;
      const header = (op: Documented, parameter: string) =>
        op.parameters?.find((p) => p.in === 'header' && p.name === parameter);

      expect(header(item('get'), 'if-none-match')).toMatchObject({ example: '"3"' });
      expect(item('get').responses['200']?.headers?.ETag?.schema.example).toBe('"3"');
      expect(item('get').responses).toHaveProperty('304');
      for (const method of ['put', 'patch', 'delete']) {
        const op = item(method);
        expect(header(op, 'if-match')?.description, method).toMatch(/412/);
        expect(op.responses['412']?.headers, method).toHaveProperty('ETag');
        expect(op.responses, method).toHaveProperty('428');
      }
      expect(header(create, 'idempotency-key')?.description).toMatch(/24 hours/);
      expect(create.responses['201']?.headers).toHaveProperty('Idempotent-Replayed');
      expect(create.responses['201']?.headers).toHaveProperty('ETag');
      expect(create.responses['409']?.headers).toHaveProperty('Retry-After');
      expect(create.responses).toHaveProperty('422');
    },
  );

  it('tags every operation with its resource and gives each a unique id and a summary', () => {
    const ids = new Set<string>();
    for (const { group, path, method } of declared) {
      const op = operation(path, method);
      expect(op.tags).toEqual([group]);
      expect(op.summary!.length).toBeGreaterThan(5);
      expect(op.operationId).toEqual(expect.any(String));
      ids.add(op.operationId!);
    }
    for (const { resource, path, method } of resourceRoutes) {
      expect(operation(path, method).summary).toContain(resources[resource].singular);
    }
    expect(ids.size).toBe(declared.length);
  });

  it('documents timestamps as date-time strings', () => {
    const created = operation('/api/{user_id}/tasks', 'post').responses['201'] as unknown as {
      content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
    };
    const { properties } = created.content['application/json'].schema;
    for (const field of ['created_at', 'updated_at']) {
      expect(properties[field]).toMatchObject({ type: 'string', format: 'date-time' });
    }
  });

  it('documents the field limits of a write body', () => {
    const body = operation('/api/{user_id}/tasks', 'post').requestBody as unknown as {
      content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
    };
    const { properties } = body.content['application/json'].schema;
    expect(properties.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(properties.description).toMatchObject({ maxLength: 1000, nullable: true });
  });

  it('documents the path parameters as required, and the condition headers as optional', () => {
    const item = operation('/api/{user_id}/tasks/{id}', 'get');
    expect(item.parameters?.map((p) => [p.name, p.in, p.required ?? false])).toEqual([
      ['user_id', 'path', true],
      ['id', 'path', true],
      ['if-none-match', 'header', false],
    ]);
    const collection = operation('/api/{user_id}/tasks', 'post');
    expect(collection.parameters?.map((p) => [p.name, p.in, p.required ?? false])).toEqual([
      ['user_id', 'path', true],
      ['idempotency-key', 'header', false],
    ]);
  });

  it("documents every list's query parameters: paging, sort values, filters and q", () => {
    type Parameter = {
      name: string;
      in: string;
      required?: boolean;
      schema?: Record<string, unknown>;
    };
    const params = (name: string) =>
      new Map(
        (operation(`/api/{user_id}/${name}`, 'get').parameters as Parameter[])
          .filter((p) => p.in === 'query')
          .map((p) => [p.name, p]),
      );
    const tasksList = params('tasks');
    // Every list takes ranges of the times every item has.
    const times = ['created_at', 'updated_at'].flatMap((time) =>
      ['gt', 'gte', 'lt', 'lte'].map((operator) => `${time}[${operator}]`),
    );
    expect([...tasksList.keys()].sort()).toEqual(
      ['complete', 'count', 'cursor', 'limit', 'project_id', 'q', 'sort', ...times].sort(),
    );
    expect([...params('projects').keys()].sort()).toEqual(
      ['archived', 'count', 'cursor', 'limit', 'q', 'sort', ...times].sort(),
    );
    expect([...params('notes').keys()].sort()).toEqual(
      ['count', 'cursor', 'limit', 'pinned', 'q', 'sort', ...times].sort(),
    );
    for (const p of tasksList.values()) expect(p.required, p.name).toBeFalsy();
    expect(tasksList.get('limit')?.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 50,
    });
    expect(tasksList.get('sort')?.schema?.enum).toEqual(
      expect.arrayContaining(['created_at', '-created_at', 'title', '-title', 'id', '-updated_at']),
    );
    expect(tasksList.get('sort')?.schema?.enum).not.toContain('description');
    expect(tasksList.get('complete')?.schema).toMatchObject({ enum: ['true', 'false'] });
    expect(tasksList.get('project_id')?.schema?.pattern).toContain('null');
    expect(tasksList.get('q')?.schema).toMatchObject({ minLength: 1, maxLength: 200 });
  });

  it('gives every write a required JSON body with an example the route accepts', () => {
    const bodies = [
      ['post', '/api/{user_id}/tasks', tasks.schemas.create],
      ['put', '/api/{user_id}/tasks/{id}', tasks.schemas.replace],
      ['patch', '/api/{user_id}/tasks/{id}', tasks.schemas.patch],
    ] as const;
    for (const [method, path, schema] of bodies) {
      const body = operation(path, method).requestBody;
      expect(body?.required, `${method} ${path} body is required`).toBe(true);
      const json = body?.content['application/json'];
      expect(json?.schema).toEqual(expect.any(Object));
      expect(json?.example, `${method} ${path} has a request example`).toBeDefined();
      expect(schema.safeParse(json?.example).success).toBe(true);
    }
    const createExample = operation('/api/{user_id}/tasks', 'post').requestBody?.content[
      'application/json'
    ]?.example;
    expect(createExample).toEqual((contract.tasks.create.metadata as RouteMetadata).requestExample);
  });

  it('gives every JSON response an example that matches its own schema', () => {
    for (const d of declared) {
      const op = operation(d.path, d.method);
      for (const [status, response] of Object.entries(op.responses)) {
        const json = response.content?.['application/json'];
        // No body: deleted, or not modified.
        if (status === '204' || status === '304') continue;
        const stream = response.content?.['text/event-stream'];
        if (stream !== undefined) {
          expect(stream.example, `${d.name} ${status} example`).toMatch(
            /^: .*\nid: .*\n\nid: .*\nevent: change\ndata: \{/,
          );
          continue;
        }
        expect(json?.example, `${d.name} ${status} example`).toBeDefined();
        const code = Number(status);
        if (code >= 400) {
          expect(ErrorBodySchema.parse(json?.example)).toMatchObject({ status_code: code });
        } else {
          const schema = d.route.responses[code as ErrorStatus] as {
            safeParse(value: unknown): { success: boolean };
          };
          expect(schema.safeParse(json?.example).success, `${d.name} ${status}`).toBe(true);
        }
      }
    }
    const list = operation('/api/{user_id}/tasks', 'get').responses['200']?.content?.[
      'application/json'
    ]?.example as { tasks: unknown[]; count: number };
    expect(list.count).toBe(list.tasks.length);
  });
});
