import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTableStatements, tablePlan } from '../resources/resource-table.js';
import { readCatalog } from '../../test/table-catalog.js';
import { parseFieldArguments } from './field-arguments.js';
import { scaffoldResource } from './scaffold-files.js';
import { scaffoldedDeclaration } from './resource-source.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('field arguments', () => {
  it('read every kind, with its arguments, and a trailing ? for an optional field', () => {
    expect(
      parseFieldArguments([
        'title:text',
        'note:text(0,500)?',
        'mail:email',
        'site:url?',
        'key:uuid',
        'n:integer',
        'stars:integer(1,5)',
        'amount:decimal(10,2)',
        'done:boolean',
        'on:date',
        'at:timestamp?',
        'kind:enum(food|travel|other)',
        'data:json',
        'project_id:ref(projects)?',
      ]),
    ).toEqual([
      { name: 'title', call: { kind: 'text', min: 1, max: 200 }, nullable: false },
      { name: 'note', call: { kind: 'text', min: 0, max: 500 }, nullable: true },
      { name: 'mail', call: { kind: 'email' }, nullable: false },
      { name: 'site', call: { kind: 'url' }, nullable: true },
      { name: 'key', call: { kind: 'uuid' }, nullable: false },
      { name: 'n', call: { kind: 'integer' }, nullable: false },
      { name: 'stars', call: { kind: 'integer', min: 1, max: 5 }, nullable: false },
      { name: 'amount', call: { kind: 'decimal', precision: 10, scale: 2 }, nullable: false },
      { name: 'done', call: { kind: 'boolean' }, nullable: false },
      { name: 'on', call: { kind: 'date' }, nullable: false },
      { name: 'at', call: { kind: 'timestamp' }, nullable: true },
      {
        name: 'kind',
        call: { kind: 'enumeration', values: ['food', 'travel', 'other'] },
        nullable: false,
      },
      { name: 'data', call: { kind: 'json' }, nullable: false },
      { name: 'project_id', call: { kind: 'reference', resource: 'projects' }, nullable: true },
    ]);
  });

  it.each([
    ['title', 'is not <field>:<kind>'],
    ['title:string', 'unknown kind string'],
    ['amount:decimal', 'decimal needs (precision,scale)'],
    ['amount:decimal(2,3)', '0 <= scale <= precision'],
    ['stars:integer(5,1)', 'min <= max'],
    ['note:text(5,2)', 'text(min,max) needs'],
    ['note:text(a,2)', "text's min must be a whole number"],
    ['done:boolean(1)', 'boolean takes no arguments'],
    ['kind:enum(a|a)', 'distinct values'],
    ["kind:enum(it's)", 'distinct values'],
    ['Title:text', 'a field name is lowercase'],
    ['created_at:timestamp', 'every item has this field already'],
    ['q:text', 'a list parameter takes it'],
  ])('refuse %s, saying why', (argument, message) => {
    expect(() => parseFieldArguments([argument])).toThrow(message);
  });

  it('refuse a field declared twice', () => {
    expect(() => parseFieldArguments(['a:text', 'a:date'])).toThrow('a: declared twice');
  });
});

/** A checkout holding what the scaffold reads and writes: the registry and the migrations. */
function scratchCheckout(): string {
  const scratch = mkdtempSync(path.join(tmpdir(), 'enclave-scaffold-'));
  mkdirSync(path.join(scratch, 'packages/contract/src'), { recursive: true });
  cpSync(
    path.join(root, 'packages/contract/src/registry.ts'),
    path.join(scratch, 'packages/contract/src/registry.ts'),
  );
  cpSync(
    path.join(root, 'apps/server/src/db/migrations'),
    path.join(scratch, 'apps/server/src/db/migrations'),
    { recursive: true },
  );
  // So the migration written there finds kysely as the server's own do.
  symlinkSync(
    path.join(root, 'apps/server/node_modules'),
    path.join(scratch, 'apps/server/node_modules'),
  );
  return scratch;
}

const EVERY_KIND = [
  'amount:decimal(10,2)',
  'spent_on:date',
  'category:enum(food|travel|other)',
  'receipt:url?',
  'note:text(0,500)?',
  'title:text(1,120)',
  'mail:email?',
  'key:uuid',
  'stars:integer(1,5)',
  'count_of:integer?',
  'paid:boolean',
  'at:timestamp?',
  'data:json?',
  'project_id:ref(projects)?',
  'parent_id:ref(ledgers)',
];

