import { z } from 'zod';
import { text } from './fields.js';

/** Columns every resource has besides its own fields; all of them can order a list. */
export const systemSortFields = ['id', 'created_at', 'updated_at'] as const;
type SystemSortField = (typeof systemSortFields)[number];

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;
/** Lists are newest first unless the client asks otherwise. */
export const DEFAULT_SORT = '-created_at';

/** How a resource's list can be queried; each name must be one of its fields. */
export interface ListDeclaration<
  TSort extends string,
  TFilter extends string,
  TField extends string,
> {
  /** Non-null fields a client may order by (`sort=name` or `sort=-name`), besides id and times. */
  sortable: readonly TSort[];
  /** Fields a client may filter on by equality, as plain query parameters. */
  filterable: readonly TFilter[];
  /** Text fields that `q` searches, case-insensitively. */
  searchable: readonly TField[];
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

function parseBoolean(raw: unknown): boolean | undefined {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return undefined;
}

/** `limit`: how many items a page holds. */
export const LimitParamSchema = queryValue<number, number | `${number}`>(
  (raw) => parseInteger(raw, 1, MAX_LIST_LIMIT),
  `a whole number from 1 to ${MAX_LIST_LIMIT}`,
  { type: 'integer', minimum: 1, maximum: MAX_LIST_LIMIT, default: DEFAULT_LIST_LIMIT },
)
  .optional()
  .default(DEFAULT_LIST_LIMIT);

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

// A filter accepts what its field holds, read from the field's own schema, plus `null` when
// the field is nullable (e.g. `project_id=null`: the tasks in no project).
function filterParam(field: z.ZodTypeAny) {
  let base = field;
  while (
    base instanceof z.ZodNullable ||
    base instanceof z.ZodOptional ||
    base instanceof z.ZodDefault ||
    base instanceof z.ZodEffects
  ) {
    base = (
      base instanceof z.ZodEffects
        ? base.innerType()
        : (base._def as { innerType: unknown }).innerType
    ) as z.ZodTypeAny;
  }
  const nullable = field.isNullable();
  const orNull = nullable ? ', or null' : '';
  const withNull =
    <T>(parse: (raw: unknown) => T | undefined) =>
    (raw: unknown) =>
      nullable && (raw === null || raw === 'null') ? null : parse(raw);
  if (base instanceof z.ZodBoolean) {
    return queryValue(withNull(parseBoolean), `true or false${orNull}`, {
      type: 'string',
      enum: ['true', 'false', ...(nullable ? ['null'] : [])],
    }).optional();
  }
  if (base instanceof z.ZodNumber) {
    return queryValue(
      withNull((raw) => parseInteger(raw, 1, Number.MAX_SAFE_INTEGER)),
      `a positive whole number${orNull}`,
      { type: 'string', pattern: nullable ? '^([1-9][0-9]*|null)$' : '^[1-9][0-9]*$' },
    ).optional();
  }
  if (base instanceof z.ZodString) {
    return queryValue(
      withNull((raw) => (typeof raw === 'string' && raw.length <= 10_000 ? raw : undefined)),
      `text${orNull}`,
      { type: 'string' },
    ).optional();
  }
  throw new Error(`A field of type ${base.constructor.name} cannot be a list filter`);
}

/** Every `sort` value: each sortable field, ascending or (with a leading `-`) descending. */
export function sortValues<TField extends string>(sortable: readonly TField[]) {
  const fields = [...systemSortFields, ...sortable];
  return fields.flatMap((field) => [field, `-${field}`]) as [
    SortField<TField> | `-${SortField<TField>}`,
    ...(SortField<TField> | `-${SortField<TField>}`)[],
  ];
}

// A filter takes the field's own value, or its text as it arrives in a query string.
export type FilterParams<TFields extends z.ZodRawShape, TFilter extends keyof TFields> = {
  [K in TFilter]: z.ZodOptional<
    z.ZodType<z.output<TFields[K]>, z.ZodTypeDef, z.output<TFields[K]> | string>
  >;
};

function searchParam(searchable: readonly string[]) {
  return Object.assign(text(1, 200), {
    metaOpenApi: {
      minLength: 1,
      maxLength: 200,
      description: `Case-insensitive text searched for in ${searchable.join(', ')}.`,
    },
  }).optional();
}

/** The query parameters of a resource's list route. */
export function listQuerySchema<
  TFields extends z.ZodRawShape,
  TSort extends Extract<keyof TFields, string>,
  TFilter extends Extract<keyof TFields, string>,
>(fields: TFields, list: ListDeclaration<TSort, TFilter, Extract<keyof TFields, string>>) {
  const filters: z.ZodRawShape = {};
  for (const name of list.filterable) {
    const field = fields[name];
    if (field === undefined) throw new Error(`Unknown filter field ${name}`);
    filters[name] = filterParam(field);
  }
  for (const name of list.sortable) {
    if (fields[name]?.isNullable() !== false) {
      throw new Error(`Sort field ${name} must be a non-null field`);
    }
  }
  // Typed as an optional key rather than `{ q } | {}`, whose declaration (`{ q?: undefined }`)
  // a consumer's compiler, checking the emitted .d.ts, refuses as a zod shape.
  const search: { q?: ReturnType<typeof searchParam> } =
    list.searchable.length > 0 ? { q: searchParam(list.searchable) } : {};
  const sort = Object.assign(z.enum(sortValues<TSort>(list.sortable)), {
    metaOpenApi: {
      description: 'A field to order by; a leading `-` orders descending. Ties go by id.',
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
