import { z } from 'zod';

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

/** A text field of `min..max` characters that PostgreSQL can store. */
export function text(min: number, max: number) {
  const schema = z.string().superRefine((value, ctx) => {
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
    // A lone surrogate is not text: the driver would store it as U+FFFD, silently changing
    // the value (and its length).
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
  });
  // The limits live in the refinement, so the OpenAPI generator is told them directly.
  return Object.assign(schema, {
    metaOpenApi: min > 0 ? { minLength: min, maxLength: max } : { maxLength: max },
  });
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

/** A JSON field that names another resource of the same owner by its id. */
export function reference(singular: string) {
  const message = `must be the id of one of your ${singular}s (an integer from 1 to ${MAX_ID})`;
  return z
    .number({ invalid_type_error: message })
    .int(message)
    .min(1, message)
    .max(MAX_ID, message);
}

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
