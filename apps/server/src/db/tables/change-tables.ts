import type { ColumnType, Generated } from 'kysely';

/** What a change did to its item. */
export type ChangeOp = 'created' | 'updated' | 'deleted';

/**
 * One change of one item (migration 0010), written by the resource tables' trigger in the
 * transaction that wrote the item; never updated, deleted by the retention sweep.
 */
export interface ChangesTable {
  user_id: string;
  position: Generated<number>;
  resource: string;
  item_id: number;
  op: ChangeOp;
  version: number;
  at: ColumnType<Date, never, never>;
}

/** Per owner, the highest position the retention sweep has deleted. */
export interface ChangeHorizonsTable {
  user_id: string;
  position: number;
}
