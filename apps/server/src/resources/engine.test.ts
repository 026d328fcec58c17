import { describe } from 'vitest';
import { describeResource } from '../../test/resource-suite.js';
import type { SuiteResource } from '../../test/resource-fixtures.js';
import { specimens } from '../../test/specimens.js';

// The engine written once for every resource, tested once, thoroughly, against a resource
// that has a field of every kind (test/specimens.ts): writes and reads, every invalid body,
// isolation between users, authentication, lists (sorts, filters, ranges, cursors, q),
// conditional requests and idempotent creates. A registered resource adds only what is its
// own (registered-resources.test.ts and its folder's tests).
describe('the resource engine', () => describeResource(specimens as unknown as SuiteResource));
