import { fieldSpecOf } from '@enclave/contract';
import type { z } from 'zod';

// The table a resource's declaration asks for, as one plan: the scaffold writes it into a new
// resource's migration, the tests create the engine's fixture table from it, and a test
// compares every registered resource's real table with it (read back from the catalog), so a
// migration that drifts from its declaration fails the suite.

/** What the plan reads of a declaration. */
export interface TableDeclaration {
  name: string;
  fields: z.ZodRawShape;
  defaults: Record<string, unknown>;
  unique?: readonly string[];
  list: { sortable: readonly string[]; filterable: readonly string[] };
}

export interface PlannedColumn {
  name: string;
  /** As a migration writes it, e.g. `numeric(10,2)`. */
  type: string;
  nullable: boolean;
  /** SQL of the column's default, if it has one. */
  default?: string;
}

export interface TablePlan {
  table: string;
  columns: PlannedColumn[];
  /** Named `<table>_<field>_<rule>`. */
  checks: { name: string; condition: string }[];
  unique: { name: string; column: string }[];
  references: { name: string; column: string; target: string; onDelete: string }[];
  /** Named `<table>_user_id_<column>_id_idx`, on (user_id, column, id). */
  indexes: { name: string; column: string }[];
}

/** A value as an SQL literal, for a column default. */
export function sqlLiteral(value: unknown): string {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return `'${JSON.stringify(value).replaceAll("'", "''")}'::jsonb`;
}

/**
 * The table of a declaration. Every table has an identity id, the owner, the fields, a
 * version and two times; the owner leads the primary key (user_id, id), so the table can be
 * distributed by owner (docs/scaling.md). A reference is a foreign key on (user_id, field), so
 * it can only name the same owner's item: a nullable one is emptied when that item goes, a
 * required one goes with it. Each sortable or filterable field gets an index (user_id, field,
 * id), the order a page reads and the cursor's tie-breaker, except a boolean filter: two
 * values split a list too coarsely for an index to pay for the writes it costs.
 */
export function tablePlan(declaration: TableDeclaration): TablePlan {
  const { name: table, fields, defaults } = declaration;
  const columns: PlannedColumn[] = [
    { name: 'id', type: 'bigint', nullable: false },
    { name: 'user_id', type: 'text', nullable: false },
  ];
  const checks = [
    { name: `${table}_user_id_length`, condition: 'char_length(user_id) between 1 and 255' },
  ];
  const references: TablePlan['references'] = [];
  const kinds = new Map<string, string>();
  for (const [field, schema] of Object.entries(fields)) {
    const spec = fieldSpecOf(schema);
    if (spec === undefined) throw new Error(`${table}.${field} has no kind`);
    kinds.set(field, spec.kind);
    const nullable = schema.isNullable();
    const value = defaults[field];
    columns.push({
      name: field,
      type: spec.columnType,
      nullable,
      ...(value === undefined || value === null ? {} : { default: sqlLiteral(value) }),
    });
    for (const { rule, condition } of spec.checks(field)) {
      checks.push({ name: `${table}_${field}_${rule}`, condition });
    }
    if (spec.references !== undefined) {
      references.push({
        name: `${table}_user_id_${field}_fkey`,
        column: field,
        target: spec.references,
        onDelete: nullable ? `set null (${field})` : 'cascade',
      });
    }
  }
  columns.push(
    { name: 'version', type: 'bigint', nullable: false, default: '1' },
    { name: 'created_at', type: 'timestamptz(3)', nullable: false, default: 'now()' },
    { name: 'updated_at', type: 'timestamptz(3)', nullable: false, default: 'now()' },
  );
  const indexed = ['created_at', 'updated_at', ...declaration.list.sortable];
  for (const field of declaration.list.filterable) {
    if (kinds.get(field) !== 'boolean') indexed.push(field);
  }
  return {
    table,
    columns,
    checks,
    unique: (declaration.unique ?? []).map((column) => ({
      name: `${table}_user_id_${column}_key`,
      column,
    })),
    references,
    indexes: [...new Set(indexed)].map((column) => ({
      name: `${table}_user_id_${column}_id_idx`,
      column,
    })),
  };
}

/**
 * The SQL that creates the plan's table in `schema` (the connection's default when absent).
 * A reference to the table itself stays in that schema; one to another resource names its
 * table as the migrations made it.
 */
export function createTableStatements(plan: TablePlan, schema?: string): string[] {
  const qualified = (table: string) => (schema === undefined ? table : `${schema}.${table}`);
  const table = qualified(plan.table);
  const columns = plan.columns.map((column) => {
    if (column.name === 'id') return 'id bigint generated always as identity';
    const nullity = column.nullable ? '' : ' not null';
    const fallback = column.default === undefined ? '' : ` default ${column.default}`;
    return `${column.name} ${column.type}${nullity}${fallback}`;
  });
  const constraints = [
    `constraint ${plan.table}_pkey primary key (user_id, id)`,
    ...plan.unique.map(({ name, column }) => `constraint ${name} unique (user_id, ${column})`),
    ...plan.checks.map(({ name, condition }) => `constraint ${name} check (${condition})`),
  ];
  const statements = [`create table ${table} (${[...columns, ...constraints].join(', ')})`];
  for (const { name, column, target, onDelete } of plan.references) {
    const referenced = target === plan.table ? table : target;
    statements.push(
      `alter table ${table} add constraint ${name} foreign key (user_id, ${column}) ` +
        `references ${referenced} (user_id, id) on delete ${onDelete}`,
    );
  }
  for (const { name, column } of plan.indexes) {
    statements.push(`create index ${name} on ${table} (user_id, ${column}, id)`);
  }
  statements.push(changeTriggerStatement(table), versionTriggerStatement(table));
  return statements;
}

/**
 * The trigger that moves an item's version (and updated_at) on a write that did not (a foreign
 * key's SET NULL, a write from outside the API), so its ETag and its change-log entries always
 * tell its states apart (migration 0011).
 */
export function versionTriggerStatement(table: string): string {
  return (
    `create trigger "Version" before update on ${table} for each row ` +
    'when (new.version = old.version) execute function bump_version()'
  );
}

/**
 * The trigger that writes every change of a resource's items into the change log (migration
 * 0010, docs/changes.md). Its name sorts before PostgreSQL's foreign-key triggers (`RI_…`), so
 * on an insert it takes the owner's change lock before the reference check locks the item
 * referenced: every writer takes the two in one order, and none can deadlock another.
 */
export function changeTriggerStatement(table: string): string {
  return (
    `create trigger "Change log" after insert or update or delete on ${table} ` +
    'for each row execute function record_change()'
  );
}
