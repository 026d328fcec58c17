/** What verifying a bearer token concluded; `reason` is safe to show the client. */
export type TokenVerdict = ({ ok: true } & TokenFacts) | { ok: false; reason: string };

/** What an accepted token says about its holder: whose it is, when and in which session. */
export interface TokenFacts {
  userId: string;
  /** `iat` in milliseconds (ours carry milliseconds), when the token has one. */
  issuedAtMs?: number;
  /** `sid`: the built-in session (refresh-token family) the token was issued to. */
  sessionId?: string;
}

/** Verifies a bearer token: the user it names, or why it is refused. */
export type TokenVerifier = (token: string) => Promise<TokenVerdict>;

/** Tokens larger than this are refused before any parsing: no real access token comes close. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_USER_ID_LENGTH = 255;
// Control characters have no place in an identifier and NUL cannot even be stored. \p{Cc} is
// C0, DEL and the C1 range (U+0080-U+009F, e.g. NEL, a line break to some log readers).
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * The user id a verified payload carries in `claim` (`sub` unless configured otherwise), or
 * why it cannot serve as one: the id becomes a path segment and the owner of every row.
 */
export function userIdFromClaims(payload: Record<string, unknown>, claim: string): TokenVerdict {
  if (typeof payload.exp !== 'number') {
    return { ok: false, reason: 'Token must carry an expiry (exp)' };
  }
  const value = payload[claim];
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_USER_ID_LENGTH ||
    CONTROL_CHARACTERS.test(value)
  ) {
    const name = claim === 'sub' ? 'subject (sub)' : `user claim (${claim})`;
    return {
      ok: false,
      reason: `Token ${name} must be a string of 1 to ${MAX_USER_ID_LENGTH} printable characters`,
    };
  }
  const facts: TokenFacts & { ok: true } = { ok: true, userId: value };
  if (typeof payload.iat === 'number') facts.issuedAtMs = Math.round(payload.iat * 1000);
  if (typeof payload.sid === 'string') facts.sessionId = payload.sid;
  return facts;
}
