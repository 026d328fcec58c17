import type { ColumnType } from 'kysely';

/**
 * The answer stored for an Idempotency-Key (migration 0007): owned by one user like the
 * items it answers with, and written in the same transaction as the item.
 */
export interface IdempotencyKeysTable {
  user_id: string;
  route: string;
  key: string;
  fingerprint: string;
  status: number;
  body: string;
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: ColumnType<Date, never, never>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}
