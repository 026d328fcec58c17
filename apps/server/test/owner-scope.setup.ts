import { resources } from '@enclave/contract';
import { afterAll, expect } from 'vitest';
import { unscopedStatements } from './owner-scope.js';
import { recordedStatements } from './sql-recorder.js';

// Runs after every test file of the suite: whatever the file made the server do, each
// statement over an owned table must be confined to one owner (docs/scaling.md).
afterAll(() => {
  const tables = Object.keys(resources);
  expect(unscopedStatements(recordedStatements(), tables)).toEqual([]);
});
