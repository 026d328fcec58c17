import { z } from 'zod';

/** The kinds of field a resource can declare (fields.ts has one function per kind). */
export type FieldKind =
  | 'text'
  | 'email'
  | 'url'
  | 'uuid'
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'enumeration'
  | 'reference'
  | 'json';

/** A check constraint of a field's column: `<table>_<field>_<rule>`, holding `condition`. */
export interface ColumnCheck {
  rule: string;
  condition: string;
}

/** What a field's kind means beyond its zod schema: storage, documentation, list abilities. */
export interface FieldSpec<TKind extends FieldKind = FieldKind> {
  kind: TKind;
  /** The column's PostgreSQL type as a migration writes it, e.g. `numeric(10,2)`. */
  columnType: string;
  /** The type a value compared with the column is cast to, e.g. `numeric`. */
  parameterType: string;
  /** The column's check constraints, for a column named `column`. */
  checks: (column: string) => ColumnCheck[];
  /** The OpenAPI schema properties the documentation shows (type, format, limits, enum). */
  openApi: Record<string, unknown>;
  /** Reads a value from a query string (a filter or a range bound); undefined if it is none. */
  parseQuery?: (raw: string) => unknown;
  /** What parseQuery accepts, for the 400 that names the parameter. */
  queryExpected?: string;
  /** For a reference: the name of the resource whose items it names. */
  references?: string;
}

/** A zod schema that carries its kind's spec. */
export type Kinded<TSchema extends z.ZodTypeAny, TKind extends FieldKind> = TSchema & {
  fieldSpec: FieldSpec<TKind>;
};

/** Gives `schema` its spec; the OpenAPI generator reads `metaOpenApi` beside it. */
export function withSpec<TSchema extends z.ZodTypeAny, TKind extends FieldKind>(
  schema: TSchema,
  spec: FieldSpec<TKind>,
): Kinded<TSchema, TKind> {
  return Object.assign(schema, { fieldSpec: spec, metaOpenApi: spec.openApi });
}

/** The kind of a declared field, through `.nullable()`, `.optional()` and `.default()`. */
export type KindOf<T> = T extends { fieldSpec: FieldSpec<infer K> }
  ? K
  : T extends z.ZodNullable<infer I>
    ? KindOf<I>
    : T extends z.ZodOptional<infer I>
      ? KindOf<I>
      : T extends z.ZodDefault<infer I>
        ? KindOf<I>
        : never;

/** Kinds a list can filter by a range (`?field[gte]=…`). */
export const RANGE_KINDS = ['integer', 'decimal', 'date', 'timestamp'] as const;
/** Kinds `q` searches. */
export const SEARCH_KINDS = ['text', 'email', 'url'] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];
export type SearchKind = (typeof SEARCH_KINDS)[number];

type FieldNamesWhere<TFields, TKind> = {
  [N in keyof TFields]: [KindOf<TFields[N]>] extends [TKind] ? N : never;
}[keyof TFields] &
  string;

/** Fields a list can filter on and sort by: every kind but json. */
export type OrderableField<TFields> = {
  [N in keyof TFields]: [KindOf<TFields[N]>] extends ['json'] ? never : N;
}[keyof TFields] &
  string;
/** Fields that take range filters. */
export type RangeField<TFields> = FieldNamesWhere<TFields, RangeKind>;
/** Fields that `q` can search. */
export type SearchableField<TFields> = FieldNamesWhere<TFields, SearchKind>;

/** The spec of a declared field, or undefined for a schema no kind made. */
export function fieldSpecOf(schema: z.ZodTypeAny): FieldSpec | undefined {
  let current: z.ZodTypeAny = schema;
  for (;;) {
    const spec = (current as Partial<Kinded<z.ZodTypeAny, FieldKind>>).fieldSpec;
    if (spec !== undefined) return spec;
    if (
      current instanceof z.ZodNullable ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault
    ) {
      current = (current._def as { innerType: z.ZodTypeAny }).innerType;
    } else {
      return undefined;
    }
  }
}

/** The spec of a declared field; a field declared without a kind is a mistake said loudly. */
export function requireFieldSpec(resource: string, field: string, schema: z.ZodTypeAny): FieldSpec {
  const spec = fieldSpecOf(schema);
  if (spec === undefined) {
    throw new Error(
      `${resource}.${field}: declare the field with a kind from fields.ts (text(), integer(), ` +
        'decimal(), date(), …), so its column, its checks and its list abilities are known',
    );
  }
  return spec;
}

export const isRangeKind = (kind: FieldKind): kind is RangeKind =>
  (RANGE_KINDS as readonly string[]).includes(kind);
export const isSearchKind = (kind: FieldKind): kind is SearchKind =>
  (SEARCH_KINDS as readonly string[]).includes(kind);
