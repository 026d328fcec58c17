import { HMAC_ALGORITHMS, type HmacAlgorithm } from './algorithms.js';
import type { AuthEnv } from './auth-env.js';
import type { AsymmetricAlgorithm, KeySource } from './provider-verifier.js';
import { estimateEntropyBits, MIN_SECRET_ENTROPY_BITS, SECRET_ADVICE } from './secret-entropy.js';

// Signing with a guessable secret lets anyone mint tokens, so this default exists only so a
// developer can start the server with no set-up; production refuses it.
export const DEVELOPMENT_JWT_SECRET = 'enclave-development-secret-not-for-production-use';
const MIN_PRODUCTION_SECRET_BYTES = 32;

export { HMAC_ALGORITHMS, type HmacAlgorithm };
export type TokenAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;
/** What a provider is trusted with when JWT_ALGORITHMS does not narrow it. */
const DEFAULT_PROVIDER_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

export interface JwtConfig {
  /** Signs the built-in accounts' tokens; undefined only when HMAC tokens are not accepted. */
  secret: string | undefined;
  /** Retired secrets, still accepted for verification so a rotation needs no downtime. */
  previousSecrets: readonly string[];
  /** The algorithm of the tokens this server signs. */
  algorithm: HmacAlgorithm;
  /** Every algorithm a token may use; a header naming any other is refused. */
  algorithms: readonly TokenAlgorithm[];
  issuer: string | undefined;
  audience: string | undefined;
  clockToleranceSeconds: number;
  /** The claim of a provider's token that holds the user id; our own tokens use `sub`. */
  userClaim: string;
  /** Where a provider's public keys come from; undefined when no provider is trusted. */
  provider: KeySource | undefined;
}

export interface AccountsConfig {
  enabled: boolean;
  accessTokenTtlSeconds: number;
  /** Idle lifetime: each refresh token lasts this long, but never past the absolute one. */
  refreshTokenTtlSeconds: number;
  /** A session's absolute lifetime from its sign-in, however often it is refreshed. */
  sessionAbsoluteSeconds: number;
  throttle: { windowSeconds: number; maxFailuresPerAccount: number; maxFailuresPerAddress: number };
}

/** Where the settings apply. */
export interface AuthContext {
  production: boolean;
  /** The address the server listens on, when it is not a loopback one (see http/loopback.ts). */
  exposedAt: string | undefined;
}

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

const isHmac = (algorithm: TokenAlgorithm): algorithm is HmacAlgorithm =>
  (HMAC_ALGORITHMS as readonly string[]).includes(algorithm);

function checkProductionSecret(name: string, secret: string): void {
  if (Buffer.byteLength(secret) < MIN_PRODUCTION_SECRET_BYTES) {
    throw new AuthConfigError(
      `${name} must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production ` +
        `(${SECRET_ADVICE})`,
    );
  }
  // Long enough, but published in this file: anyone could mint tokens with it.
  if (secret === DEVELOPMENT_JWT_SECRET) {
    throw new AuthConfigError(
      `${name} must not be the built-in development secret when NODE_ENV=production`,
    );
  }
  // Long enough, but guessable: 32 × "x" passes a length check.
  const bits = Math.floor(estimateEntropyBits(secret));
  if (bits < MIN_SECRET_ENTROPY_BITS) {
    throw new AuthConfigError(
      `${name} does not look random (an estimated ${bits} bits of entropy; at least ` +
        `${MIN_SECRET_ENTROPY_BITS} when NODE_ENV=production): ${SECRET_ADVICE}`,
    );
  }
}

/**
 * Outside production the development secret may sign tokens, but only where no one else can
 * present one: bound to an address others reach (as every container is), anyone could mint a
 * token for any user with the secret published in this file. Refused there, whatever NODE_ENV
 * says, unless JWT_ALLOW_DEVELOPMENT_SECRET=on asks for it, which is then said at every start.
 */
function checkDevelopmentSecretReach(
  inUse: { current: boolean; previous: boolean },
  context: AuthContext,
  allowed: boolean,
  warnings: string[],
): void {
  const host = context.exposedAt;
  if (host === undefined || (!inUse.current && !inUse.previous)) return;
  const which = inUse.current
    ? 'JWT_SECRET is not set (or is the built-in development secret)'
    : 'JWT_PREVIOUS_SECRETS holds the built-in development secret';
  if (allowed) {
    warnings.push(
      `INSECURE: ${which}, and HOST=${host} is reachable from other machines: anyone who can ` +
        'reach this server can sign a token for any user. JWT_ALLOW_DEVELOPMENT_SECRET=on ' +
        'allows it for a throwaway demo only; never with data that matters.',
    );
    return;
  }
  throw new AuthConfigError(
    `${which}, and HOST=${host} is reachable from other machines: anyone could sign a token ` +
      `for any user with the published development secret. Set JWT_SECRET (${SECRET_ADVICE}), ` +
      'or listen on 127.0.0.1; for a throwaway demo only, JWT_ALLOW_DEVELOPMENT_SECRET=on.',
  );
}

