import type { Db } from '../db/schema.js';
import { toAccount } from '../accounts/accounts.repository.js';
import type { RegisteredResource } from '../resources/generic-resource.js';
import { resourceColumns } from '../resources/resource-columns.js';

/** Rows read per statement: a page of keyset reads, so memory holds one page at a time. */
const BATCH = 500;

type Exported = Pick<RegisteredResource, 'name' | 'fields'>;

/**
 * All of a user's data as JSON text, piece by piece: `{"exported_at", "user", "<resource>":
 * [items…], …}`. Read in one REPEATABLE READ, read-only transaction (one snapshot, however
 * long the download takes), each resource by keyset pages on its id, each item selected as
 * its routes answer it. Nothing is built whole in memory; stopping the iteration (the client
 * went away) ends the transaction.
 */
export async function* exportUserData(
  db: Db,
  resources: readonly Exported[],
  userId: string,
  accounts: boolean,
): AsyncGenerator<string> {
  const trx = await db
    .startTransaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute();
  try {
    const account = accounts
      ? await trx
          .selectFrom('accounts')
          .select(['id', 'email', 'email_verified', 'created_at'])
          .where('id', '=', userId)
          .executeTakeFirst()
      : undefined;
    const user = account === undefined ? null : toAccount(account);
    yield `{"exported_at":${JSON.stringify(new Date().toISOString())},"user":${JSON.stringify(user)}`;
    for (const resource of resources) {
      const columns = resourceColumns(resource);
      yield `,${JSON.stringify(resource.name)}:[`;
      let after = 0;
      let first = true;
      for (;;) {
        // The table is known only by name here; its columns come from its declaration.
        const rows = (await trx
          .selectFrom(resource.name as 'tasks')
          .select(columns.item() as ['id'])
          .where('user_id', '=', userId)
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute()) as { id: number }[];
        if (rows.length === 0) break;
        let chunk = '';
        for (const row of rows) {
          chunk += (first ? '' : ',') + JSON.stringify(row);
          first = false;
        }
        yield chunk;
        after = rows[rows.length - 1]!.id;
        if (rows.length < BATCH) break;
      }
      yield ']';
    }
    yield '}\n';
  } finally {
    // Read only: nothing to keep, and a rollback also ends a transaction cut short.
    await trx.rollback().execute();
  }
}
