#!/usr/bin/env node
// Scaffolds a resource: its contract declaration, its migration and its entry in the registry
// (packages/contract/src/registry.ts). Everything else (routes, table types, server routers,
// OpenAPI, the behaviour test suite) is derived from the registry. The result passes lint,
// typecheck and the generated suite before any hand edit; then edit the fields (declaration,
// migration) to what the resource really holds.
//
//   npm run new:resource -- <plural-name> [--singular <name>]   e.g. ... -- widgets
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Names the contract or the server already use for something else.
const RESERVED = new Set([
  'auth',
  'health',
  'docs',
  'openapi',
  'api',
  'accounts',
  'resources',
  'registry',
  'db',
  'http',
]);

function fail(message) {
  console.error(`new:resource: ${message}`);
  process.exit(1);
}

function parseArguments(argv) {
  const args = argv.filter((arg) => arg !== '--');
  const name = args[0];
  const singularAt = args.indexOf('--singular');
  if (name === undefined || name.startsWith('-')) {
    fail('usage: npm run new:resource -- <plural-name> [--singular <name>]');
  }
  if (!/^[a-z][a-z0-9_]{1,39}$/.test(name)) {
    fail(`"${name}" must be lowercase letters, digits and _ (2-40), starting with a letter`);
  }
  if (RESERVED.has(name)) fail(`"${name}" is reserved`);
  const singular = singularAt === -1 ? name.replace(/s$/, '') : args[singularAt + 1];
  if (!singular || !/^[a-z][a-z0-9_ ]*$/.test(singular) || singular === name) {
    fail('give a singular different from the plural name: --singular <name>');
  }
  return { name, singular };
}

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, char) => char.toUpperCase());
const pascal = (name) => camel(name).charAt(0).toUpperCase() + camel(name).slice(1);
const file = (relative) => path.join(root, relative);

function write(relative, content) {
  if (existsSync(file(relative))) fail(`${relative} already exists`);
  mkdirSync(path.dirname(file(relative)), { recursive: true });
  writeFileSync(file(relative), content);
  return relative;
}

// Inserts `line` above the marker comment `// new:resource <what>` of a registry file.
function register(relative, what, line) {
  const text = readFileSync(file(relative), 'utf8');
  const marker = new RegExp(`^([ \\t]*)// new:resource ${what}$`, 'm');
  const match = marker.exec(text);
  if (match === null) fail(`${relative} has no "// new:resource ${what}" line`);
  const indented = line
    .split('\n')
    .map((part) => match[1] + part)
    .join('\n');
  writeFileSync(file(relative), text.replace(marker, `${indented}\n${match[0]}`));
  return relative;
}

function nextMigrationNumber() {
  const numbers = readdirSync(file('apps/server/src/db/migrations'))
    .map((entry) => Number(entry.slice(0, 4)))
    .filter(Number.isInteger);
  return String(Math.max(0, ...numbers) + 1).padStart(4, '0');
}

const { name, singular } = parseArguments(process.argv.slice(2));
const id = camel(name);
const Type = pascal(singular.replace(/ /g, '_'));
if (existsSync(file(`packages/contract/src/${name}.ts`))) {
  fail(`a resource named ${name} is already declared`);
}
const migration = `${nextMigrationNumber()}-create-${name.replace(/_/g, '-')}`;

const contractFile = `import { z } from 'zod';
import { text } from './fields.js';
import { defineResource } from './resource.js';

/** ${pascal(name)}: a title, an optional description and a done flag, owned by one user. */
export const ${id} = defineResource({
  name: '${name}',
  singular: '${singular}',
  fields: {
    title: text(1, 200),
    description: text(0, 2000).nullable(),
    done: z.boolean(),
  },
  defaults: { description: null, done: false },
  // unique: ['title'] would make a repeated title a 409 (the migration then adds the
  // constraint ${name}_user_id_title_key on (user_id, title)); references: { field: 'projects' }
  // makes an id that is not one of the owner's projects a 400 (foreign key
  // ${name}_user_id_<field>_fkey on (user_id, <field>) referencing projects (user_id, id)).
  list: {
    sortable: ['title'],
    filterable: ['done'],
    searchable: ['title', 'description'],
  },
  example: { title: 'An example ${singular}', description: 'What it is about', done: false },
});

export type ${Type} = z.infer<typeof ${id}.schemas.response>;
export type ${Type}Create = z.input<typeof ${id}.schemas.create>;
export type ${Type}Replace = z.input<typeof ${id}.schemas.replace>;
export type ${Type}Patch = z.input<typeof ${id}.schemas.patch>;
export type ${Type}ListQuery = z.input<typeof ${id}.schemas.listQuery>;
`;

const migrationFile = `import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('${name}')
    .addColumn('id', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('done', 'boolean', (col) => col.notNull().defaultTo(false))
    // The item's ETag: 1 when created, one more on every write (If-Match compares it).
    .addColumn('version', 'bigint', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', sql\`timestamptz(3)\`, (col) => col.notNull().defaultTo(sql\`now()\`))
    .addColumn('updated_at', sql\`timestamptz(3)\`, (col) => col.notNull().defaultTo(sql\`now()\`))
    // The owner leads every key, so the table can be distributed by owner (docs/scaling.md).
    .addPrimaryKeyConstraint('${name}_pkey', ['user_id', 'id'])
    .addCheckConstraint('${name}_user_id_length', sql\`char_length(user_id) between 1 and 255\`)
    .addCheckConstraint('${name}_title_length', sql\`char_length(title) between 1 and 200\`)
    .addCheckConstraint('${name}_description_length', sql\`char_length(description) <= 2000\`)
    .execute();
  // One index per sort order the list offers, each ending in id, the cursor's tie-breaker.
  for (const column of ['created_at', 'updated_at', 'title']) {
    await db.schema
      .createIndex(\`${name}_user_id_\${column}_id_idx\`)
      .on('${name}')
      .columns(['user_id', column, 'id'])
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('${name}').execute();
}
`;

const registry = 'packages/contract/src/registry.ts';
const touched = [
  write(`packages/contract/src/${name}.ts`, contractFile),
  write(`apps/server/src/db/migrations/${migration}.ts`, migrationFile),
  register(registry, 'imports here', `import { ${id} } from './${name}.js';`),
  // Keyed by the resource's name, as the URLs, the client, the tables and the routers are.
  register(registry, 'declares here', name === id ? `${id},` : `${name}: ${id},`),
  register(registry, 'exports here', `export * from './${name}.js';`),
];

const unique = [...new Set(touched)];
try {
  execFileSync(path.join(root, 'node_modules/.bin/prettier'), ['--write', ...unique], {
    cwd: root,
    stdio: 'ignore',
  });
} catch {
  console.error('new:resource: prettier did not run; format the files before committing');
}
console.log(`new:resource: ${name} scaffolded. Files written or changed:`);
for (const relative of unique) console.log(`  ${relative}`);
console.log(`Next: edit the fields in packages/contract/src/${name}.ts and the migration to match,
then run: npx vitest run apps/server/src/resources/registered-resources.test.ts -t ${name}`);
