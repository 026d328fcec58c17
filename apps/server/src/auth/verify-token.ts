import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtConfig } from '../config.js';

/** Tokens larger than this are refused before any parsing: no real access token comes close. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_SUBJECT_LENGTH = 255;
// Control characters have no place in an identifier and NUL cannot even be stored. \p{Cc} is
// C0, DEL and the C1 range (U+0080-U+009F, e.g. NEL, a line break to some log readers).
const CONTROL_CHARACTERS = /\p{Cc}/u;

// Given a string, jsonwebtoken first tries to parse it as a PEM public key and catches the
// failure, on every call: that alone was a third of the server's CPU under load. A KeyObject
// made once per configuration skips it.
const secretKeys = new WeakMap<JwtConfig, KeyObject>();
function secretKeyOf(config: JwtConfig): KeyObject {
  let key = secretKeys.get(config);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(config.secret));
    secretKeys.set(config, key);
  }
  return key;
}

export type TokenVerdict = { ok: true; userId: string } | { ok: false; reason: string };

/**
 * Verifies an access token: signature with the one configured algorithm (so `alg: none` and
 * algorithm swaps fail), `exp` present and in the future, `nbf`, optional issuer and audience,
 * and a usable `sub`. The reason is safe to show the client; it never echoes the token.
 */
export function verifyAccessToken(token: string, config: JwtConfig): TokenVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'Token is too large' };
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secretKeyOf(config), {
      algorithms: [config.algorithm],
      ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
      ...(config.audience === undefined ? {} : { audience: config.audience }),
      clockTolerance: config.clockToleranceSeconds,
    });
  } catch (error) {
    return { ok: false, reason: describeFailure(error) };
  }
  if (typeof payload === 'string')
    return { ok: false, reason: 'Token payload must be a JSON object' };
  if (typeof payload.exp !== 'number')
    return { ok: false, reason: 'Token must carry an expiry (exp)' };
  const subject: unknown = payload.sub;
  if (
    typeof subject !== 'string' ||
    subject.length === 0 ||
    subject.length > MAX_SUBJECT_LENGTH ||
    CONTROL_CHARACTERS.test(subject)
  ) {
    return {
      ok: false,
      reason: `Token subject (sub) must be a string of 1 to ${MAX_SUBJECT_LENGTH} printable characters`,
    };
  }
  return { ok: true, userId: subject };
}

function describeFailure(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return 'Token has expired';
  if (error instanceof jwt.NotBeforeError) return 'Token is not yet valid';
  if (error instanceof jwt.JsonWebTokenError) {
    if (error.message.startsWith('jwt issuer invalid')) return 'Token issuer is not accepted';
    if (error.message.startsWith('jwt audience invalid')) return 'Token audience is not accepted';
  }
  // Signature, algorithm and format failures share one answer: which one it was helps an
  // attacker more than a client.
  return 'Token is invalid';
}
