import { z } from 'zod';
import { withSpec } from './field-spec.js';
import { checkDecimal, parseDate, parseTimestamp, type DecimalLimits } from './field-values.js';
import { checkJsonText } from './json-text.js';

// Every field of a resource is declared with one of the kinds below. Each kind is one zod
// schema carrying a `fieldSpec`: what PostgreSQL stores it as (column type and checks, which
// the scaffold writes into the migration and a test compares with the database's catalog),
// how the documentation describes it, and what a list may do with it (filter, range, sort,
// search). A kind may be made optional with `.nullable()`; a default goes in the
// declaration's `defaults`.

/** Largest whole number a JSON number carries exactly, and so the widest integer() range. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;

// Lengths count characters (code points) as PostgreSQL's char_length does, not UTF-16 code
// units as string.length and zod's min/max do: otherwise a title of 150 emoji would be refused
// as "more than 200 characters" although the database, and the user, count 150. text()
// rejects lone surrogates, so every low surrogate counted here ends a pair.
function characterCount(value: string): number {
  // Code units minus the second half of each surrogate pair (U+DC00-U+DFFF).
  let count = value.length;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) count -= 1;
  }
  return count;
}

// In a u-mode regex a valid surrogate pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Cs}/u;

const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Problems with a string as PostgreSQL text: NUL and lone surrogates it cannot store. */
function storableText(value: string, ctx: z.RefinementCtx) {
  // A lone surrogate is not text: the driver would store it as U+FFFD, silently changing the
  // value (and its length).
  if (LONE_SURROGATE.test(value)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be valid Unicode text' });
  }
  // PostgreSQL text cannot hold U+0000: a 400 naming the field, not a database error.
  if (value.includes('\u0000')) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must not contain NUL (\\u0000) characters',
    });
  }
}

const textQuery = (raw: string) => (raw.length <= 10_000 ? raw : undefined);

/** A text field of `min..max` characters that PostgreSQL can store. */
export function text(min: number, max: number) {
  const schema = z.string({ invalid_type_error: 'must be text' }).superRefine((value, ctx) => {
    // A string's code point count is at most its length and at least half of it, so the
    // count is only needed near the limits.
    if (value.length > max && characterCount(value) > max) {
      ctx.addIssue({
        code: z.ZodIssueCode.too_big,
        type: 'string',
        maximum: max,
        inclusive: true,
        message: `must be at most ${max} characters`,
      });
    }
    if (value.length < 2 * min && characterCount(value) < min) {
      ctx.addIssue({
        code: z.ZodIssueCode.too_small,
        type: 'string',
        minimum: min,
        inclusive: true,
        message: `must be at least ${min} character${min === 1 ? '' : 's'}`,
      });
    }
    storableText(value, ctx);
  });
  const limits = min > 0 ? { minLength: min, maxLength: max } : { maxLength: max };
  return withSpec(schema, {
    kind: 'text',
    columnType: 'text',
    parameterType: 'text',
    checks: (column) => [
      {
        rule: 'length',
        condition:
          min > 0
            ? `char_length(${column}) between ${min} and ${max}`
            : `char_length(${column}) <= ${max}`,
      },
    ],
    openApi: { type: 'string', ...limits },
    parseQuery: textQuery,
    queryExpected: 'text',
  });
}

// The WHATWG HTML form's definition of an email address, with at least one dot in the domain:
// what browsers accept in <input type=email>, so a web app and the API agree.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const EMAIL_MAX = 254;

