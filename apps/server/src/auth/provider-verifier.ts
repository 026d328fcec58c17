import { createPublicKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  customFetch,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type FetchImplementation,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { MAX_TOKEN_LENGTH, userIdFromClaims, type TokenVerdict } from './claims.js';

export type AsymmetricAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  ...(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const),
  ...(['ES256', 'ES384', 'ES512', 'EdDSA'] as const),
];

export type KeySource =
  | { kind: 'jwks'; url: string; timeoutMs: number; cooldownMs: number; cacheMaxAgeMs: number }
  | { kind: 'public-key'; pem: string };

export interface ProviderVerifierOptions {
  keys: KeySource;
  /** The allowlist: a token whose header names anything else is refused. */
  algorithms: readonly AsymmetricAlgorithm[];
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** The claim holding the user id (the caller defaults it to 'sub'). */
  userClaim: string;
  /** For the log: failures that are not the token's fault (the client only sees a refusal). */
  onError?: (error: unknown, kind: 'keys-unavailable' | 'unexpected') => void;
}

export type ProviderVerifier = (token: string) => Promise<TokenVerdict>;

export const KEYS_UNAVAILABLE =
  "Token could not be verified: the identity provider's keys are unavailable";

class KeysUnavailable extends Error {} // the key source, not the token, is at fault
class BackingOff extends Error {} // a fetch skipped: the previous one failed within the cooldown

/** Throws a secret-free Error when the options cannot work (e.g. an unreadable PEM). */
export async function createProviderVerifier(
  options: ProviderVerifierOptions,
): Promise<ProviderVerifier> {
  const { keys, algorithms, issuer, audience, clockToleranceSeconds, userClaim } = options;
  // Options come from configuration: a stray 'HS256' or 'none' must not slip in through a cast.
  if (algorithms.length === 0 || !algorithms.every((alg) => ASYMMETRIC_ALGORITHMS.includes(alg)))
    throw new Error(`Allowed algorithms must be among ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  if (issuer === '' || audience === '' || userClaim === '')
    throw new Error('The expected issuer, audience and user claim must not be empty');
  if (!Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0)
    throw new Error('Clock tolerance must be a non-negative number of seconds');
  const report = options.onError ?? (() => {});
  const getKey =
    keys.kind === 'jwks' ? remoteKeys(keys, report) : await pemKeys(keys.pem, algorithms);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: [...algorithms],
    issuer,
    audience,
    clockTolerance: clockToleranceSeconds,
    requiredClaims: ['exp'],
  };
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'Token is too large' };
    try {
      const { payload } = await jwtVerify(token, getKey, verifyOptions);
      return userIdFromClaims(payload, userClaim);
    } catch (error) {
      if (error instanceof KeysUnavailable) return { ok: false, reason: KEYS_UNAVAILABLE };
      // Anything that is not jose judging the token is a bug: make it visible, but still refuse.
      if (!(error instanceof errors.JOSEError)) report(error, 'unexpected');
      return { ok: false, reason: describeFailure(error) };
    }
  };
}

const TOKEN_FAULTS = [
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSENotSupported,
];

function remoteKeys(
  source: Extract<KeySource, { kind: 'jwks' }>,
  report: NonNullable<ProviderVerifierOptions['onError']>,
): JWTVerifyGetKey {
  // jose's cooldown only starts after a successful fetch: while the provider is down, every
  // token needing keys would start a request and wait up to timeoutMs. Failing fast for a
  // cooldown after a failure keeps an outage (and any flood of kids) to one request per cooldown.
  let failedAt = Number.NEGATIVE_INFINITY;
  const fetchUnlessBackingOff: FetchImplementation = (url, init) =>
    Date.now() - failedAt < source.cooldownMs
      ? Promise.reject(new BackingOff('the last JWKS fetch failed moments ago'))
      : fetch(url, init);
  const jwks = createRemoteJWKSet(new URL(source.url), {
    timeoutDuration: source.timeoutMs,
    cooldownDuration: source.cooldownMs,
    cacheMaxAge: source.cacheMaxAgeMs,
    [customFetch]: fetchUnlessBackingOff,
  });
  let lastFailure: unknown;
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      // Key selection failing on the token's kid or alg is the token's fault, not the provider's.
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      // Callers that shared one in-flight fetch all receive its error: record and report it once.
      if (!(error instanceof BackingOff) && error !== lastFailure) {
        lastFailure = error;
        failedAt = Date.now();
        report(error, 'keys-unavailable');
      }
      throw new KeysUnavailable('JWKS unavailable', { cause: error });
    }
  };
}

async function pemKeys(
  pem: string,
  algorithms: readonly AsymmetricAlgorithm[],
): Promise<JWTVerifyGetKey> {
  // createPublicKey would quietly derive the public half: a private key has no business here.
  if (pem.includes('PRIVATE KEY'))
    throw new Error('The identity provider key must be a public key, not a private key');
  let spki: string;
  let keyType: string;
  try {
    // Going through node:crypto also accepts PKCS#1 and X.509 certificate PEMs, which
    // providers hand out as often as SPKI; jose's importSPKI takes SPKI only.
    const publicKey = createPublicKey(pem);
    spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    keyType = publicKey.asymmetricKeyType ?? 'unknown';
  } catch {
    throw new Error(
      'The identity provider public key could not be read as a PEM key or certificate',
    );
  }
  // One key per algorithm, because Web Crypto binds a key to its algorithm; algorithms the key
  // type cannot serve (an RSA key and ES256) are left out and tokens using them fail.
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    try {
      keys.set(alg, await importSPKI(spki, alg));
    } catch {
      // the key does not fit this algorithm
    }
  }
  if (keys.size === 0)
    throw new Error(`The identity provider ${keyType} key fits none of the allowed algorithms`);
  return (header) => {
    const key = keys.get(header.alg);
    if (key === undefined) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'Token is not yet valid';
    if (error.claim === 'iss') return 'Token issuer is not accepted';
    if (error.claim === 'aud') return 'Token audience is not accepted';
    if (error.claim === 'exp' && error.reason === 'missing')
      return 'Token must carry an expiry (exp)';
  }
  // Signature, algorithm, key and format failures share one answer: which one it was helps an
  // attacker more than a client.
  return 'Token is invalid';
}
