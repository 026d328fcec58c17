import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { PER_USER_TABLES } from '../db/tables/per-user-tables.js';
import type { RegisteredResource } from '../resources/generic-resource.js';
import { deletionOrder } from './deletion-order.js';

/**
 * Deletes every row `userId` owns, in the caller's transaction: each resource's (the registry
 * says which, so a scaffolded resource is included with no code of its own) and each per-user
 * table's. Every statement names the owner.
 */
export async function deleteUserData(
  trx: Transaction<Database>,
  resources: readonly Pick<RegisteredResource, 'name' | 'fields'>[],
  userId: string,
): Promise<void> {
  const tables = [...deletionOrder(resources).map(({ name }) => name), ...PER_USER_TABLES];
  for (const table of tables) {
    await sql`delete from ${sql.table(table)} where ${sql.ref('user_id')} = ${userId}`.execute(trx);
  }
}
