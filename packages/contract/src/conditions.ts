import { z } from 'zod';

// Conditional requests (RFC 9110 §13) and idempotent creates (draft-ietf-httpapi-idempotency-
// key-header), as every resource's routes declare them. The server, the client and the docs
// read the formats from here, so an ETag is written and read one way everywhere.

/** The strong ETag of an item at `version`: its version, quoted, e.g. `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

// An entity tag: optionally weak, then an opaque quoted string of the characters RFC 9110
// allows (no `"`, no spaces or controls).
const ENTITY_TAG = String.raw`(?:W\/)?"[\x21\x23-\x7e]*"`;
const ENTITY_TAG_LIST = new RegExp(
  String.raw`^\s*(?:\*|${ENTITY_TAG}(?:\s*,\s*${ENTITY_TAG})*)\s*$`,
);

/** The entity tags a condition header names; `any` for `*`. */
export type EntityTags = { any: true } | { any: false; tags: { weak: boolean; opaque: string }[] };

/** Reads an `If-Match` or `If-None-Match` value the schema below has already accepted. */
export function parseEntityTags(header: string): EntityTags {
  if (header.trim() === '*') return { any: true };
  const tags = [...header.matchAll(/(W\/)?"([^"]*)"/g)].map(([, weak, opaque]) => ({
    weak: weak !== undefined,
    opaque: opaque ?? '',
  }));
  return { any: false, tags };
}

/**
 * Most entity tags one If-Match or If-None-Match may list. A client names the version it holds,
 * rarely a few; each tag listed is work for the server (a version to match in SQL), so a list
 * of hundreds is refused, not served.
 */
export const MAX_ENTITY_TAGS = 16;

/** `*` or a comma-separated list of entity tags (`"3"`, `W/"3"`): at most 16 tags, 1 KiB. */
export const EntityTagListSchema = z.string().superRefine((value, ctx) => {
  if (value.length > 1024 || !ENTITY_TAG_LIST.test(value)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'must be * or entity tags such as "3" (quotes included), at most 1024 characters',
    });
  } else if ((value.match(/"[^"]*"/g)?.length ?? 0) > MAX_ENTITY_TAGS) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must list at most ${MAX_ENTITY_TAGS} entity tags`,
    });
  }
});

/** Longest Idempotency-Key accepted, in characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * An Idempotency-Key: 1 to 255 visible ASCII characters, bare (`order-1`, as most clients send
 * it) or as the draft's structured-field string (`"order-1"`); both name the same key.
 */
export const IdempotencyKeySchema = z
  .string()
  .transform((value) => (/^".*"$/.test(value) ? value.slice(1, -1) : value))
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(IDEMPOTENCY_KEY_MAX_LENGTH, `must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`)
      .regex(/^[\x21-\x7e]*$/, 'must be visible ASCII characters only (a UUID is a good key)'),
  );

/** The request headers of an item's GET: revalidate a copy the client holds. */
export const ItemReadHeadersSchema = z.object({
  'if-none-match': EntityTagListSchema.optional(),
});

/** The request headers of an item's PUT, PATCH and DELETE: write only if unchanged. */
export const ItemWriteHeadersSchema = z.object({
  'if-match': EntityTagListSchema.optional(),
});

/** The request headers of a create: make it safe to retry. */
export const CreateHeadersSchema = z.object({
  'idempotency-key': IdempotencyKeySchema.optional(),
});

// The texts of the answers, shared by the server and the OpenAPI examples.

/** A 412's message: the item changed since the version the client holds. */
export function preconditionFailedMessage(singular: string, current: number): string {
  return (
    `The ${singular} has changed since the version in If-Match; it is now version ${current} ` +
    `(ETag ${etagOf(current)}): read it again, then repeat the change if it still applies`
  );
}

/** A 428's message: this server requires If-Match on the write. */
export const PRECONDITION_REQUIRED_MESSAGE =
  "This server requires If-Match on PUT, PATCH and DELETE: send the item's ETag (from its " +
  'GET, a write, or `version` in a list) so that a change made elsewhere is not overwritten';

/** A 422's message: the key was used before with another request. */
export const IDEMPOTENCY_KEY_REUSED_MESSAGE =
  'This Idempotency-Key was already used with a different request body; use a new key for a ' +
  'new request';

/** A 409's message: the first request with this key has not finished. */
export const IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE =
  'A request with this Idempotency-Key is still being processed; retry after Retry-After seconds';
