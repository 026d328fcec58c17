import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where a page ended: the last row's sort value (null for an empty field) and its id. */
export interface CursorPosition {
  value: string | number | boolean | null;
  id: number;
}

const VERSION = 'v1';

function isPosition(value: unknown): value is CursorPosition {
  if (typeof value !== 'object' || value === null) return false;
  const { value: sortValue, id } = value as Record<string, unknown>;
  return (
    (sortValue === null || ['string', 'number', 'boolean'].includes(typeof sortValue)) &&
    typeof id === 'number' &&
    Number.isSafeInteger(id) &&
    id > 0
  );
}

/**
 * Signs and checks list cursors. A cursor is `<position>.<mac>`: the position is readable
 * base64url JSON (opaque by contract, not secret), and the HMAC covers it together with the
 * scope it was minted for (resource, owner, sort, filters, q). So a cursor that was edited, or
 * replayed by another user or with another query, fails the check: a 400, never another
 * user's page or a page of a different ordering.
 */
export function createCursorCodec(key: Buffer) {
  const mac = (scope: string, payload: string) =>
    createHmac('sha256', key).update(`${VERSION}\n${scope}\n${payload}`).digest();
  return {
    encode(position: CursorPosition, scope: string): string {
      const payload = Buffer.from(JSON.stringify([position.value, position.id])).toString(
        'base64url',
      );
      return `${payload}.${mac(scope, payload).toString('base64url')}`;
    },
    /** The position, or undefined for anything this codec did not issue for this scope. */
    decode(cursor: string, scope: string): CursorPosition | undefined {
      const [payload, signature, ...rest] = cursor.split('.');
      if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
      const expected = mac(scope, payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
        if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
        const position = { value: parsed[0] as unknown, id: parsed[1] as unknown };
        return isPosition(position) ? position : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

/** The cursor key: CURSOR_SECRET when set, else one derived from (never equal to) the JWT secret. */
export function cursorKey(cursorSecret: string | undefined, jwtSecret: string): Buffer {
  return createHmac('sha256', cursorSecret ?? jwtSecret)
    .update('enclave list cursor key')
    .digest();
}
