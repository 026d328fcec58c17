import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { hs256Config } from '../../test/jwt-config.js';
import type { JwtConfig } from '../config.js';
import { signAccessToken } from './sign-token.js';
import { MAX_TOKEN_LENGTH, verifyAccessToken, type TokenVerdict } from './verify-token.js';

const config = hs256Config();
const SECRET = config.secret!;

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Builds an HMAC token byte by byte, so a test controls exactly what the header and payload
 * hold (jsonwebtoken's own sign() refuses or normalises some of the shapes tried here).
 */
function handSign(
  header: Record<string, unknown>,
  payloadJson: string,
  secret = SECRET,
  hash = 'sha256',
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(payloadJson)}`;
  const signature = createHmac(hash, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

const hs256 = { alg: 'HS256', typ: 'JWT' };
const validClaims = (claims: Record<string, unknown> = {}) =>
  JSON.stringify({ sub: 'user-1', exp: now() + 300, ...claims });

/** The verdict must be a refusal, and nothing in it may echo the credential or the secret. */
function expectRefused(token: string, verdict: TokenVerdict, reason?: string | RegExp): string {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) throw new Error('unreachable');
  expect(verdict.reason.length).toBeGreaterThan(0);
  if (token.length > 0) expect(verdict.reason).not.toContain(token);
  expect(verdict.reason).not.toContain(SECRET);
  for (const segment of token.split('.')) {
    if (segment.length >= 8) expect(verdict.reason).not.toContain(segment);
  }
  if (reason !== undefined) expect(verdict.reason).toMatch(reason);
  return verdict.reason;
}

describe('verifyAccessToken: well-formed tokens', () => {
  it('accepts a token from signAccessToken and returns its subject', () => {
    const token = signAccessToken('user-42', config, 3600);
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: 'user-42' });
  });

  it('round-trips through signAccessToken with issuer, audience and another HMAC algorithm', () => {
    const strict: JwtConfig = {
      ...config,
      algorithm: 'HS512',
      algorithms: ['HS512'],
      issuer: 'https://issuer.example',
      audience: 'enclave-api',
    };
    const token = signAccessToken('user-7', strict, 60);
    expect(verifyAccessToken(token, strict)).toMatchObject({ ok: true, userId: 'user-7' });
    // The same token must not satisfy a server configured without that algorithm.
    expectRefused(
      token,
      verifyAccessToken(token, { ...strict, algorithm: 'HS256', algorithms: ['HS256'] }),
    );
  });

  it('signAccessToken honours the requested lifetime', () => {
    const token = signAccessToken('user-1', config, 120);
    const payload = jwt.decode(token) as jwt.JwtPayload;
    // `iat` in milliseconds (what revocations compare with), `exp` in whole seconds.
    expect(payload.exp! - Math.floor(payload.iat!)).toBe(120);
    expect(payload.sub).toBe('user-1');
    expect(payload.sid).toBeUndefined();
    const inSession = jwt.decode(signAccessToken('user-1', config, 120, 'session-9'));
    expect(inSession).toMatchObject({ sub: 'user-1', sid: 'session-9' });
  });

  it('accepts a hand-built HS256 token, proving the helpers below build real tokens', () => {
    const token = handSign(hs256, validClaims());
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: 'user-1' });
  });

  it('accepts a subject of exactly 255 characters', () => {
    const sub = 'u'.repeat(255);
    const token = handSign(hs256, validClaims({ sub }));
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: sub });
  });

  it('accepts a token of exactly the maximum length', () => {
    let token = '';
    for (let pad = 0; pad < MAX_TOKEN_LENGTH && token.length !== MAX_TOKEN_LENGTH; pad++) {
      token = handSign(hs256, validClaims({ pad: 'x'.repeat(pad) }));
    }
    expect(token.length).toBe(MAX_TOKEN_LENGTH);
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: 'user-1' });
  });
});

describe('verifyAccessToken: signature and algorithm', () => {
  it('rejects a token signed with another secret', () => {
    const token = jwt.sign({ sub: 'user-1' }, 'another-secret-of-sufficient-length-000', {
      expiresIn: 60,
    });
    expectRefused(token, verifyAccessToken(token, config), 'Token is invalid');
  });

  it.each([
    ['empty signature', ''],
    ['signature of another token', handSign(hs256, validClaims()).split('.')[2]!],
  ])('rejects alg "none" with %s', (_label, signature) => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(validClaims())}.${signature}`;
      expectRefused(token, verifyAccessToken(token, config), 'Token is invalid');
    }
  });

  it.each([
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ])('rejects a correctly signed %s token when HS256 is configured', (alg, hash) => {
    const token = handSign({ alg, typ: 'JWT' }, validClaims(), SECRET, hash);
    // Sanity: the same token is good for a server that does use that algorithm.
    expect(
      verifyAccessToken(token, {
        ...config,
        algorithm: alg as JwtConfig['algorithm'],
        algorithms: [alg as JwtConfig['algorithm']],
      }).ok,
    ).toBe(true);
    expectRefused(token, verifyAccessToken(token, config), 'Token is invalid');
  });

  it('rejects an HS256 signature presented under an HS512 header', () => {
    const signingInput = `${base64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }))}.${base64url(validClaims())}`;
    const signature = createHmac('sha256', SECRET).update(signingInput).digest('base64url');
    const token = `${signingInput}.${signature}`;
    expectRefused(
      token,
      verifyAccessToken(token, { ...config, algorithm: 'HS512', algorithms: ['HS512'] }),
    );
  });

  it('rejects an RS256 token', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = jwt.sign({ sub: 'user-1' }, privateKey, { algorithm: 'RS256', expiresIn: 60 });
    expectRefused(token, verifyAccessToken(token, config), 'Token is invalid');
    // Classic key confusion: the public key used as an HMAC secret must not make it valid.
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expectRefused(token, verifyAccessToken(token, { ...config, secret: pem }));
  });

  it('rejects a token whose payload was altered after signing', () => {
    const token = handSign(hs256, validClaims({ sub: 'user-1' }));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = base64url(validClaims({ sub: 'user-2' }));
    const flipped = payload.slice(0, 5) + (payload[5] === 'A' ? 'B' : 'A') + payload.slice(6);
    for (const tampered of [forged, flipped]) {
      const candidate = `${header}.${tampered}.${signature}`;
      expectRefused(candidate, verifyAccessToken(candidate, config), 'Token is invalid');
    }
  });

  it('rejects a token whose signature was altered', () => {
    const token = handSign(hs256, validClaims());
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = token.slice(0, -2) + last + token.slice(-1);
    expectRefused(tampered, verifyAccessToken(tampered, config), 'Token is invalid');
  });

  it.each([
    ['empty string', ''],
    ['one segment', 'abc'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['garbage segments', '!!!.???.***'],
    ['header that is not JSON', `${base64url('not json')}.${base64url(validClaims())}.sig`],
  ])('rejects a malformed token (%s)', (_label, token) => {
    expectRefused(token, verifyAccessToken(token, config), 'Token is invalid');
  });
});

