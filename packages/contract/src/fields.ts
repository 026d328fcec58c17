import { z } from 'zod';

// PostgreSQL text cannot hold U+0000; rejecting it here turns what would be a database
// error (a 500) into a 400 that names the field.
const noNulBytes = (value: string) => !value.includes('\u0000');

/** A text field of `min..max` characters that PostgreSQL can store. */
export function text(min: number, max: number) {
  let schema = z.string().max(max, `must be at most ${max} characters`);
  if (min > 0) schema = schema.min(min, `must be at least ${min} character${min === 1 ? '' : 's'}`);
  return schema.refine(noNulBytes, 'must not contain NUL (\\u0000) characters');
}

/** Largest id the API hands out: ids travel as JSON numbers, which are exact only up to here. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** A resource id: a positive integer; from a URL path it arrives as a decimal string. */
export const IdParamSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const id =
    typeof value === 'number' ? value : /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
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
 * Timestamps are ISO 8601 in UTC, e.g. `2026-11-23T21:22:02.123Z`. Not `z.string().datetime()`:
 * zod 3 compiles that check's regex anew on every parse, which was a tenth of the server's
 * CPU validating a 50-task list. `metaOpenApi` is how the OpenAPI generator
 * (@anatine/zod-openapi, under @ts-rest/open-api) is told the format; a plain property, so
 * the contract still imports nothing else.
 */
export const TimestampSchema = Object.assign(
  z.string().regex(ISO_8601_WITH_OFFSET, 'must be an ISO 8601 timestamp with an offset'),
  { metaOpenApi: { format: 'date-time' } },
);
