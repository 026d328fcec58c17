import { z } from 'zod';
import {
  isRangeKind,
  isSearchKind,
  requireFieldSpec,
  type FieldSpec,
  type OrderableField,
  type RangeField,
} from './field-spec.js';
import { text } from './fields.js';
import { parseTimestamp } from './field-values.js';

/** Columns every resource has besides its own fields; all of them can order a list. */
export const systemSortFields = ['id', 'created_at', 'updated_at'] as const;
type SystemSortField = (typeof systemSortFields)[number];

/** The times every item has; a list can take a range of either (`?created_at[gte]=…`). */
export const systemTimeFields = ['created_at', 'updated_at'] as const;
type SystemTimeField = (typeof systemTimeFields)[number];

/** The bounds of a range filter, Stripe's style: `?amount[gte]=10.00&amount[lt]=20.00`. */
export const rangeOperators = ['gt', 'gte', 'lt', 'lte'] as const;
export type RangeOperator = (typeof rangeOperators)[number];

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;
/** Lists are newest first unless the client asks otherwise. */
export const DEFAULT_SORT = '-created_at';

/** How a resource's list can be queried; each name must be one of its fields. */
export interface ListDeclaration<
  TSort extends string,
  TFilter extends string,
  TSearch extends string,
> {
  /** Fields a client may order by (`sort=name` or `sort=-name`), besides id and the times. */
  sortable: readonly TSort[];
  /**
   * Fields a client may filter on by equality (`?field=value`, `?field=null`), and, for
   * integers, decimals, dates and timestamps, by range (`?field[gte]=…&field[lt]=…`).
   */
  filterable: readonly TFilter[];
  /** Text fields (text, email, url) that `q` searches, case-insensitively. */
  searchable: readonly TSearch[];
}

export type SortField<TField extends string> = TField | SystemSortField;

