import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCursorCodec, cursorKey } from './cursor.js';

const codec = createCursorCodec(randomBytes(32));
const scope = '["tasks","user-1","-created_at",null,[]]';
const position = { value: '2026-01-15T09:30:00.000Z', id: 42 };

describe('list cursors', () => {
  it('decode what they encode, for the same scope only', () => {
    const cursor = codec.encode(position, scope);
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(codec.decode(cursor, scope)).toEqual(position);
    expect(codec.decode(cursor, scope.replace('user-1', 'user-2'))).toBeUndefined();
  });

  it('refuse a changed position, signature or key', () => {
    const cursor = codec.encode(position, scope);
    const [, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify(['2099-01-01T00:00:00.000Z', 1])).toString(
      'base64url',
    );
    expect(codec.decode(`${forged}.${mac}`, scope)).toBeUndefined();
    expect(codec.decode(`${cursor}x`, scope)).toBeUndefined();
    expect(codec.decode(`${cursor}.more`, scope)).toBeUndefined();
    expect(codec.decode('nodot', scope)).toBeUndefined();
    expect(createCursorCodec(randomBytes(32)).decode(cursor, scope)).toBeUndefined();
  });

  it('refuse a correctly signed payload that is not a position', () => {
    const key = randomBytes(32);
    const signer = createCursorCodec(key);
    // Signs as the codec does (format v1), to reach the shape checks behind the MAC.
    const signed = (value: unknown) => {
      const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
      const mac = createHmac('sha256', key).update(`v1\n${scope}\n${payload}`).digest('base64url');
      return `${payload}.${mac}`;
    };
    expect(signer.decode(signed(['x', 1]), scope)).toEqual({ value: 'x', id: 1 });
    // A page can end on an empty field: null is a position's value too.
    expect(signer.decode(signed([null, 1]), scope)).toEqual({ value: null, id: 1 });
    for (const value of [
      { a: 1 },
      ['x', 0],
      ['x', 1.5],
      ['x'],
      'str',
      [{}, 1],
      [[1], 1],
      ['x', 1, 2],
    ]) {
      expect(signer.decode(signed(value), scope)).toBeUndefined();
    }
    const notJson = `${Buffer.from('{').toString('base64url')}`;
    const mac = createHmac('sha256', key).update(`v1\n${scope}\n${notJson}`).digest('base64url');
    expect(signer.decode(`${notJson}.${mac}`, scope)).toBeUndefined();
  });

  it('derive different keys from the JWT secret and from CURSOR_SECRET, never the secret itself', () => {
    const fromJwt = cursorKey(undefined, 'jwt-secret');
    expect(fromJwt.equals(cursorKey('cursor-secret', 'jwt-secret'))).toBe(false);
    expect(fromJwt.toString('utf8')).not.toContain('jwt-secret');
    expect(fromJwt.equals(cursorKey(undefined, 'jwt-secret'))).toBe(true);
  });
});
