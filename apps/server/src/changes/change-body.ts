import type { Change } from '@enclave/contract';
import type { GenericItem } from '../resources/generic-resource.js';
import type { ChangeRow } from './changes.repository.js';

/** A change as the API shows it, in the sync feed and on the stream alike. */
export function changeBody(row: ChangeRow & { item: GenericItem | null }, cursor: string): Change {
  // The contract's union is over the registry's resources; the engine's rows are of any.
  return {
    cursor,
    resource: row.resource,
    id: Number(row.item_id),
    op: row.op,
    version: Number(row.version),
    at: row.at,
    item: row.op === 'deleted' ? null : row.item,
  } as Change;
}

/** A cursor the retention sweep has passed (410), on the sync feed and the stream alike. */
export const GONE_MESSAGE =
  'Changes after this cursor are no longer kept; re-read your lists and start again without a cursor';
