import { resources } from '@enclave/contract';
import { describe } from 'vitest';
import { describeResource } from '../../test/resource-suite.js';

// Every resource in the registry gets the whole behaviour suite, with no file of its own.
for (const resource of Object.values(resources)) {
  describe(resource.name, () => describeResource(resource));
}
