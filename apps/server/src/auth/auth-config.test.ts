import { describe, expect, it } from 'vitest';
import { configError } from '../../test/config-error.js';
import { DEVELOPMENT_JWT_SECRET, loadConfig } from '../config.js';

// Random, as a production secret must be (openssl rand -base64 24, and two more).
const SECRET = 'q3Xv9LmT2bWk7RzN0cYp5HsJd8FgA1eU';
const OLD_SECRETS = ['Zt6Rw1yKq8NcV3mB0xLp7GdH2sFj5aEu', 'c9UeY4wQ1rTb7KxN3zMv0LpD6hGs2Af8Jk5W'];
const JWKS = {
  JWT_JWKS_URL: 'https://tenant.example/.well-known/jwks.json',
  JWT_ISSUER: 'https://tenant.example/',
  JWT_AUDIENCE: 'https://api.enclave.example',
};
const PEM = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----';

function refused(env: NodeJS.ProcessEnv, message: RegExp): string {
  const text = configError(env);
  expect(text).toMatch(message);
  return text;
}

describe('authentication configuration', () => {
  it('defaults to built-in accounts signing and accepting HS256 only', () => {
    const { jwt, accounts } = loadConfig({});
    expect(jwt).toMatchObject({ algorithms: ['HS256'], provider: undefined, userClaim: 'sub' });
    expect(jwt.previousSecrets).toEqual([]);
    expect(accounts).toEqual({
      enabled: true,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      sessionAbsoluteSeconds: 90 * 86_400,
      throttle: { windowSeconds: 900, maxFailuresPerAccount: 5, maxFailuresPerAddress: 20 },
    });
  });

  it('trusts a JWKS provider beside the accounts, pinned to RS256, ES256 and EdDSA', () => {
    const { jwt } = loadConfig(JWKS);
    expect(jwt.algorithms).toEqual(['HS256', 'RS256', 'ES256', 'EdDSA']);
    expect(jwt.provider).toEqual({
      kind: 'jwks',
      url: JWKS.JWT_JWKS_URL,
      timeoutMs: 3000,
      cooldownMs: 30_000,
      cacheMaxAgeMs: 600_000,
    });
  });

  it('accepts no HMAC token at all when only a provider is trusted', () => {
    const env = { ...JWKS, AUTH_ACCOUNTS: 'off', NODE_ENV: 'production', CURSOR_SECRET: SECRET };
    const { jwt, accounts } = loadConfig(env);
    expect(accounts.enabled).toBe(false);
    expect(jwt.algorithms).toEqual(['RS256', 'ES256', 'EdDSA']);
    expect(jwt.secret).toBeUndefined();
    // Nothing else can then key the list cursors consistently across instances.
    refused({ ...env, CURSOR_SECRET: undefined }, /CURSOR_SECRET must be set/);
    expect(
      loadConfig({ ...env, NODE_ENV: undefined, CURSOR_SECRET: undefined }).warnings,
    ).toContain('CURSOR_SECRET is not set: list cursors use a development key');
  });

  it('reads a one-line PEM with \\n escapes, and the other provider settings', () => {
    const { jwt } = loadConfig({
      JWT_PUBLIC_KEY: PEM.replace(/\n/g, '\\n'),
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'enclave',
      JWT_ALGORITHMS: 'HS256, ES256',
      JWT_USER_CLAIM: 'https://enclave.example/user_id',
    });
    expect(jwt.provider).toEqual({ kind: 'public-key', pem: PEM });
    expect(jwt.algorithms).toEqual(['HS256', 'ES256']);
    expect(jwt.userClaim).toBe('https://enclave.example/user_id');
  });

  it('reads previous secrets for rotation, and holds them to the production rules', () => {
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      JWT_PREVIOUS_SECRETS: OLD_SECRETS.join(', '),
    };
    expect(loadConfig(env).jwt.previousSecrets).toEqual(OLD_SECRETS);
    const message = refused(
      { ...env, JWT_PREVIOUS_SECRETS: 'short-old-secret' },
      /JWT_PREVIOUS_SECRETS must be at least 32 bytes/,
    );
    expect(message).not.toContain('short-old-secret');
    refused({ ...env, JWT_PREVIOUS_SECRETS: DEVELOPMENT_JWT_SECRET }, /development secret/);
    refused(
      { ...env, JWT_PREVIOUS_SECRETS: 'o'.repeat(40) },
      /JWT_PREVIOUS_SECRETS does not look random/,
    );
  });

  it.each([
    [{ ...JWKS, JWT_PUBLIC_KEY: PEM }, /not both/],
    [{ JWT_JWKS_URL: JWKS.JWT_JWKS_URL }, /JWT_ISSUER and JWT_AUDIENCE must be set/],
    [{ JWT_PUBLIC_KEY: PEM, JWT_ISSUER: 'x' }, /JWT_ISSUER and JWT_AUDIENCE must be set/],
    [{ JWT_ALGORITHMS: 'RS256', AUTH_ACCOUNTS: 'off' }, /set JWT_JWKS_URL or JWT_PUBLIC_KEY/],
    [{ ...JWKS, JWT_ALGORITHMS: 'HS256' }, /no public-key algorithm/],
    [{ ...JWKS, JWT_ALGORITHMS: 'RS256' }, /add HS256 to JWT_ALGORITHMS or set AUTH_ACCOUNTS=off/],
    [{ JWT_ALGORITHMS: 'none' }, /JWT_ALGORITHMS/],
    [{ JWT_ALGORITHMS: 'HS256,rs256' }, /JWT_ALGORITHMS/],
    [{ JWT_ALGORITHMS: ' , ' }, /JWT_ALGORITHMS must name at least one algorithm/],
    [{ JWT_JWKS_URL: 'ftp://keys.example', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }, /JWT_JWKS_URL/],
    [
      { JWT_PUBLIC_KEY: 'not a key', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' },
      /JWT_PUBLIC_KEY must be a PEM key/,
    ],
    [{ AUTH_ACCOUNTS: 'no' }, /AUTH_ACCOUNTS/],
    [{ ACCESS_TOKEN_TTL_SECONDS: '10' }, /ACCESS_TOKEN_TTL_SECONDS/],
    [{ TRUST_PROXY: 'yes' }, /TRUST_PROXY/],
  ])('refuses %o', (env, message) => {
    refused(env, message);
  });

  it('wants https for a JWKS URL in production, except on this machine', () => {
    const production = { ...JWKS, NODE_ENV: 'production', JWT_SECRET: SECRET };
    refused({ ...production, JWT_JWKS_URL: 'http://idp.example/jwks' }, /https/);
    expect(
      loadConfig({ ...production, JWT_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).jwt.provider,
    ).toMatchObject({ kind: 'jwks' });
    expect(
      loadConfig({ ...JWKS, JWT_JWKS_URL: 'http://idp.example/jwks' }).jwt.provider,
    ).toMatchObject({ kind: 'jwks' });
  });
});