describe('verifyAccessToken: time claims', () => {
  it('rejects an expired token', () => {
    const token = handSign(hs256, validClaims({ exp: now() - 10 }));
    expectRefused(token, verifyAccessToken(token, config), 'Token has expired');
  });

  it('rejects a token that is not yet valid', () => {
    const token = handSign(hs256, validClaims({ nbf: now() + 60 }));
    expectRefused(token, verifyAccessToken(token, config), 'Token is not yet valid');
  });

  it('rejects a token without exp, even when correctly signed', () => {
    const token = handSign(hs256, JSON.stringify({ sub: 'user-1', iat: now() }));
    expectRefused(token, verifyAccessToken(token, config), /expiry \(exp\)/);
  });

  it.each([
    ['a string', '9999999999'],
    ['null', null],
    ['an object', { at: 1 }],
  ])('rejects an exp that is %s', (_label, exp) => {
    const token = handSign(hs256, validClaims({ exp }));
    expectRefused(token, verifyAccessToken(token, config));
  });

  it('applies the configured clock tolerance to exp and nbf', () => {
    const expired = handSign(hs256, validClaims({ exp: now() - 10 }));
    const early = handSign(hs256, validClaims({ nbf: now() + 10 }));
    const tolerant = { ...config, clockToleranceSeconds: 30 };
    expect(verifyAccessToken(expired, tolerant)).toMatchObject({ ok: true, userId: 'user-1' });
    expect(verifyAccessToken(early, tolerant)).toMatchObject({ ok: true, userId: 'user-1' });
    // Tolerance is a bound, not a switch: a token well outside it still fails.
    const longExpired = handSign(hs256, validClaims({ exp: now() - 120 }));
    expectRefused(longExpired, verifyAccessToken(longExpired, tolerant), 'Token has expired');
    expectRefused(expired, verifyAccessToken(expired, config), 'Token has expired');
  });
});

