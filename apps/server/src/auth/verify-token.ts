import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { HMAC_ALGORITHMS, type HmacAlgorithm } from './algorithms.js';
import type { JwtConfig } from './auth-config.js';
import { MAX_TOKEN_LENGTH, userIdFromClaims, type TokenVerdict } from './claims.js';

export { MAX_TOKEN_LENGTH, type TokenVerdict } from './claims.js';

interface HmacVerification {
  keys: KeyObject[];
  algorithms: HmacAlgorithm[];
}

// Given a string, jsonwebtoken first tries to parse it as a PEM public key and catches the
// failure, on every call: that alone was a third of the server's CPU under load. KeyObjects
// made once per configuration skip it.
const prepared = new WeakMap<JwtConfig, HmacVerification>();
function hmacVerification(config: JwtConfig): HmacVerification {
  let verification = prepared.get(config);
  if (verification === undefined) {
    const secrets = config.secret === undefined ? [] : [config.secret, ...config.previousSecrets];
    verification = {
      keys: secrets.map((secret) => createSecretKey(Buffer.from(secret))),
      algorithms: HMAC_ALGORITHMS.filter((algorithm) => config.algorithms.includes(algorithm)),
    };
    prepared.set(config, verification);
  }
  return verification;
}

/**
 * Verifies an HMAC-signed access token: the signature with the current secret or a previous
 * one, an algorithm from the allowlist (so `alg: none` and algorithm swaps fail), `exp` present
 * and in the future, `nbf`, optional issuer and audience, and a usable `sub`. The reason is
 * safe to show the client; it never echoes the token.
 */
export function verifyAccessToken(token: string, config: JwtConfig): TokenVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'Token is too large' };
  const { keys, algorithms } = hmacVerification(config);
  if (keys.length === 0 || algorithms.length === 0)
    return { ok: false, reason: 'Token is invalid' };
  let payload: string | jwt.JwtPayload | undefined;
  let failure: unknown;
  for (const key of keys) {
    try {
      payload = jwt.verify(token, key, {
        algorithms,
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        ...(config.audience === undefined ? {} : { audience: config.audience }),
        clockTolerance: config.clockToleranceSeconds,
      });
      break;
    } catch (error) {
      failure = error;
      // Only a signature that does not match this secret is worth trying the next one for;
      // a token the right secret signed but that has expired, say, is refused as such.
      if (!(error instanceof jwt.JsonWebTokenError) || error.message !== 'invalid signature') {
        break;
      }
    }
  }
  if (payload === undefined) return { ok: false, reason: describeFailure(failure) };
  if (typeof payload === 'string') {
    return { ok: false, reason: 'Token payload must be a JSON object' };
  }
  // Our own tokens, and those of services sharing the secret, name the user in `sub`.
  return userIdFromClaims(payload, 'sub');
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
