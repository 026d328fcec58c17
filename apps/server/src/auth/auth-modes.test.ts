import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@enclave/client';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUserId, startTestServer, type TestServer } from '../../test/harness.js';
import type { JwtConfig } from '../config.js';
import {
  createSigningKey,
  startJwksServer,
  type JwksServer,
  type SigningKey,
} from '../../test/jwks-server.js';

// End to end through the typed client: the same resource routes, whoever issued the token.

const ISSUER = 'https://idp.example/';
const AUDIENCE = 'https://api.enclave.example';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: string) => Buffer.from(value).toString('base64url');

/** Claims a provider would sign for `user`, valid for five minutes. */
const claimsFor = (user: string, extra: Record<string, unknown> = {}) => ({
  sub: user,
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 300,
  ...extra,
});

/**
 * A server that trusts only the provider behind `jwks` (accounts off, no HMAC), with short
 * JWKS timings so outages and rotations play out within a test.
 */
function providerOnlyServer(jwks: JwksServer, jwt: Partial<JwtConfig>): Promise<TestServer> {
  return startTestServer({
    accounts: { enabled: false },
    jwt: {
      secret: undefined,
      issuer: ISSUER,
      audience: AUDIENCE,
      provider: {
        kind: 'jwks',
        url: jwks.url,
        timeoutMs: 500,
        cooldownMs: 200,
        cacheMaxAgeMs: 60_000,
      },
      ...jwt,
    },
  });
}

async function listAs(server: TestServer, token: string, user: string) {
  return server.clientWithToken(token).tasks.list({ params: { user_id: user } });
}

async function expectRefused(server: TestServer, token: string, user: string, reason?: RegExp) {
  const reply = await listAs(server, token, user);
  expect(reply.status).toBe(401);
  const body = reply.body as { error: string; message: string };
  expect(body.error).toBe('Unauthorized');
  expect(body.message).not.toContain(token);
  if (reason !== undefined) expect(body.message).toMatch(reason);
}

describe('external provider by JWKS (accounts off)', () => {
  let jwks: JwksServer;
  let server: TestServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let ed: SigningKey;

  beforeAll(async () => {
    jwks = await startJwksServer();
    [rsa, ec, ed] = [
      await jwks.addKey('RS256'),
      await jwks.addKey('ES256'),
      await jwks.addKey('EdDSA'),
    ];
    server = await providerOnlyServer(jwks, { algorithms: ['RS256', 'ES256', 'EdDSA'] });
  });

  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  it.each(['RS256', 'ES256', 'EdDSA'])(
    'serves the resources to a %s token of the provider',
    async (alg) => {
      const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg]!;
      const user = `auth0|${randomUUID()}`;
      const client: Client = server.clientWithToken(await key.sign(claimsFor(user)));
      const created = await client.tasks.create({
        params: { user_id: user },
        body: { title: 'From the IdP' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ user_id: user });
      const listed = await client.tasks.list({ params: { user_id: user } });
      expect(listed.body).toMatchObject({ count: 1 });
      // Another user's path is still another user's.
      expect((await client.tasks.list({ params: { user_id: newUserId() } })).status).toBe(403);
    },
  );

  it('refuses an HMAC token, even one signed with the provider public key as the secret', async () => {
    const user = newUserId();
    const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: rsa.kid }))}.${b64(JSON.stringify(claimsFor(user)))}`;
    for (const secret of [rsa.publicKeyPem, JSON.stringify(rsa.publicJwk), 'any-secret']) {
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      await expectRefused(server, token, user, /invalid/);
    }
    // /auth is not served at all in this mode.
    const register = await server.clientWithToken(undefined).auth.register({
      body: { email: 'ann@example.com', password: 'correct horse battery staple' },
    });
    expect(register.status).toBe(404);
  });

  it('refuses alg none, whatever the casing', async () => {
    const user = newUserId();
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${b64(JSON.stringify({ alg, kid: rsa.kid }))}.${b64(JSON.stringify(claimsFor(user)))}.`;
      await expectRefused(server, token, user, /invalid/);
    }
  });

  it.each([
    ['expired', { exp: now() - 60 }, /expired/],
    ['not yet valid', { nbf: now() + 600 }, /not yet valid/],
    ['from another issuer', { iss: 'https://evil.example/' }, /issuer/],
    ['for another audience', { aud: 'https://other.example' }, /audience/],
    ['without an expiry', { exp: undefined }, /exp/],
  ])('refuses a token that is %s', async (_label, extra, reason) => {
    const user = newUserId();
    await expectRefused(server, await rsa.sign(claimsFor(user, extra)), user, reason);
  });

  it('refuses a tampered payload and a key the provider never published', async () => {
    const user = newUserId();
    const [header, , signature] = (await rsa.sign(claimsFor(user))).split('.');
    const victim = newUserId();
    const forged = `${header}.${b64(JSON.stringify(claimsFor(victim)))}.${signature}`;
    await expectRefused(server, forged, victim, /invalid/);
    for (const rogue of [
      await createSigningKey('RS256', rsa.kid),
      await createSigningKey('RS256'),
    ]) {
      await expectRefused(server, await rogue.sign(claimsFor(user)), user, /invalid/);
    }
  });

  it('picks up a key the provider adds later, without a restart', async () => {
    const user = newUserId();
    const rotated = await jwks.addKey('ES256');
    // The cached set predates the key; the unknown kid makes the server fetch again.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await listAs(server, await rotated.sign(claimsFor(user)), user)).status).toBe(200);
  });

  it('answers 401 promptly, not a hang, while the JWKS endpoint is down or slow', async () => {
    const user = newUserId();
    const unseen = await jwks.addKey('RS256');
    for (const mode of ['down', 'slow', 'error500'] as const) {
      jwks.setMode(mode);
      // Past the cooldown, so the unknown kid does send the server to the endpoint.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const started = performance.now();
      await expectRefused(server, await unseen.sign(claimsFor(user)), user, /unavailable|invalid/);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
    // The client hears only "refused"; the operator's log says why.
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: "the identity provider's keys could not be fetched",
      }),
    );
    jwks.setMode('ok');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await listAs(server, await unseen.sign(claimsFor(user)), user)).status).toBe(200);
  });

  it("writes neither the provider's tokens nor its keys to the log", async () => {
    const user = newUserId();
    const good = await rsa.sign(claimsFor(user));
    const expired = await rsa.sign(claimsFor(user, { exp: now() - 60 }));
    for (const token of [good, expired, `${good}x`]) await listAs(server, token, user);
    const written = JSON.stringify(server.logs);
    for (const secret of [good, expired, good.split('.')[2]!, expired.split('.')[2]!]) {
      expect(written).not.toContain(secret);
    }
    expect(written).not.toContain(rsa.publicJwk.n!);
  });
});

