import { parseEntityTags } from '@enclave/contract';

// How If-Match and If-None-Match (already checked for syntax by the contract) apply to an
// item whose ETag is its version, quoted.

/** What a write's If-Match asks for. */
export type WriteCondition =
  /** Write whatever the version (no If-Match, or `*`, which any existing item matches). */
  | { kind: 'any' }
  /** Write only at one of these versions; none at all means no version can match. */
  | { kind: 'versions'; versions: number[] }
  /** The server requires a condition naming a version, and there is none. */
  | { kind: 'missing' };

const VERSION = /^[1-9][0-9]{0,14}$/;

/**
 * Reads If-Match. Strong comparison (RFC 9110 §13.1.1): a weak tag never matches, nor does
 * one that is not a version of ours. With `required`, `*` is no better than nothing: it
 * protects no edit from another.
 */
export function writeCondition(ifMatch: string | undefined, required: boolean): WriteCondition {
  if (ifMatch === undefined) return required ? { kind: 'missing' } : { kind: 'any' };
  const tags = parseEntityTags(ifMatch);
  if (tags.any) return required ? { kind: 'missing' } : { kind: 'any' };
  const versions = new Set<number>();
  for (const { weak, opaque } of tags.tags) {
    if (!weak && VERSION.test(opaque)) versions.add(Number(opaque));
  }
  return { kind: 'versions', versions: [...versions] };
}

/**
 * Whether If-None-Match names the item's current version, so a GET answers 304. Weak
 * comparison (RFC 9110 §13.1.2): `W/"3"` matches version 3 too.
 */
export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = parseEntityTags(ifNoneMatch);
  if (tags.any) return true;
  const current = String(version);
  return tags.tags.some(({ opaque }) => opaque === current);
}
