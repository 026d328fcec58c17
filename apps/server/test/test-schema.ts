import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../src/db/migrate.js';
import { createTableStatements, tablePlan } from '../src/resources/resource-table.js';
import { specimens } from './specimens.js';

/** Resources the tests serve beside the registry's (harness.ts), with tables of their own. */
export const TEST_RESOURCES = [specimens] as const;

/** The run's schema: every migration, then the test resources' tables, from their plans. */
export async function prepareTestSchema<T>(db: Kysely<T>): Promise<void> {
  await migrateToLatest(db);
  for (const resource of TEST_RESOURCES) {
    for (const statement of createTableStatements(tablePlan(resource))) {
      await sql.raw(statement).execute(db);
    }
  }
}