function providerOf(e: AuthEnv, production: boolean): KeySource | undefined {
  if (e.JWT_JWKS_URL !== undefined && e.JWT_PUBLIC_KEY !== undefined) {
    throw new AuthConfigError('Set JWT_JWKS_URL or JWT_PUBLIC_KEY, not both');
  }
  if (e.JWT_JWKS_URL !== undefined) {
    const url = new URL(e.JWT_JWKS_URL);
    // Whoever can change the key set in transit can mint tokens for any user.
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    if (production && url.protocol !== 'https:' && !local) {
      throw new AuthConfigError('JWT_JWKS_URL must be an https:// URL when NODE_ENV=production');
    }
    return {
      kind: 'jwks',
      url: e.JWT_JWKS_URL,
      timeoutMs: e.JWT_JWKS_TIMEOUT_MS ?? 3000,
      cooldownMs: (e.JWT_JWKS_COOLDOWN_SECONDS ?? 30) * 1000,
      cacheMaxAgeMs: (e.JWT_JWKS_CACHE_SECONDS ?? 600) * 1000,
    };
  }
  if (e.JWT_PUBLIC_KEY !== undefined) {
    // Deployment tools often hold a variable on one line, so `\n` escapes are accepted.
    return { kind: 'public-key', pem: e.JWT_PUBLIC_KEY.replace(/\\n/g, '\n') };
  }
  return undefined;
}

/**
 * Decides how tokens are issued and verified: built-in accounts (HMAC tokens signed here), an
 * external provider (asymmetric tokens, keys from a JWKS URL or a PEM), or both at once.
 */
export function resolveAuthConfig(
  e: AuthEnv,
  context: AuthContext,
  warnings: string[],
): { jwt: JwtConfig; accounts: AccountsConfig } {
  const { production } = context;
  const provider = providerOf(e, production);
  const accountsEnabled = e.AUTH_ACCOUNTS !== 'off';
  const signing = e.JWT_ALGORITHM ?? 'HS256';
  const algorithms = e.JWT_ALGORITHMS ?? [
    ...(accountsEnabled || provider === undefined ? [signing] : []),
    ...(provider === undefined ? [] : DEFAULT_PROVIDER_ALGORITHMS),
  ];
  const acceptsHmac = algorithms.some(isHmac);
  if (provider === undefined && !acceptsHmac) {
    throw new AuthConfigError(
      'JWT_ALGORITHMS names only public-key algorithms: set JWT_JWKS_URL or JWT_PUBLIC_KEY',
    );
  }
  if (provider !== undefined && algorithms.every(isHmac)) {
    throw new AuthConfigError('JWT_ALGORITHMS names no public-key algorithm for the provider');
  }
  if (accountsEnabled && !algorithms.includes(signing)) {
    throw new AuthConfigError(
      `Built-in accounts sign ${signing} tokens: add ${signing} to JWT_ALGORITHMS or set AUTH_ACCOUNTS=off`,
    );
  }
  // The provider is someone else's: what it signs must be addressed to us, by it.
  if (provider !== undefined && (e.JWT_ISSUER === undefined || e.JWT_AUDIENCE === undefined)) {
    throw new AuthConfigError(
      'JWT_ISSUER and JWT_AUDIENCE must be set when JWT_JWKS_URL or JWT_PUBLIC_KEY is',
    );
  }

  let secret = e.JWT_SECRET;
  const previousSecrets = e.JWT_PREVIOUS_SECRETS ?? [];
  if (acceptsHmac) {
    if (production) {
      if (secret === undefined) {
        throw new AuthConfigError(
          `JWT_SECRET must be set to at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production`,
        );
      }
      checkProductionSecret('JWT_SECRET', secret);
      for (const previous of previousSecrets)
        checkProductionSecret('JWT_PREVIOUS_SECRETS', previous);
    } else if (secret === undefined) {
      secret = DEVELOPMENT_JWT_SECRET;
      warnings.push(
        'JWT_SECRET is not set: using the built-in development secret (never in production)',
      );
    }
    checkDevelopmentSecretReach(
      {
        current: secret === DEVELOPMENT_JWT_SECRET,
        previous: previousSecrets.includes(DEVELOPMENT_JWT_SECRET),
      },
      context,
      e.JWT_ALLOW_DEVELOPMENT_SECRET === 'on',
      warnings,
    );
  } else if (previousSecrets.length > 0) {
    warnings.push('JWT_PREVIOUS_SECRETS is ignored: no HS algorithm is in JWT_ALGORITHMS');
  }

  return {
    jwt: {
      secret: acceptsHmac ? secret : undefined,
      previousSecrets: acceptsHmac ? previousSecrets : [],
      algorithm: signing,
      algorithms,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS ?? 0,
      userClaim: e.JWT_USER_CLAIM ?? 'sub',
      provider,
    },
    accounts: {
      enabled: accountsEnabled,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS ?? 900,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS ?? 30 * 24 * 3600,
      sessionAbsoluteSeconds: (e.SESSION_ABSOLUTE_DAYS ?? 90) * 86_400,
      throttle: {
        windowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS ?? 900,
        maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT ?? 5,
        maxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS ?? 20,
      },
    },
  };
}
