import type { CursorCodec } from '../resources/cursor.js';

// A change cursor is a position in one owner's change log, signed with the list cursors' key
// for a scope of its own: one user's cursor, or a list cursor, is no cursor of another's feed.
const scope = (owner: string) => `changes\n${owner}`;

/** Signs and checks change cursors for one server (its cursor key). */
export function changeCursors(codec: CursorCodec) {
  return {
    encode: (owner: string, position: number) =>
      codec.encode({ value: position, id: 1 }, scope(owner)),
    /** The position, or undefined for anything not issued to this owner as a change cursor. */
    decode(owner: string, cursor: string): number | undefined {
      const decoded = codec.decode(cursor, scope(owner));
      const position = decoded?.value;
      return typeof position === 'number' && Number.isSafeInteger(position) && position >= 0
        ? position
        : undefined;
    },
  };
}

export type ChangeCursors = ReturnType<typeof changeCursors>;