/** An email address (as browsers' email inputs accept one), at most 254 characters. */
export function email() {
  const message = 'must be an email address such as name@example.com';
  const schema = z
    .string({ invalid_type_error: message })
    .max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`)
    .regex(EMAIL, message);
  return withSpec(schema, {
    kind: 'email',
    columnType: 'text',
    parameterType: 'text',
    checks: (column) => [
      { rule: 'length', condition: `char_length(${column}) <= ${EMAIL_MAX}` },
      { rule: 'format', condition: `${column} ~ '^[^@[:space:]]+@[^@[:space:]]+$'` },
    ],
    openApi: { type: 'string', format: 'email', maxLength: EMAIL_MAX },
    parseQuery: textQuery,
    queryExpected: 'text',
  });
}

const URL_MAX = 2048;
// Spaces and controls: the URL parser drops tabs and newlines and trims spaces, so a value
// holding them would not be the address a browser opens.
const URL_UNSAFE = /[\u0000-\u0020\u007f]/;

function isWebUrl(value: string): boolean {
  if (URL_UNSAFE.test(value) || !/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An absolute http or https URL (never `javascript:` or `data:`), at most 2048 characters. */
export function url() {
  const message = 'must be an absolute http:// or https:// URL';
  const schema = z
    .string({ invalid_type_error: message })
    .max(URL_MAX, `must be at most ${URL_MAX} characters`)
    .refine(isWebUrl, message);
  return withSpec(schema, {
    kind: 'url',
    columnType: 'text',
    parameterType: 'text',
    checks: (column) => [
      { rule: 'length', condition: `char_length(${column}) <= ${URL_MAX}` },
      { rule: 'format', condition: `${column} ~* '^https?://'` },
    ],
    openApi: { type: 'string', format: 'uri', maxLength: URL_MAX },
    parseQuery: textQuery,
    queryExpected: 'text',
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_MESSAGE = 'must be a UUID such as 123e4567-e89b-12d3-a456-426614174000';
// PostgreSQL answers a uuid in lower case: so does the API, whatever case it was sent in (a
// UUID is case-insensitive, RFC 9562), so what a client reads back equals what is stored.
const uuidQuery = (raw: string) => (UUID.test(raw) ? raw.toLowerCase() : undefined);

/** A UUID (any version), answered in lower case. */
export function uuid() {
  const schema = z
    .string({ invalid_type_error: UUID_MESSAGE })
    .regex(UUID, UUID_MESSAGE)
    .transform((value) => value.toLowerCase());
  return withSpec(schema, {
    kind: 'uuid',
    columnType: 'uuid',
    parameterType: 'uuid',
    checks: () => [],
    openApi: {
      type: 'string',
      format: 'uuid',
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    },
    parseQuery: uuidQuery,
    queryExpected: 'a UUID',
  });
}

const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * A whole number from `min` to `max` (by default the widest a JSON number holds exactly,
 * ±(2^53 − 1)): an `integer` column when the range fits one, else `bigint`.
 */
export function integer(min = -MAX_SAFE, max = MAX_SAFE) {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new Error(`integer(${min}, ${max}): the bounds must be safe integers, min <= max`);
  }
  const message =
    min === -MAX_SAFE && max === MAX_SAFE
      ? `must be a whole number from -${MAX_SAFE} to ${MAX_SAFE}`
      : `must be a whole number from ${min} to ${max}`;
  const schema = z
    .number({ invalid_type_error: message })
    .int(message)
    .min(min, message)
    .max(max, message);
  const small = min >= INT4_MIN && max <= INT4_MAX;
  const columnType = small ? 'integer' : 'bigint';
  const parseQuery = (raw: string) => {
    const value = INTEGER_TEXT.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
  };
  return withSpec(schema, {
    kind: 'integer',
    columnType,
    parameterType: columnType,
    // Only a narrower range than the column's needs a check; a bigint needs one too, as it
    // holds numbers a JSON number cannot carry exactly.
    checks: (column) =>
      min === INT4_MIN && max === INT4_MAX
        ? []
        : [{ rule: 'range', condition: `${column} between ${min} and ${max}` }],
    openApi: { type: 'integer', format: small ? 'int32' : 'int64', minimum: min, maximum: max },
    parseQuery,
    queryExpected: `a whole number from ${min} to ${max}`,
  });
}

/**
 * An exact decimal number of up to `precision` digits, `scale` of them after the point
 * (`numeric(precision, scale)`): money and measures. It travels as a JSON string, `"12.50"`,
 * both ways, never as a JSON number, which a client's float could not hold exactly. The API
 * answers it with exactly `scale` digits after the point.
 */
export function decimal(precision: number, scale: number) {
  if (!Number.isInteger(precision) || !Number.isInteger(scale)) {
    throw new Error(`decimal(${precision}, ${scale}): precision and scale must be integers`);
  }
  if (precision < 1 || precision > 1000 || scale < 0 || scale > precision) {
    throw new Error(
      `decimal(${precision}, ${scale}): needs 1 <= precision <= 1000, 0 <= scale <= precision`,
    );
  }
  const limits: DecimalLimits = { precision, scale };
  const whole = precision - scale;
  const fits =
    scale === 0
      ? `at most ${whole} digits and none after the point`
      : `at most ${whole} digit${whole === 1 ? '' : 's'} before the point and ${scale} after it`;
  const example = scale === 0 ? '12' : `12.${'5'.padEnd(scale, '0')}`;
  const typeMessage = `must be a decimal number written as a string, such as "${example}"`;
  const schema = z.string({ invalid_type_error: typeMessage }).superRefine((value, ctx) => {
    const parsed = checkDecimal(value, limits);
    if (parsed === 'malformed') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: typeMessage });
    } else if (parsed === 'too-many-digits') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must have ${fits}` });
    }
  });
  // What the API accepts, for the documentation: trailing zeros past the scale change nothing.
  const integerPart = whole === 0 ? '0' : `(0|[1-9][0-9]{0,${whole - 1}})`;
  const fractionPart = scale === 0 ? '(\\.0+)?' : `(\\.[0-9]{1,${scale}}0*)?`;
  const pattern = `^-?${integerPart}${fractionPart}$`;
  return withSpec(schema, {
    kind: 'decimal',
    columnType: `numeric(${precision},${scale})`,
    parameterType: 'numeric',
    checks: () => [],
    openApi: { type: 'string', format: 'decimal', pattern, example },
    parseQuery: (raw) => (checkDecimal(raw, limits) === 'ok' ? raw : undefined),
    queryExpected: `a decimal number with ${fits}`,
  });
}

