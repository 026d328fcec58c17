// In a u-mode regex a valid surrogate pair is one code point, so only unpaired halves match.
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a string cannot be stored in jsonb, if it cannot. */
function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000) characters in its text';
  if (LONE_SURROGATE.test(text)) return 'must hold valid Unicode text only';
  return undefined;
}

/**
 * Why a JSON value cannot be a json() field's value, or undefined: PostgreSQL's jsonb refuses
 * NUL and unpaired surrogates in any string (a database error, not a 400, if let through), a
 * number that is not finite would be stored as null, and the whole must fit `maxBytes` of
 * compact UTF-8 JSON.
 */
export function checkJsonText(value: unknown, maxBytes: number): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === 'string') {
      const problem = unstorable(current);
      if (problem !== undefined) return problem;
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return 'must hold finite numbers only';
    } else if (Array.isArray(current)) {
      pending.push(...(current as unknown[]));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, inner] of Object.entries(current)) {
        const problem = unstorable(key);
        if (problem !== undefined) return problem;
        pending.push(inner);
      }
    }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  return bytes > maxBytes ? `must be at most ${maxBytes} bytes of JSON` : undefined;
}
