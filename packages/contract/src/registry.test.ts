import type { AppRoute } from '@ts-rest/core';
import { describe, expect, it } from 'vitest';
import { contract } from './contract.js';
import { conflict, invalidRequest, notFoundMessage } from './errors.js';
import type { RouteMetadata } from './resource.js';
import { resources } from './registry.js';

describe('the registry', () => {
  it('is where the contract takes its resources from, each under its own name', () => {
    expect(Object.keys(contract).sort()).toEqual(
      ['auth', 'accountMail', 'changes', 'health', 'userData', ...Object.keys(resources)].sort(),
    );
    for (const [name, resource] of Object.entries(resources)) {
      expect(resource.name).toBe(name);
      const served = contract[name as keyof typeof resources];
      const routes: Record<string, AppRoute> = resource.routes;
      for (const [key, route] of Object.entries(routes)) {
        expect(served[key as keyof typeof served]).toMatchObject({
          method: route.method,
          path: route.path,
          responses: route.responses,
        });
      }
    }
  });

  it("gives each resource's routes its own 404 (and 409) example", () => {
    for (const resource of Object.values(resources)) {
      const metadata = resource.routes.get.metadata as RouteMetadata;
      expect(metadata.errorMessages?.[404]).toBe(notFoundMessage(resource.singular));
    }
    const projectWrite = resources.projects.routes.update.metadata as RouteMetadata;
    expect(projectWrite.errorMessages?.[409]).toBe(
      'Conflict: body.name is already the name of another of your projects',
    );
    expect((resources.tasks.routes.update.metadata as RouteMetadata).errorMessages?.[409]).toBe(
      undefined,
    );
  });
});

describe('error builders', () => {
  it('name every failing field in the message and in details', () => {
    const details = [
      { path: 'body.title', message: 'is required' },
      { path: 'query.limit', message: 'must be a whole number from 1 to 100' },
    ];
    expect(invalidRequest(details)).toEqual({
      error: 'Bad Request',
      message:
        'Invalid request: body.title: is required; query.limit: must be a whole number from 1 to 100',
      status_code: 400,
      details,
    });
    expect(conflict({ path: 'body.email', message: 'is already registered' })).toEqual({
      error: 'Conflict',
      message: 'Conflict: body.email is already registered',
      status_code: 409,
      details: [{ path: 'body.email', message: 'is already registered' }],
    });
    expect(notFoundMessage('task')).toBe('Task not found');
  });
});