describe('verifyAccessToken: subject', () => {
  const subjectRule = /subject \(sub\)/;

  it('rejects a token without sub', () => {
    const token = handSign(hs256, JSON.stringify({ exp: now() + 60 }));
    expectRefused(token, verifyAccessToken(token, config), subjectRule);
  });

  it.each([
    ['a number', 42],
    ['zero', 0],
    ['an object', { id: 'user-1' }],
    ['an array', ['user-1']],
    ['a boolean', true],
    ['null', null],
    ['empty', ''],
    ['256 characters long', 'u'.repeat(256)],
    ['very long', 'u'.repeat(4000)],
    ['containing NUL', 'user\u00001'],
    ['containing a newline', 'user\n1'],
    ['containing a tab', 'user\t1'],
    ['containing a carriage return', 'user\r1'],
    ['containing ESC', 'user\u001b[31m'],
    ['containing DEL', 'user\u007f'],
    ['containing a C1 control (NEL)', 'user\u0085'],
  ])('rejects a sub that is %s', (_label, sub) => {
    const token = handSign(hs256, validClaims({ sub }));
    expectRefused(token, verifyAccessToken(token, config), subjectRule);
  });

  it('accepts a subject with spaces and non-ASCII letters', () => {
    const token = handSign(hs256, validClaims({ sub: 'Zoë Åström 名前' }));
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: 'Zoë Åström 名前' });
  });
});

describe('verifyAccessToken: payload shape and size', () => {
  it('rejects a token longer than the maximum before looking at it', () => {
    const token = handSign(hs256, validClaims({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expectRefused(token, verifyAccessToken(token, config), 'Token is too large');
  });

  it('rejects an oversized string of junk without trying to parse it', () => {
    const token = 'a'.repeat(1_000_000);
    expectRefused(token, verifyAccessToken(token, config), 'Token is too large');
  });

  it.each([
    ['a JSON string', '"user-1"'],
    ['a JSON number', '12345'],
    ['a JSON array', '["user-1"]'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
    ['not JSON at all', 'user-1'],
  ])('rejects a correctly signed payload that is %s', (_label, payload) => {
    for (const header of [hs256, { alg: 'HS256' }]) {
      const token = handSign(header, payload);
      expectRefused(token, verifyAccessToken(token, config));
    }
  });

  it('names the problem for a JSON-string payload', () => {
    const token = handSign({ alg: 'HS256' }, JSON.stringify('{"sub":"user-1"}'));
    expectRefused(token, verifyAccessToken(token, config), /JSON object/);
  });
});

describe('verifyAccessToken: issuer and audience', () => {
  const strict: JwtConfig = {
    ...config,
    issuer: 'https://issuer.example',
    audience: 'enclave-api',
  };
  const good = { iss: 'https://issuer.example', aud: 'enclave-api' };

  it('accepts the configured issuer and audience', () => {
    const token = handSign(hs256, validClaims(good));
    expect(verifyAccessToken(token, strict)).toMatchObject({ ok: true, userId: 'user-1' });
  });

  it('accepts an audience list that includes the configured audience', () => {
    const token = handSign(hs256, validClaims({ ...good, aud: ['other', 'enclave-api'] }));
    expect(verifyAccessToken(token, strict)).toMatchObject({ ok: true, userId: 'user-1' });
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'https://evil.example'],
    ['differing in case', 'https://ISSUER.example'],
    ['with a trailing slash', 'https://issuer.example/'],
    ['a list', ['https://issuer.example']],
  ])('rejects an issuer that is %s', (_label, iss) => {
    const token = handSign(hs256, validClaims({ ...good, iss }));
    expectRefused(token, verifyAccessToken(token, strict), 'Token issuer is not accepted');
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'other-api'],
    ['a list without it', ['other-api', 'enclave']],
    ['empty', ''],
  ])('rejects an audience that is %s', (_label, aud) => {
    const token = handSign(hs256, validClaims({ ...good, aud }));
    expectRefused(token, verifyAccessToken(token, strict), 'Token audience is not accepted');
  });

  it('ignores iss and aud when none is configured', () => {
    const token = handSign(hs256, validClaims({ iss: 'anyone', aud: 'anything' }));
    expect(verifyAccessToken(token, config)).toMatchObject({ ok: true, userId: 'user-1' });
  });

  it('does not echo the expected issuer or audience, which jsonwebtoken puts in its errors', () => {
    const wrongIssuer = handSign(hs256, validClaims({ ...good, iss: 'x' }));
    const wrongAudience = handSign(hs256, validClaims({ ...good, aud: 'x' }));
    for (const token of [wrongIssuer, wrongAudience]) {
      const reason = expectRefused(token, verifyAccessToken(token, strict));
      expect(reason).not.toContain('issuer.example');
      expect(reason).not.toContain('enclave-api');
    }
  });
});
