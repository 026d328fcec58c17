import type { Resources } from '@enclave/contract';
import type { Kysely } from 'kysely';
import type { AccountTables } from './tables/account-tables.js';
import type { ChangeHorizonsTable, ChangesTable } from './tables/change-tables.js';
import type { IdempotencyKeysTable } from './tables/idempotency-table.js';
import type { MailTables } from './tables/mail-tables.js';
import type { OwnedTable } from './tables/owned-table.js';

/** The table of every registered resource, named as the resource, typed from its declaration. */
export type OwnedTables = { [K in keyof Resources]: OwnedTable<Resources[K]> };

/** Every table the server uses. */
export type Database = OwnedTables &
  AccountTables &
  MailTables & {
    idempotency_keys: IdempotencyKeysTable;
    changes: ChangesTable;
    change_horizons: ChangeHorizonsTable;
  };

export type Db = Kysely<Database>;

/** Tables whose every row belongs to one user: each statement on them names the owner. */
export type OwnedTableName = keyof OwnedTables;
