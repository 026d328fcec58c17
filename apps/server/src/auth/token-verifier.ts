import type { Logger } from '../logger.js';
import { HMAC_ALGORITHMS } from './algorithms.js';
import type { JwtConfig } from './auth-config.js';
import type { TokenVerifier } from './claims.js';
import { createProviderVerifier, type AsymmetricAlgorithm } from './provider-verifier.js';
import { cachingVerifier } from './token-cache.js';
import { verifyAccessToken } from './verify-token.js';

/** Verifies a bearer token, whoever issued it. */
export type { TokenVerifier };

// The header's `alg`, read only to route the token to the verifier of its kind; each verifier
// pins its own algorithms, so a lying header gains nothing.
function headerAlgorithm(token: string): unknown {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString());
    return typeof header === 'object' && header !== null
      ? (header as { alg?: unknown }).alg
      : undefined;
  } catch {
    return undefined;
  }
}

const hmac = new Set<unknown>(HMAC_ALGORITHMS);

/**
 * The verifier for this configuration: HMAC tokens (ours, by the current or a previous
 * secret) and, when a provider is configured, the provider's public-key tokens. Rejects a
 * provider key that cannot be read, so a bad JWT_PUBLIC_KEY stops the server at start.
 */
export async function createTokenVerifier(
  config: JwtConfig,
  logger: Logger,
  cache: { maxEntries: number; maxAgeMs: number } = { maxEntries: 0, maxAgeMs: 0 },
): Promise<TokenVerifier> {
  const provider =
    config.provider === undefined
      ? undefined
      : await createProviderVerifier({
          keys: config.provider,
          algorithms: config.algorithms.filter(
            (algorithm): algorithm is AsymmetricAlgorithm => !hmac.has(algorithm),
          ),
          // resolveAuthConfig requires both whenever a provider is configured.
          issuer: config.issuer ?? '',
          audience: config.audience ?? '',
          clockToleranceSeconds: config.clockToleranceSeconds,
          userClaim: config.userClaim,
          // The client only hears "refused"; the operator must hear why.
          onError: (error, kind) => {
            if (kind === 'keys-unavailable') {
              logger.warn({ err: error }, "the identity provider's keys could not be fetched");
            } else {
              logger.error({ err: error }, 'unexpected failure verifying a provider token');
            }
          },
        });
  const verify: TokenVerifier = (token) => {
    if (provider !== undefined && !hmac.has(headerAlgorithm(token))) return provider(token);
    return Promise.resolve(verifyAccessToken(token, config));
  };
  return cachingVerifier(verify, {
    ...cache,
    clockToleranceSeconds: config.clockToleranceSeconds,
  });
}