// Query strings carry text, while the typed client lets callers pass real booleans and numbers
// (it writes them as text); so each parameter takes either, and answers one clear message
// instead of zod's "Invalid input" from a union.
function queryValue<TOutput, TInput = unknown>(
  parse: (raw: unknown) => TOutput | undefined,
  expected: string,
  openApi: Record<string, unknown>,
) {
  const schema = z
    .custom<TInput>(() => true)
    .transform((raw, ctx) => {
      const value = parse(raw);
      if (value === undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be ${expected}` });
        return z.NEVER;
      }
      return value;
    });
  return Object.assign(schema, {
    metaOpenApi: { ...openApi, description: `Must be ${expected}.` },
  });
}

const DIGITS = /^[1-9][0-9]{0,15}$/;

function parseInteger(raw: unknown, min: number, max: number): number | undefined {
  const value = typeof raw === 'string' && DIGITS.test(raw) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
    ? value
    : undefined;
}

/** A query value as text: the typed client's numbers and booleans, as a URL would carry them. */
const asText = (raw: unknown) =>
  typeof raw === 'string'
    ? raw
    : typeof raw === 'number' || typeof raw === 'boolean'
      ? String(raw)
      : undefined;

/** A `limit` parameter from 1 to `max`, `fallback` when absent. */
export const limitParamSchema = (max: number, fallback: number) =>
  queryValue<number, number | `${number}`>(
    (raw) => parseInteger(raw, 1, max),
    `a whole number from 1 to ${max}`,
    { type: 'integer', minimum: 1, maximum: max, default: fallback },
  )
    .optional()
    .default(fallback);

/** `limit`: how many items a page holds. */
export const LimitParamSchema = limitParamSchema(MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT);

/** `cursor`: the `next_cursor` of the previous page, exactly as the server sent it. */
export const CursorParamSchema = Object.assign(
  z
    .string()
    .max(1024, 'is not a cursor this API issued')
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'is not a cursor this API issued'),
  {
    metaOpenApi: {
      description:
        "The previous page's `next_cursor`. It is bound to the user and to the same sort, filters " +
        'and q; anything else is a 400.',
    },
  },
);

/**
 * `count`: whether the answer counts every match across all pages. Counting reads all of the
 * owner's matching rows, which grows with them (milliseconds at 100 000 rows, more with `q`);
 * a client that pages without showing a total can skip it.
 */
export const CountParamSchema = Object.assign(
  z.enum(['exact', 'none']).optional().default('exact'),
  {
    metaOpenApi: {
      description:
        '`exact` (the default): `count` is how many items match across all pages. `none`: ' +
        '`count` is null and the page costs only itself (cheaper for a large list).',
    },
  },
);

// How the documentation shows a filter's text: the kind's format, and its values or pattern
// where the kind has them (`null` among them for a nullable field).
function filterDocs(spec: FieldSpec, nullable: boolean): Record<string, unknown> {
  const {
    format,
    pattern,
    enum: values,
  } = spec.openApi as {
    format?: string;
    pattern?: string;
    enum?: string[];
  };
  const docs: Record<string, unknown> = {
    type: 'string',
    ...(format === undefined ? {} : { format }),
  };
  const choices = spec.kind === 'boolean' ? ['true', 'false'] : values;
  const shape =
    spec.kind === 'integer' ? '^-?[0-9]+$' : spec.kind === 'reference' ? '^[1-9][0-9]*$' : pattern;
  if (choices !== undefined) docs.enum = nullable ? [...choices, 'null'] : choices;
  else if (shape !== undefined) docs.pattern = nullable ? `^(${shape.slice(1, -1)}|null)$` : shape;
  return docs;
}

// An equality filter accepts what its field holds, read by the field's kind, plus `null` when
// the field is nullable (e.g. `project_id=null`: the tasks in no project).
function equalityParam(spec: FieldSpec, nullable: boolean) {
  const parse = spec.parseQuery ?? (() => undefined);
  const orNull = nullable ? ', or null' : '';
  return queryValue(
    (raw) => {
      if (nullable && (raw === null || raw === 'null')) return null;
      const value = asText(raw);
      return value === undefined ? undefined : parse(value);
    },
    `${spec.queryExpected ?? 'a value of the field'}${orNull}`,
    filterDocs(spec, nullable),
  ).optional();
}

// A range bound: the field's own values, never null (a null is in no range).
function rangeParam(
  field: string,
  operator: RangeOperator,
  parse: (raw: string) => unknown,
  expected: string,
  format: unknown,
) {
  const meaning = { gt: 'after', gte: 'from', lt: 'before', lte: 'up to and including' }[operator];
  const schema = queryValue(
    (raw) => {
      const value = asText(raw);
      return value === undefined ? undefined : parse(value);
    },
    expected,
    { type: 'string', ...(format === undefined ? {} : { format }) },
  );
  return Object.assign(schema, {
    metaOpenApi: {
      ...schema.metaOpenApi,
      description: `Items whose ${field} is ${operator} (${meaning}) this value. Must be ${expected}.`,
    },
  }).optional();
}

/** Every `sort` value: each sortable field, ascending or (with a leading `-`) descending. */
export function sortValues<TField extends string>(sortable: readonly TField[]) {
  const fields = [...systemSortFields, ...sortable];
  return fields.flatMap((field) => [field, `-${field}`]) as [
    SortField<TField> | `-${SortField<TField>}`,
    ...(SortField<TField> | `-${SortField<TField>}`)[],
  ];
}

/** A filter takes the field's own value, or its text as it arrives in a query string. */
type QueryParam<TOutput> = z.ZodOptional<z.ZodType<TOutput, z.ZodTypeDef, TOutput | string>>;

/** The equality and range filters of a resource's list, typed from its fields' kinds. */
export type FilterParams<TFields extends z.ZodRawShape, TFilter extends string> = {
  [K in TFilter]: QueryParam<z.output<TFields[K & keyof TFields]>>;
} & {
  [K in TFilter & RangeField<TFields> as `${K}[${RangeOperator}]`]: QueryParam<
    NonNullable<z.output<TFields[K & keyof TFields]>>
  >;
} & { [K in `${SystemTimeField}[${RangeOperator}]`]: QueryParam<string> };

function searchParam(searchable: readonly string[]) {
  return Object.assign(text(1, 200), {
    metaOpenApi: {
      minLength: 1,
      maxLength: 200,
      description: `Case-insensitive text searched for in ${searchable.join(', ')}.`,
    },
  }).optional();
}

const TIME_EXPECTED = 'an ISO 8601 time with an offset';

/**
 * The query parameters of a resource's list route. Throws for a declaration that asks a list
 * for what a field's kind cannot do (sort or filter by json, search a number).
 */
export function listQuerySchema<
  TFields extends z.ZodRawShape,
  TSort extends OrderableField<TFields>,
  TFilter extends OrderableField<TFields>,
>(resource: string, fields: TFields, list: ListDeclaration<TSort, TFilter, string>) {
  const specOf = (name: string) => {
    const field = fields[name];
    if (field === undefined)
      throw new Error(`${resource}: the list names an unknown field ${name}`);
    return requireFieldSpec(resource, name, field);
  };
  const filters: z.ZodRawShape = {};
  for (const name of list.filterable) {
    const spec = specOf(name);
    if (spec.kind === 'json')
      throw new Error(`${resource}.${name}: a json field cannot be a filter`);
    filters[name] = equalityParam(spec, fields[name]!.isNullable());
    if (isRangeKind(spec.kind) && spec.parseQuery !== undefined) {
      for (const operator of rangeOperators) {
        filters[`${name}[${operator}]`] = rangeParam(
          name,
          operator,
          spec.parseQuery,
          spec.queryExpected ?? 'a value',
          spec.openApi.format,
        );
      }
    }
  }
  for (const time of systemTimeFields) {
    for (const operator of rangeOperators) {
      filters[`${time}[${operator}]`] = rangeParam(
        time,
        operator,
        parseTimestamp,
        TIME_EXPECTED,
        'date-time',
      );
    }
  }
  for (const name of list.sortable) {
    if (specOf(name).kind === 'json')
      throw new Error(`${resource}.${name}: a json field cannot be sorted by`);
  }
  for (const name of list.searchable) {
    if (!isSearchKind(specOf(name).kind)) {
      throw new Error(`${resource}.${name}: q searches text, email and url fields only`);
    }
  }
  // Typed as an optional key rather than `{ q } | {}`, whose declaration (`{ q?: undefined }`)
  // a consumer's compiler, checking the emitted .d.ts, refuses as a zod shape.
  const search: { q?: ReturnType<typeof searchParam> } =
    list.searchable.length > 0 ? { q: searchParam(list.searchable) } : {};
  const sort = Object.assign(z.enum(sortValues<TSort>(list.sortable)), {
    metaOpenApi: {
      description:
        'A field to order by; a leading `-` orders descending. Ties go by id; nulls come last ' +
        'ascending and first descending.',
    },
  });
  return z
    .object({
      limit: LimitParamSchema,
      cursor: CursorParamSchema.optional(),
      count: CountParamSchema,
      sort: sort.optional().default(DEFAULT_SORT as SortField<TSort>),
      ...search,
      ...(filters as FilterParams<TFields, TFilter>),
    })
    .strict();
}