describe('the scaffold', () => {
  it('writes a declaration, the next migration and the registry lines, and nothing else', () => {
    const scratch = scratchCheckout();
    const before = readdirSync(path.join(scratch, 'apps/server/src/db/migrations')).length;
    const written = scaffoldResource(scratch, {
      name: 'ledgers',
      fields: EVERY_KIND,
      known: ['projects'],
    });
    const migrations = readdirSync(path.join(scratch, 'apps/server/src/db/migrations'));
    expect(migrations).toHaveLength(before + 1);
    const migration = migrations.sort().at(-1)!;
    expect(migration).toMatch(/^\d{4}-create-ledgers\.ts$/);
    expect(written).toEqual([
      'packages/contract/src/ledgers.ts',
      `apps/server/src/db/migrations/${migration}`,
      'packages/contract/src/registry.ts',
    ]);
    const registry = readFileSync(path.join(scratch, 'packages/contract/src/registry.ts'), 'utf8');
    expect(registry).toContain(
      "import { ledgers } from './ledgers.js';\n// new:resource imports here",
    );
    expect(registry).toContain('  ledgers,\n  // new:resource declares here');
    expect(registry).toContain("export * from './ledgers.js';\n// new:resource exports here");
    const declaration = readFileSync(path.join(scratch, written[0]!), 'utf8');
    expect(declaration).toContain('amount: decimal(10, 2),');
    expect(declaration).toContain('receipt: url().nullable(),');
    expect(declaration).toContain(
      "category: enumeration(['food', 'travel', 'other'])".replaceAll("'", '"'),
    );
    expect(declaration).toContain('parent_id: reference("ledgers"),');
  });

  it.each([
    [{ name: 'auth', fields: [] }, '"auth" is reserved'],
    [{ name: 'Ledgers', fields: [] }, 'must be lowercase letters'],
    [{ name: 'ledgers', singular: 'ledgers', fields: [] }, 'give a singular different'],
    [{ name: 'ledgers', fields: ['p:ref(nothing)'] }, 'ref(nothing) names no resource'],
  ])('refuses %j, saying why, and writes nothing', (request, message) => {
    const scratch = scratchCheckout();
    const registry = readFileSync(path.join(scratch, 'packages/contract/src/registry.ts'), 'utf8');
    expect(() => scaffoldResource(scratch, { known: ['projects'], ...request })).toThrow(message);
    expect(readFileSync(path.join(scratch, 'packages/contract/src/registry.ts'), 'utf8')).toBe(
      registry,
    );
  });

  it('changes nothing when the same command ran before, so a walkthrough can run again', () => {
    const scratch = scratchCheckout();
    const request = { name: 'ledgers', fields: ['amount:decimal(10,2)'], known: [] };
    expect(scaffoldResource(scratch, request)).toHaveLength(3);
    const registry = readFileSync(path.join(scratch, 'packages/contract/src/registry.ts'), 'utf8');
    expect(scaffoldResource(scratch, request)).toEqual([]);
    expect(readFileSync(path.join(scratch, 'packages/contract/src/registry.ts'), 'utf8')).toBe(
      registry,
    );
    expect(() =>
      scaffoldResource(scratch, { ...request, fields: ['amount:decimal(12,2)'] }),
    ).toThrow('a resource named ledgers is already declared');
  });

  it('refuses a name already declared', () => {
    const scratch = scratchCheckout();
    writeFileSync(path.join(scratch, 'packages/contract/src/ledgers.ts'), '');
    expect(() => scaffoldResource(scratch, { name: 'ledgers', fields: [], known: [] })).toThrow(
      'a resource named ledgers is already declared',
    );
  });

  it('writes a migration that makes exactly the table its declaration describes', async () => {
    const scratch = scratchCheckout();
    const [, migrationFile] = scaffoldResource(scratch, {
      name: 'ledgers',
      fields: EVERY_KIND,
      known: ['projects'],
    });
    const migration = (await import(path.join(scratch, migrationFile!))) as {
      up: (db: unknown) => Promise<void>;
      down: (db: unknown) => Promise<void>;
    };
    const { db } = await openDatabase({ url: undefined, dataDir: 'memory://', poolMax: 1 });
    try {
      await migrateToLatest(db);
      await migration.up(db);
      await sql.raw('create schema expected').execute(db);
      const plan = tablePlan(scaffoldedDeclaration('ledgers', parseFieldArguments(EVERY_KIND)));
      for (const statement of createTableStatements(plan, 'expected'))
        await sql.raw(statement).execute(db);
      expect(await readCatalog(db, 'public', 'ledgers')).toEqual(
        await readCatalog(db, 'expected', 'ledgers'),
      );
      await migration.down(db);
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_tables where tablename = 'ledgers' and schemaname = 'public'`.execute(
        db,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await db.destroy();
    }
  });
});
