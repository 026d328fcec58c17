import {
  changeTriggerStatement,
  versionTriggerStatement,
  type TablePlan,
} from '../resources/resource-table.js';

// A scaffolded resource's migration, written from its table plan as Kysely's schema builder
// writes a table, so it reads like the migrations written by hand and is edited the same way.

// Text inside a template literal (sql`…`): its backslashes, backticks and `${` stay text.
const template = (text: string) => text.replace(/[\\`]|\$\{/g, (match) => `\\${match}`);
const quoted = (text: string) => `'${text.replace(/[\\']/g, (match) => `\\${match}`)}'`;

// Kysely names these types itself; any other is written as SQL.
const PLAIN_TYPES = new Set(['bigint', 'integer', 'text', 'boolean', 'date', 'uuid', 'jsonb']);

function columnLine({ name, type, nullable, default: fallback }: TablePlan['columns'][number]) {
  const dataType = PLAIN_TYPES.has(type) ? quoted(type) : `sql\`${template(type)}\``;
  const modifiers: string[] = [];
  if (!nullable) modifiers.push('notNull()');
  if (name === 'id') modifiers.push('generatedAlwaysAsIdentity()');
  if (fallback !== undefined) {
    modifiers.push(
      /^\d+$/.test(fallback) || fallback === 'true' || fallback === 'false'
        ? `defaultTo(${fallback})`
        : `defaultTo(sql\`${template(fallback)}\`)`,
    );
  }
  const builder = modifiers.length === 0 ? '' : `, (col) => col.${modifiers.join('.')}`;
  return `    .addColumn(${quoted(name)}, ${dataType}${builder})`;
}

/** The source of apps/server/src/db/migrations/<number>-create-<name>.ts. */
export function migrationSource(plan: TablePlan, declarationFile: string): string {
  const { table } = plan;
  const lines = [
    ...plan.columns.map(columnLine),
    '    // The owner leads every key, so the table can be distributed by owner (docs/scaling.md).',
    `    .addPrimaryKeyConstraint(${quoted(`${table}_pkey`)}, ['user_id', 'id'])`,
    ...plan.unique.map(
      ({ name, column }) =>
        `    .addUniqueConstraint(${quoted(name)}, ['user_id', ${quoted(column)}])`,
    ),
    '    // The API checks these first; the database holds them too, so no other writer can store',
    '    // what the API could not serve back.',
    ...plan.checks.map(
      ({ name, condition }) =>
        `    .addCheckConstraint(${quoted(name)}, sql\`${template(condition)}\`)`,
    ),
  ];
  const references = plan.references.map(
    ({ name, column, target, onDelete }) =>
      `  await sql\`alter table ${table} add constraint ${name}\n    foreign key (user_id, ${column}) references ${target} (user_id, id)\n    on delete ${template(onDelete)}\`.execute(db);`,
  );
  const indexed = plan.indexes.map(({ column }) => quoted(column)).join(', ');
  return `import { sql, type Kysely } from 'kysely';

// Written by \`npm run new:resource\` from the declaration in
// ${declarationFile}. A test (registered-resources.test.ts) compares
// the table with that declaration: change both together.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable(${quoted(table)})
${lines.join('\n')}
    .execute();
${references.length > 0 ? `  // A reference names an item of the same owner only.\n${references.join('\n')}\n` : ''}  // One index per sort order and filter a list offers, each ending in id, the cursor's tie-breaker.
  for (const column of [${indexed}]) {
    await db.schema
      .createIndex(\`${table}_user_id_\${column}_id_idx\`)
      .on(${quoted(table)})
      .columns(['user_id', column, 'id'])
      .execute();
  }
  // Every write of an item goes into the change log (docs/changes.md), and moves its version.
  await sql.raw(${quoted(changeTriggerStatement(table))}).execute(db);
  await sql.raw(${quoted(versionTriggerStatement(table))}).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable(${quoted(table)}).execute();
}
`;
}
