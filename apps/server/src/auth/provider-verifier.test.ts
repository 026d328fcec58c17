import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { errors } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  handBuiltToken,
  hmacSignedToken,
  startJwksServer,
  type JwksServer,
  type SigningKey,
} from '../../test/jwks-server.js';
import { MAX_TOKEN_LENGTH, type TokenVerdict } from './claims.js';
import {
  createProviderVerifier,
  KEYS_UNAVAILABLE,
  type AsymmetricAlgorithm,
  type KeySource,
  type ProviderVerifier,
  type ProviderVerifierOptions,
} from './provider-verifier.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'enclave-api';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A valid claim set; a claim given as undefined is left out of the token. */
const claims = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  iat: now(),
  exp: now() + 300,
  ...overrides,
});

type JwksSource = Extract<KeySource, { kind: 'jwks' }>;
const jwksSource = (url: string, overrides: Partial<JwksSource> = {}): JwksSource => ({
  kind: 'jwks',
  url,
  timeoutMs: 2_000,
  cooldownMs: 60_000,
  cacheMaxAgeMs: 600_000,
  ...overrides,
});

function verifierFor(
  keys: KeySource,
  overrides: Partial<ProviderVerifierOptions> = {},
): Promise<ProviderVerifier> {
  return createProviderVerifier({
    keys,
    algorithms: ['RS256', 'ES256', 'EdDSA'],
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: 0,
    userClaim: 'sub',
    ...overrides,
  });
}

/** Everything secret or attacker-supplied that a reason must never echo. */
const secrets: string[] = [ISSUER, AUDIENCE];
function remember(key: SigningKey): SigningKey {
  secrets.push(key.publicKeyPem, JSON.stringify(key.publicJwk));
  // A PEM body line or JWK member is as telling as the whole key.
  for (const line of key.publicKeyPem.split('\n')) if (line.length >= 16) secrets.push(line);
  for (const value of Object.values(key.publicJwk))
    if (typeof value === 'string' && value.length >= 16) secrets.push(value);
  return key;
}

/** The verdict must be a refusal, and nothing in it may echo the token, a key or the config. */
function expectRefused(token: string, verdict: TokenVerdict, reason?: string | RegExp): string {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) throw new Error('unreachable');
  expect(verdict.reason.length).toBeGreaterThan(0);
  if (token.length > 0) expect(verdict.reason).not.toContain(token);
  for (const segment of token.split('.'))
    if (segment.length >= 8) expect(verdict.reason).not.toContain(segment);
  for (const secret of secrets) expect(verdict.reason).not.toContain(secret);
  if (reason !== undefined) expect(verdict.reason).toMatch(reason);
  return verdict.reason;
}

let idp: JwksServer;
let keys: Record<'RS256' | 'ES256' | 'EdDSA', SigningKey>;
let verify: ProviderVerifier;

beforeAll(async () => {
  idp = await startJwksServer();
  keys = {
    RS256: remember(await idp.addKey('RS256')),
    ES256: remember(await idp.addKey('ES256')),
    EdDSA: remember(await idp.addKey('EdDSA')),
  };
  verify = await verifierFor(jwksSource(idp.url));
});
afterAll(() => idp.close());