/** true or false. */
export function boolean() {
  const schema = z.boolean({ invalid_type_error: 'must be true or false' });
  return withSpec(schema, {
    kind: 'boolean',
    columnType: 'boolean',
    parameterType: 'boolean',
    checks: () => [],
    openApi: { type: 'boolean' },
    parseQuery: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
    queryExpected: 'true or false',
  });
}

const DATE_MESSAGE = 'must be a calendar date YYYY-MM-DD from 0001-01-01 to 9999-12-31';

/** A calendar date, `YYYY-MM-DD` (a `date` column): real dates only, 2026-02-30 is refused. */
export function date() {
  const schema = z
    .string({ invalid_type_error: DATE_MESSAGE })
    .refine((value) => parseDate(value) !== undefined, DATE_MESSAGE);
  return withSpec(schema, {
    kind: 'date',
    columnType: 'date',
    parameterType: 'date',
    checks: (column) => [
      { rule: 'range', condition: `${column} between '0001-01-01' and '9999-12-31'` },
    ],
    openApi: { type: 'string', format: 'date' },
    parseQuery: (raw) => parseDate(raw),
    queryExpected: 'a date YYYY-MM-DD',
  });
}

const TIMESTAMP_MESSAGE =
  'must be an ISO 8601 time with an offset, such as 2026-03-01T09:30:00Z or ' +
  '2026-03-01T10:30:00.250+01:00, at most to the millisecond, from year 0001 to 9999';

/**
 * A moment in time (`timestamptz(3)`): any ISO 8601 offset in, answered in UTC to the
 * millisecond, e.g. `2026-03-01T09:30:00.000Z`.
 */
export function timestamp() {
  const schema = z.string({ invalid_type_error: TIMESTAMP_MESSAGE }).transform((value, ctx) => {
    const utc = parseTimestamp(value);
    if (utc === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: TIMESTAMP_MESSAGE });
      return z.NEVER;
    }
    return utc;
  });
  return withSpec(schema, {
    kind: 'timestamp',
    columnType: 'timestamptz(3)',
    parameterType: 'timestamptz',
    checks: (column) => [
      {
        rule: 'range',
        condition:
          `${column} >= '0001-01-01T00:00:00Z'::timestamptz and ` +
          `${column} < '10000-01-01T00:00:00Z'::timestamptz`,
      },
    ],
    openApi: { type: 'string', format: 'date-time' },
    parseQuery: (raw) => parseTimestamp(raw),
    queryExpected: 'an ISO 8601 time with an offset',
  });
}

/**
 * One of `values` (a text column with a check). A list sorts them alphabetically. Adding a
 * value later takes a migration that replaces the check.
 */
