import { fieldSpecOf, type FieldKind, type FieldSpec } from '@enclave/contract';
import { sql, type AliasedRawBuilder } from 'kysely';
import type { z } from 'zod';

/** A declared field as the SQL written for every resource sees it. */
export interface FieldColumn {
  name: string;
  spec: FieldSpec;
  nullable: boolean;
}

/** What a column of the select list is: a plain column, or one printed as the API shows it. */
export type Selection = string | AliasedRawBuilder<unknown, string>;

// The database prints dates and times as the API shows them (ISO 8601, UTC, milliseconds),
// the same way on both drivers: each would otherwise parse them into a Date in the process's
// time zone, and printing it again cost more JavaScript than anything else in a list.
const ISO_TIME = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';
const printed: Partial<Record<FieldKind | 'time', (ref: string) => ReturnType<typeof sql>>> = {
  time: (ref) => sql`to_char(${sql.ref(ref)} at time zone 'UTC', ${sql.lit(ISO_TIME)})`,
  timestamp: (ref) => sql`to_char(${sql.ref(ref)} at time zone 'UTC', ${sql.lit(ISO_TIME)})`,
  date: (ref) => sql`to_char(${sql.ref(ref)}, 'YYYY-MM-DD')`,
};

function shown(column: string, kind: FieldKind | 'time', from: string): Selection {
  const print = printed[kind];
  return print === undefined ? from + column : print(from + column).as(column);
}

// The types parameters compared with the system columns are cast to.
const SYSTEM_PARAMETER_TYPES: Record<string, string> = {
  id: 'bigint',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/** The columns of a resource's table, from its declaration. */
export function resourceColumns(resource: { name: string; fields: z.ZodRawShape }) {
  const fields: FieldColumn[] = Object.entries(resource.fields).map(([name, schema]) => {
    const spec = fieldSpecOf(schema);
    if (spec === undefined) throw new Error(`${resource.name}.${name} has no kind`);
    return { name, spec, nullable: schema.isNullable() };
  });
  const byName = new Map(fields.map((field) => [field.name, field]));
  const field = (name: string) => {
    const found = byName.get(name);
    if (found === undefined) throw new Error(`${resource.name} has no field ${name}`);
    return found;
  };

  return {
    table: resource.name,
    fields,
    names: fields.map(({ name }) => name),

    /**
     * The item as the API shows it, column by column in the order a client sees them (id,
     * user_id, the fields, version, the times), read from the table or from `from` (a
     * subquery's alias): nothing the contract does not declare can be in it.
     */
    item(from?: string): Selection[] {
      const prefix = from === undefined ? '' : `${from}.`;
      return [
        `${prefix}id`,
        `${prefix}user_id`,
        ...fields.map(({ name, spec }) => shown(name, spec.kind, prefix)),
        `${prefix}version`,
        shown('created_at', 'time', prefix),
        shown('updated_at', 'time', prefix),
      ];
    },

    /** Every column as stored: what a page's subquery orders and a cursor compares. */
    stored(): string[] {
      return [
        'id',
        'user_id',
        ...fields.map(({ name }) => name),
        'version',
        'created_at',
        'updated_at',
      ];
    },

    /** The type a value compared with `column` is cast to. */
    parameterType(column: string): string {
      return SYSTEM_PARAMETER_TYPES[column] ?? field(column).spec.parameterType;
    },

    nullable(column: string): boolean {
      return column in SYSTEM_PARAMETER_TYPES ? false : field(column).nullable;
    },

    /** A value as it is sent to the database: a json field's object as its JSON text. */
    toParameter(column: string, value: unknown): unknown {
      return value !== null && byName.get(column)?.spec.kind === 'json'
        ? JSON.stringify(value)
        : value;
    },
  };
}

export type ResourceColumns = ReturnType<typeof resourceColumns>;

/** `value` cast to `type` in SQL, so a parameter compares as the column's type on both drivers. */
export function cast<T>(value: unknown, type: string) {
  return sql<T>`cast(${value} as ${sql.raw(type)})`;
}
