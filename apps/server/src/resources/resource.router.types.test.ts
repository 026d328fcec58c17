import { errorBody } from '@enclave/contract';
import { describe, expect, it } from 'vitest';
import type { ResourceHandlers } from './resource.router.js';

// The handlers are written once for every resource; these lines are compiled with the rest
// (npm run typecheck), so each @ts-expect-error proves the compiler still checks them against
// the routes' request and response types. An unused one fails the typecheck.
const item = {
  id: 1,
  user_id: 'u',
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T09:30:00.000Z',
};

export const checks: Partial<ResourceHandlers>[] = [
  // @ts-expect-error GET of an item cannot answer 201
  { get: () => Promise.resolve({ status: 201, body: item }) },
  // @ts-expect-error an item is an object
  { get: () => Promise.resolve({ status: 200, body: 'the item' }) },
  // @ts-expect-error DELETE answers 204 without a body, not 200
  { remove: () => Promise.resolve({ status: 200, body: item }) },
  // @ts-expect-error a list's count is a number
  { list: () => Promise.resolve({ status: 200, body: { count: '1', next_cursor: null } }) },
  // @ts-expect-error params.id is a number already parsed, not text
  { get: ({ params }) => Promise.resolve({ status: 404, body: errorBody(404, params.id) }) },
  { get: () => Promise.resolve({ status: 200, body: item }) },
  { remove: () => Promise.resolve({ status: 204, body: undefined }) },
];

describe('resource handlers', () => {
  it('are type-checked against the routes (see the @ts-expect-error lines above)', () => {
    expect(checks).toHaveLength(7);
  });
});
