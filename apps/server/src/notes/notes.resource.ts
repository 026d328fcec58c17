import { notes } from '@enclave/contract';
import type { ServedResource } from '../resources/resource.router.js';

/** Notes as served: no rule of theirs can be broken beyond what the contract validates. */
export const servedNotes = { ...notes } satisfies ServedResource<typeof notes.routes>;