describe('provider verifier: well-formed tokens', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('accepts %s from the JWKS', async (alg) => {
    const token = await keys[alg].sign(claims({ sub: `user-${alg}` }));
    expect(await verify(token)).toMatchObject({ ok: true, userId: `user-${alg}` });
  });

  it('accepts an audience array that contains the expected audience', async () => {
    const token = await keys.RS256.sign(claims({ aud: ['other-api', AUDIENCE] }));
    expect(await verify(token)).toMatchObject({ ok: true, userId: 'user-1' });
  });

  it.each(['https://example.com/user_id', 'uid'])(
    'takes the user id from a configured claim (%s), not sub',
    async (userClaim) => {
      const custom = await verifierFor(jwksSource(idp.url), { userClaim });
      const token = await keys.ES256.sign(claims({ sub: 'not-this', [userClaim]: 'user-9' }));
      expect(await custom(token)).toMatchObject({ ok: true, userId: 'user-9' });
      const without = await keys.ES256.sign(claims());
      expectRefused(without, await custom(without), `Token user claim (${userClaim})`);
    },
  );

  it('refuses a token without a usable sub', async () => {
    for (const sub of [undefined, '', 42, 'a\u0000b', 'x'.repeat(256)]) {
      const token = await keys.RS256.sign(claims({ sub }));
      expectRefused(token, await verify(token), 'Token subject (sub) must be a string');
    }
  });

  it('accepts a large token just under the limit and refuses one over it without fetching', async () => {
    const fill = (size: number) => keys.RS256.sign(claims({ pad: 'x'.repeat(size) }));
    const base = (await fill(0)).length;
    // Each 3 characters of padding add 4 to the base64url payload.
    const nearLimit = await fill(Math.floor(((MAX_TOKEN_LENGTH - base) * 3) / 4) - 3);
    expect(nearLimit.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(nearLimit.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 8);
    expect(await verify(nearLimit)).toMatchObject({ ok: true, userId: 'user-1' });

    const server = await startJwksServer();
    try {
      const fresh = await verifierFor(jwksSource(server.url));
      const tooLarge = await fill(MAX_TOKEN_LENGTH - base + 10);
      expect(tooLarge.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
      expectRefused(tooLarge, await fresh(tooLarge), 'Token is too large');
      expectRefused('x'.repeat(100_000), await fresh('x'.repeat(100_000)), 'Token is too large');
      expect(server.requests).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('provider verifier: algorithms and signatures', () => {
  it.each([
    ['an empty signature', () => ''],
    [
      'the signature of a valid token',
      async () => (await keys.RS256.sign(claims())).split('.')[2]!,
    ],
  ])('refuses alg "none" with %s', async (_label, signature) => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = handBuiltToken(
        { alg, typ: 'JWT', kid: keys.RS256.kid },
        claims(),
        await signature(),
      );
      expectRefused(token, await verify(token), 'Token is invalid');
    }
  });

  it('refuses an HS256 token keyed with the public key PEM or JWK (algorithm confusion)', async () => {
    const pemVerifier = await verifierFor(
      { kind: 'public-key', pem: keys.RS256.publicKeyPem },
      { algorithms: ['RS256'] },
    );
    const publicKeyDer = createPublicKey(keys.RS256.publicKeyPem).export({
      type: 'spki',
      format: 'der',
    });
    for (const secret of [
      keys.RS256.publicKeyPem,
      keys.RS256.publicKeyPem.trim(),
      JSON.stringify(keys.RS256.publicJwk),
      publicKeyDer,
    ]) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const token = hmacSignedToken({ alg, kid: keys.RS256.kid }, claims(), secret);
        expectRefused(token, await verify(token), 'Token is invalid');
        expectRefused(token, await pemVerifier(token), 'Token is invalid');
      }
    }
  });

  it('refuses a correctly signed token whose algorithm is not in the allowlist', async () => {
    const rsOnly = await verifierFor(jwksSource(idp.url), { algorithms: ['RS256'] });
    for (const key of [keys.ES256, keys.EdDSA]) {
      const token = await key.sign(claims());
      expect((await verify(token)).ok).toBe(true);
      expectRefused(token, await rsOnly(token), 'Token is invalid');
    }
    const ecPem = await verifierFor(
      { kind: 'public-key', pem: keys.ES256.publicKeyPem },
      { algorithms: ['ES256'] },
    );
    const rsToken = await keys.RS256.sign(claims());
    expectRefused(rsToken, await ecPem(rsToken), 'Token is invalid');
  });

  it('refuses a header naming another algorithm than the one that signed', async () => {
    const [, payload, signature] = (await keys.ES256.sign(claims())).split('.');
    const relabelled = handBuiltToken(
      { alg: 'RS256', typ: 'JWT', kid: keys.ES256.kid },
      payload!,
      signature,
    );
    expectRefused(relabelled, await verify(relabelled), 'Token is invalid');
  });

  it('refuses a tampered payload and a tampered signature', async () => {
    const token = await keys.RS256.sign(claims());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const otherPayload = handBuiltToken({}, claims({ sub: 'admin' })).split('.')[1]!;
    const tamperedPayload = `${header}.${otherPayload}.${signature}`;
    expectRefused(tamperedPayload, await verify(tamperedPayload), 'Token is invalid');

    const middle = Math.floor(signature.length / 2);
    const flipped = signature[middle] === 'A' ? 'B' : 'A';
    const tamperedSignature = `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
    expectRefused(tamperedSignature, await verify(tamperedSignature), 'Token is invalid');

    const otherSignature = (await keys.RS256.sign(claims({ sub: 'user-2' }))).split('.')[2]!;
    const swapped = `${header}.${payload}.${otherSignature}`;
    expectRefused(swapped, await verify(swapped), 'Token is invalid');
  });

  it('refuses tokens signed by a key the provider does not publish', async () => {
    const sameKid = await createSigningKey('RS256', keys.RS256.kid);
    const unknownKid = await createSigningKey('RS256');
    const noKid = await sameKid.sign(claims(), { kid: undefined });
    for (const token of [await sameKid.sign(claims()), await unknownKid.sign(claims()), noKid]) {
      expectRefused(token, await verify(token), 'Token is invalid');
    }
  });

  it('ignores keys and key URLs the token itself carries (jwk, jku, x5u)', async () => {
    const attacker = await startJwksServer();
    try {
      const attackerKey = await attacker.addKey('RS256', keys.RS256.kid);
      const token = await attackerKey.sign(claims(), {
        jwk: attackerKey.publicJwk,
        jku: attacker.url,
        x5u: attacker.url,
      });
      expectRefused(token, await verify(token), 'Token is invalid');
      expect(attacker.requests).toBe(0);
    } finally {
      await attacker.close();
    }
  });

  it('refuses malformed tokens and payloads that are not a claim set', async () => {
    // Signed by hand: jose refuses to produce some of these shapes.
    const sign = async (payload: string, header: Record<string, unknown> = {}) => {
      const input = `${b64({ alg: 'RS256', kid: keys.RS256.kid, ...header })}.${b64(payload)}`;
      const signature = await crypto.subtle.sign(
        'RSASSA-PKCS1-v1_5',
        keys.RS256.privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    };
    // The helper makes real tokens: a proper claim set signed with it is accepted.
    expect(await verify(await sign(JSON.stringify(claims())))).toMatchObject({
      ok: true,
      userId: 'user-1',
    });
    const tokens = [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '...',
      handBuiltToken('not-base64!', claims(), 'sig'),
      await sign('[1,2,3]'),
      await sign('"a string"'),
      await sign('not json'),
      await sign(JSON.stringify(claims()), { crit: ['x-unknown'], 'x-unknown': 1 }),
      await sign(JSON.stringify(claims()), { b64: false, crit: ['b64'] }),
    ];
    for (const token of tokens) expectRefused(token, await verify(token), 'Token is invalid');
  });
});

describe('provider verifier: claims', () => {
  const verdictFor = async (overrides: Record<string, unknown>, verifier = verify) => {
    const token = await keys.ES256.sign(claims(overrides));
    return { token, verdict: await verifier(token) };
  };

  it.each([
    ['an expired token', { exp: now() - 10 }, 'Token has expired'],
    ['a token not valid before a future time', { nbf: now() + 60 }, 'Token is not yet valid'],
    ['another issuer', { iss: 'https://evil.example/' }, 'Token issuer is not accepted'],
    ['an issuer differing only by a slash', { iss: ISSUER.slice(0, -1) }, /issuer is not accepted/],
    ['no issuer', { iss: undefined }, 'Token issuer is not accepted'],
    ['another audience', { aud: 'other-api' }, 'Token audience is not accepted'],
    ['an audience array without ours', { aud: ['a', 'b'] }, 'Token audience is not accepted'],
    ['no audience', { aud: undefined }, 'Token audience is not accepted'],
    ['no expiry', { exp: undefined }, 'Token must carry an expiry (exp)'],
    ['an expiry that is not a number', { exp: String(now() + 300) }, 'Token is invalid'],
  ])('refuses %s', async (_label, overrides, reason) => {
    const { token, verdict } = await verdictFor(overrides);
    expectRefused(token, verdict, reason);
  });

  it('honours the clock tolerance on exp and nbf, and no further', async () => {
    const tolerant = await verifierFor(jwksSource(idp.url), { clockToleranceSeconds: 30 });
    for (const overrides of [{ exp: now() - 10 }, { nbf: now() + 10 }]) {
      expect((await verdictFor(overrides, tolerant)).verdict).toEqual({
        ok: true,
        userId: 'user-1',
      });
      expectRefused('', (await verdictFor(overrides)).verdict);
    }
    const expired = await verdictFor({ exp: now() - 60 }, tolerant);
    expectRefused(expired.token, expired.verdict, 'Token has expired');
    const early = await verdictFor({ nbf: now() + 60 }, tolerant);
    expectRefused(early.token, early.verdict, 'Token is not yet valid');
  });
});

describe('provider verifier: JWKS caching and rotation', () => {
  it('picks up a new key after the cooldown and drops a removed one after cacheMaxAge', async () => {
    const server = await startJwksServer();
    try {
      const oldKey = await server.addKey('RS256');
      const rotating = await verifierFor(
        jwksSource(server.url, { cooldownMs: 100, cacheMaxAgeMs: 1_000 }),
      );
      const oldToken = await oldKey.sign(claims());
      expect(await rotating(oldToken)).toMatchObject({ ok: true, userId: 'user-1' });
      expect(server.requests).toBe(1);

      const newKey = await server.addKey('ES256');
      const newToken = await newKey.sign(claims({ sub: 'user-2' }));
      await sleep(250); // past the cooldown: the unknown kid may now trigger one refetch
      expect(await rotating(newToken)).toMatchObject({ ok: true, userId: 'user-2' });
      expect(server.requests).toBe(2);
      expect(await rotating(newToken)).toMatchObject({ ok: true, userId: 'user-2' });
      expect(server.requests).toBe(2);

      server.removeKey(oldKey.kid);
      const cachedAt = Date.now();
      const stillCached = await rotating(oldToken);
      // Within cacheMaxAge the cached set still holds the old key (a loaded machine could in
      // theory take longer than that between two lines; only then is this not asserted).
      if (Date.now() - cachedAt < 500) expect(stillCached.ok).toBe(true);
      await sleep(1_300);
      expectRefused(oldToken, await rotating(oldToken), 'Token is invalid');
      expect(await rotating(newToken)).toMatchObject({ ok: true, userId: 'user-2' });
      expect(server.requests).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('does not refetch for an unknown kid within the cooldown', async () => {
    const server = await startJwksServer();
    try {
      await server.addKey('RS256');
      const verifier = await verifierFor(jwksSource(server.url, { cooldownMs: 60_000 }));
      const published = await server.addKey('RS256');
      expect((await verifier(await published.sign(claims()))).ok).toBe(true);
      const later = await server.addKey('RS256');
      const token = await later.sign(claims());
      expectRefused(token, await verifier(token), 'Token is invalid');
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('keeps a flood of random kids to one JWKS fetch, concurrent or sequential', async () => {
    const server = await startJwksServer();
    try {
      const published = await server.addKey('RS256');
      const stranger = await createSigningKey('RS256');
      const verifier = await verifierFor(jwksSource(server.url, { cooldownMs: 60_000 }));
      const flood = () =>
        Promise.all(
          Array.from({ length: 50 }, () => stranger.sign(claims(), { kid: randomUUID() })),
        );
      // A cold cache hit by 50 tokens at once: one shared fetch, then the cooldown holds.
      const concurrent = await Promise.all((await flood()).map((token) => verifier(token)));
      for (const verdict of concurrent) expectRefused('', verdict, 'Token is invalid');
      expect(server.requests).toBe(1);
      for (const token of await flood())
        expectRefused(token, await verifier(token), 'Token is invalid');
      expect(server.requests).toBe(1);
      expect((await verifier(await published.sign(claims()))).ok).toBe(true);
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('provider verifier: the provider failing', () => {
  async function failingProvider(mode: 'down' | 'slow' | 'error500' | 'garbage' | 'not-a-jwks') {
    const server = await startJwksServer();
    const key = await server.addKey('RS256');
    server.setMode(mode);
    const problems: { error: unknown; kind: string }[] = [];
    const verifier = await verifierFor(
      jwksSource(server.url, { timeoutMs: 300, cooldownMs: 600, cacheMaxAgeMs: 60_000 }),
      { onError: (error, kind) => problems.push({ error, kind }) },
    );
    return { server, key, verifier, problems };
  }

  it.each(['down', 'error500', 'garbage', 'not-a-jwks'] as const)(
    'refuses with the keys-unavailable reason when the JWKS is %s, and recovers',
    async (mode) => {
      const { server, key, verifier, problems } = await failingProvider(mode);
      try {
        const token = await key.sign(claims());
        expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
        expect(server.requests).toBe(1);
        expect(problems.map((problem) => problem.kind)).toEqual(['keys-unavailable']);
        // Within the cooldown after a failure no token makes us ask again.
        for (let attempt = 0; attempt < 20; attempt++)
          expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
        expect(server.requests).toBe(1);
        expect(problems).toHaveLength(1);

        server.setMode('ok');
        await sleep(800);
        expect(await verifier(token)).toMatchObject({ ok: true, userId: 'user-1' });
        expect(server.requests).toBe(2);
      } finally {
        await server.close();
      }
    },
  );

  it('gives up on a JWKS that never answers after timeoutMs', async () => {
    const { server, key, verifier, problems } = await failingProvider('slow');
    try {
      const token = await key.sign(claims());
      const started = performance.now();
      expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3_000);
      expect(problems[0]?.error).toBeInstanceOf(errors.JWKSTimeout);
      // The next token inside the cooldown does not wait again.
      const again = performance.now();
      expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
      expect(performance.now() - again).toBeLessThan(250);
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('refuses when nothing listens at the JWKS URL', async () => {
    const server = await startJwksServer();
    const key = await server.addKey('RS256');
    await server.close();
    const verifier = await verifierFor(jwksSource(server.url, { timeoutMs: 300 }));
    const token = await key.sign(claims());
    expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
  });

  it('refuses once the cache is stale and the provider is down', async () => {
    const server = await startJwksServer();
    try {
      const key = await server.addKey('RS256');
      const verifier = await verifierFor(
        jwksSource(server.url, { timeoutMs: 300, cooldownMs: 50, cacheMaxAgeMs: 200 }),
      );
      const token = await key.sign(claims());
      expect((await verifier(token)).ok).toBe(true);
      server.setMode('down');
      await sleep(300);
      expectRefused(token, await verifier(token), KEYS_UNAVAILABLE);
      expect(server.requests).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe('provider verifier: a configured public key', () => {
  it.each([
    ['RS256', 'spki'],
    ['RS256', 'pkcs1'],
    ['ES256', 'spki'],
    ['EdDSA', 'spki'],
  ] as const)('accepts %s with a %s PEM', async (alg, format) => {
    const key = remember(await createSigningKey(alg));
    const pem =
      format === 'spki'
        ? key.publicKeyPem
        : createPublicKey(key.publicKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const verifier = await verifierFor({ kind: 'public-key', pem }, { algorithms: [alg] });
    expect(await verifier(await key.sign(claims()))).toMatchObject({ ok: true, userId: 'user-1' });
    const other = await createSigningKey(alg, key.kid);
    const forged = await other.sign(claims());
    expectRefused(forged, await verifier(forged), 'Token is invalid');
  });

  it('serves the allowed algorithms the key fits and refuses the others', async () => {
    const verifier = await verifierFor(
      { kind: 'public-key', pem: keys.RS256.publicKeyPem },
      { algorithms: ['RS256', 'ES256'] },
    );
    expect((await verifier(await keys.RS256.sign(claims()))).ok).toBe(true);
    const ec = await keys.ES256.sign(claims());
    expectRefused(ec, await verifier(ec), 'Token is invalid');
  });

  it('rejects an unreadable, private or unfitting key without echoing it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string, AsymmetricAlgorithm[], RegExp][] = [
      ['not a key at all', ['RS256'], /could not be read/],
      [
        '-----BEGIN PUBLIC KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\n-----END PUBLIC KEY-----',
        ['RS256'],
        /could not be read/,
      ],
      [privatePem, ['RS256'], /must be a public key/],
      [keys.RS256.publicKeyPem, ['ES256', 'EdDSA'], /fits none of the allowed algorithms/],
      [keys.ES256.publicKeyPem, ['ES384', 'RS256'], /fits none of the allowed algorithms/],
    ];
    for (const [pem, algorithms, message] of cases) {
      const creation = verifierFor({ kind: 'public-key', pem }, { algorithms });
      const error = await creation.then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(Error);
      const text = String((error as Error).message);
      expect(text).toMatch(message);
      for (const line of pem.split('\n')) if (line.length >= 8) expect(text).not.toContain(line);
    }
  });
});

describe('provider verifier: configuration', () => {
  it('refuses symmetric, unknown or no algorithms, and empty expectations', async () => {
    const source = jwksSource(idp.url);
    for (const algorithms of [[], ['HS256'], ['none'], ['RS256', 'HS512']])
      await expect(
        verifierFor(source, { algorithms: algorithms as AsymmetricAlgorithm[] }),
      ).rejects.toThrow(/Allowed algorithms/);
    for (const overrides of [{ issuer: '' }, { audience: '' }, { userClaim: '' }])
      await expect(verifierFor(source, overrides)).rejects.toThrow(/must not be empty/);
    await expect(verifierFor(source, { clockToleranceSeconds: -1 })).rejects.toThrow(/Clock/);
    await expect(verifierFor(jwksSource('not a url'))).rejects.toThrow();
  });
});
