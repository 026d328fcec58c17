import { resources } from '@enclave/contract';
import { afterAll, expect } from 'vitest';
import { EXPIRED_KEYS_SWEEP } from '../src/idempotency/expired-keys-sweep.js';
import { unscopedStatements } from './owner-scope.js';
import { recordedStatements } from './sql-recorder.js';
import { TEST_RESOURCES } from './test-schema.js';

// Every resource's table, and the answers stored for Idempotency-Keys, which are owned too.
const OWNED_TABLES = [
  ...Object.keys(resources),
  ...TEST_RESOURCES.map(({ name }) => name),
  'idempotency_keys',
];

// Runs after every test file of the suite: whatever the file made the server do, each
// statement over an owned table must be confined to one owner (docs/scaling.md). The one
// exception is the sweep of expired keys, by this exact text: expiry spans owners on purpose.
afterAll(() => {
  const statements = recordedStatements().filter(({ sql }) => sql !== EXPIRED_KEYS_SWEEP);
  expect(unscopedStatements(statements, OWNED_TABLES)).toEqual([]);
});