describe('a custom user claim', () => {
  let jwks: JwksServer;
  let server: TestServer;
  let key: SigningKey;
  const CLAIM = 'https://enclave.example/user_id';

  beforeAll(async () => {
    jwks = await startJwksServer();
    key = await jwks.addKey('RS256');
    server = await providerOnlyServer(jwks, { algorithms: ['RS256'], userClaim: CLAIM });
  });

  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  it('takes the user id from that claim, not from sub', async () => {
    const user = newUserId();
    const token = await key.sign(claimsFor('provider-internal-id', { [CLAIM]: user }));
    expect((await listAs(server, token, user)).status).toBe(200);
    expect((await listAs(server, token, 'provider-internal-id')).status).toBe(403);
    await expectRefused(server, await key.sign(claimsFor(user)), user, /user claim/);
  });
});

describe('a provider by public key, beside built-in accounts', () => {
  let server: TestServer;
  let key: SigningKey;

  beforeAll(async () => {
    key = await createSigningKey('EdDSA');
    server = await startTestServer({
      jwt: {
        algorithms: ['HS256', 'EdDSA'],
        issuer: ISSUER,
        audience: AUDIENCE,
        provider: { kind: 'public-key', pem: key.publicKeyPem },
      },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("accepts both the provider's tokens and the server's own, on the same routes", async () => {
    const providerUser = newUserId();
    expect(
      (await listAs(server, await key.sign(claimsFor(providerUser)), providerUser)).status,
    ).toBe(200);

    const anonymous = server.clientWithToken(undefined);
    const email = `user-${randomUUID()}@example.com`;
    const password = 'correct horse battery staple';
    const account = await anonymous.auth.register({ body: { email, password } });
    const login = await anonymous.auth.login({ body: { email, password } });
    expect(login.status).toBe(200);
    const own = (login.body as { access_token: string }).access_token;
    const id = (account.body as { id: string }).id;
    // Our own tokens carry the configured issuer and audience too.
    expect(jwt.decode(own)).toMatchObject({ sub: id, iss: ISSUER, aud: AUDIENCE });
    expect((await listAs(server, own, id)).status).toBe(200);
    // An RS256 token is outside this allowlist, whoever signed it.
    const rsa = await createSigningKey('RS256');
    await expectRefused(server, await rsa.sign(claimsFor(providerUser)), providerUser);
  });
});

describe('HS256 secret rotation', () => {
  const current = randomBytes(32).toString('hex');
  const previous = randomBytes(32).toString('hex');
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ jwt: { secret: current, previousSecrets: [previous] } });
  });

  afterAll(async () => {
    await server.close();
  });

  const signed = (secret: string, user: string) =>
    jwt.sign({ sub: user }, secret, { algorithm: 'HS256', expiresIn: 300 });

  it('accepts tokens signed with the current or a previous secret, and no other', async () => {
    const user = newUserId();
    expect((await listAs(server, signed(current, user), user)).status).toBe(200);
    expect((await listAs(server, signed(previous, user), user)).status).toBe(200);
    await expectRefused(server, signed(randomBytes(32).toString('hex'), user), user, /invalid/);
  });

  it('still refuses an expired token signed with a previous secret, as expired', async () => {
    const user = newUserId();
    const expired = jwt.sign({ sub: user, exp: now() - 60 }, previous, { algorithm: 'HS256' });
    await expectRefused(server, expired, user, /expired/);
  });

  it('signs new tokens with the current secret only', async () => {
    const anonymous = server.clientWithToken(undefined);
    const email = `user-${randomUUID()}@example.com`;
    const password = 'correct horse battery staple';
    await anonymous.auth.register({ body: { email, password } });
    const login = await anonymous.auth.login({ body: { email, password } });
    const token = (login.body as { access_token: string }).access_token;
    expect(() => jwt.verify(token, current)).not.toThrow();
    expect(() => jwt.verify(token, previous)).toThrow();
  });
});
