import { resources } from '@enclave/contract';
import { afterAll, expect } from 'vitest';
import { CHANGES_HIGH_WATER, CHANGES_SINCE } from '../src/changes/change-wakeups.js';
import { CHANGES_SWEEP } from '../src/changes/changes-sweep.js';
import { EXPIRED_KEYS_SWEEP } from '../src/idempotency/expired-keys-sweep.js';
import { unscopedStatements } from './owner-scope.js';
import { recordedStatements } from './sql-recorder.js';
import { TEST_RESOURCES } from './test-schema.js';

// Every resource's table, and the answers stored for Idempotency-Keys, which are owned too.
const OWNED_TABLES = [
  ...Object.keys(resources),
  ...TEST_RESOURCES.map(({ name }) => name),
  'idempotency_keys',
  'changes',
  'change_horizons',
];

// Statements that span owners on purpose, by their exact text: the sweeps (expiry and
// retention are the same for all) and the change streams' safety poll (which owners wrote).
const EXEMPT = new Set([EXPIRED_KEYS_SWEEP, CHANGES_SWEEP, CHANGES_HIGH_WATER, CHANGES_SINCE]);

// Runs after every test file of the suite: whatever the file made the server do, each
// statement over an owned table must be confined to one owner (docs/scaling.md), but those
// of EXEMPT.
afterAll(() => {
  const statements = recordedStatements().filter(({ sql }) => !EXEMPT.has(sql));
  expect(unscopedStatements(statements, OWNED_TABLES)).toEqual([]);
});