export function enumeration<const T extends readonly [string, ...string[]]>(values: T) {
  const unique = new Set(values);
  if (unique.size !== values.length)
    throw new Error(`enumeration: repeated values in ${values.join(', ')}`);
  for (const value of values) {
    if (!/^[^\u0000-\u001f']{1,100}$/.test(value)) {
      throw new Error(`enumeration: "${value}" must be 1-100 characters, no quote or control`);
    }
  }
  const message = `must be one of: ${values.join(', ')}`;
  const schema = z.enum(values as unknown as [T[number], ...T[number][]], {
    errorMap: () => ({ message }),
  });
  return withSpec(schema, {
    kind: 'enumeration',
    columnType: 'text',
    parameterType: 'text',
    checks: (column) => [
      { rule: 'allowed', condition: `${column} in (${values.map(sqlText).join(', ')})` },
    ],
    openApi: { type: 'string', enum: [...values] },
    parseQuery: (raw) => (unique.has(raw) ? raw : undefined),
    queryExpected: `one of ${values.join(', ')}`,
  });
}

/** Largest id the API hands out: ids travel as JSON numbers, which are exact only up to here. */
export const MAX_ID = MAX_SAFE;

const ID_TEXT = /^[1-9][0-9]{0,15}$/;
const parseId = (raw: string) => {
  const id = ID_TEXT.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(id) && id <= MAX_ID ? id : undefined;
};

/**
 * The id of another item of the same owner, of the resource named `resource` (e.g.
 * `reference('projects')`): an id that is not one of the owner's is a 400. A foreign key on
 * (user_id, field) holds it; deleting the item it names empties a nullable reference and
 * deletes the items with a required one.
 */
export function reference<const TResource extends string>(resource: TResource) {
  const message = `must be the id of one of your ${resource} (an integer from 1 to ${MAX_ID})`;
  const schema = z
    .number({ invalid_type_error: message })
    .int(message)
    .min(1, message)
    .max(MAX_ID, message);
  return withSpec(schema, {
    kind: 'reference',
    columnType: 'bigint',
    parameterType: 'bigint',
    checks: () => [],
    openApi: { type: 'integer', format: 'int64', minimum: 1, maximum: MAX_ID },
    parseQuery: parseId,
    queryExpected: 'a positive whole number',
    references: resource,
  });
}

/** Largest JSON field by default, in bytes of its compact UTF-8 JSON text. */
export const JSON_MAX_BYTES = 16_384;

/**
 * A JSON object (`jsonb`), checked by `schema` (any object by default) and at most `maxBytes`
 * of compact JSON. An object schema that would drop unknown keys refuses them instead, so
 * nothing a client sends is silently lost; `.passthrough()` keeps them. Not filtered, sorted
 * or searched.
 */
export function json<TShape extends z.ZodTypeAny = z.ZodRecord<z.ZodString, z.ZodUnknown>>(
  schema?: TShape,
  { maxBytes = JSON_MAX_BYTES }: { maxBytes?: number } = {},
) {
  const objectSchema =
    schema instanceof z.ZodObject && (schema as z.AnyZodObject)._def.unknownKeys === 'strip'
      ? schema.strict()
      : (schema ?? z.record(z.string(), z.unknown()));
  // Built on a concrete schema, then typed as the caller's: zod cannot type a refinement of a
  // schema whose type is still a parameter.
  const checked = (objectSchema as z.ZodTypeAny).superRefine((value: unknown, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON object' });
      return;
    }
    const problem = checkJsonText(value, maxBytes);
    if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  }) as unknown as z.ZodEffects<TShape, z.output<TShape>, z.input<TShape>>;
  return withSpec(checked, {
    kind: 'json',
    columnType: 'jsonb',
    parameterType: 'jsonb',
    checks: (column) => [{ rule: 'object', condition: `jsonb_typeof(${column}) = 'object'` }],
    openApi: {},
  });
}

/** A resource id: a positive integer; from a URL path it arrives as a decimal string. */
export const IdParamSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const id = typeof value === 'number' ? value : (parseId(value) ?? NaN);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ID) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be an integer from 1 to ${MAX_ID}`,
    });
    return z.NEVER;
  }
  return id;
});

/** The owner segment of every resource path; it must equal the token's subject. */
export const UserIdParamSchema = z.string().min(1).max(255);

const ISO_8601_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The times every item has (`created_at`, `updated_at`): ISO 8601 in UTC, e.g.
 * `2026-11-23T21:22:02.123Z`. Not `z.string().datetime()`: zod 3 compiles that check's regex
 * anew on every parse, which was a tenth of the server's CPU validating a 50-task list.
 * `metaOpenApi` is how the OpenAPI generator (@anatine/zod-openapi, under @ts-rest/open-api)
 * is told the format; a plain property, so the contract still imports nothing else.
 */
export const TimestampSchema = Object.assign(
  z.string().regex(ISO_8601_WITH_OFFSET, 'must be an ISO 8601 timestamp with an offset'),
  { metaOpenApi: { format: 'date-time' } },
);
