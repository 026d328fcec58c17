import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';

/** The algorithms a test identity provider can sign with. */
export type SigningAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

/** A key pair of the test identity provider; only its public half is ever published. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
  /** The public key as the JWK the JWKS endpoint publishes (with kid, alg and use). */
  readonly publicJwk: JWK;
  /** For signing what `sign` will not (arbitrary payload bytes, odd headers) with jose directly. */
  readonly privateKey: CryptoKey;
  /**
   * A compact JWT over exactly `claims` (nothing is added: set iss, aud, exp and sub yourself).
   * The header is `{ alg, kid, typ: 'JWT' }` merged with `header`.
   */
  sign(claims: Record<string, unknown>, header?: Partial<JWTHeaderParameters>): Promise<string>;
}

/**
 * How the JWKS endpoint answers: `ok` serves the published keys; `down` closes the connection
 * without a response; `slow` never answers (until close); `error500` answers 500; `garbage`
 * answers 200 with a body that is not JSON; `not-a-jwks` answers 200 with JSON that is not a
 * key set.
 */
export type JwksMode = 'ok' | 'down' | 'slow' | 'error500' | 'garbage' | 'not-a-jwks';

export interface JwksServer {
  /** The JWKS URL (http://127.0.0.1:port/.well-known/jwks.json). */
  readonly url: string;
  /** Requests received on the JWKS URL, whatever the mode answered. */
  readonly requests: number;
  /** Generates a key pair and publishes its public key; `kid` defaults to a random one. */
  addKey(alg: SigningAlgorithm, kid?: string): Promise<SigningKey>;
  /** Publishes a key made elsewhere (e.g. by createSigningKey, or shared with another server). */
  publishKey(key: SigningKey): void;
  /** Stops publishing the key(s) with this kid. */
  removeKey(kid: string): void;
  setMode(mode: JwksMode): void;
  /** Stops the server, cutting any connection still open (e.g. held by `slow`). */
  close(): Promise<void>;
}

export const JWKS_PATH = '/.well-known/jwks.json';

/** A fresh key pair that no server publishes until asked to. */
export async function createSigningKey(
  alg: SigningAlgorithm,
  kid: string = randomUUID(),
): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const publicKeyPem = await exportSPKI(publicKey);
  const signWith = (key: CryptoKey) => (claims: Record<string, unknown>, header?: object) =>
    new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT', ...header }).sign(key);
  return { kid, alg, publicKeyPem, publicJwk, privateKey, sign: signWith(privateKey) };
}

/** Starts a JWKS endpoint on 127.0.0.1 standing in for an identity provider. */
export async function startJwksServer(): Promise<JwksServer> {
  let keys: SigningKey[] = [];
  let mode: JwksMode = 'ok';
  let requests = 0;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url !== JWKS_PATH) {
      response.writeHead(404).end();
      return;
    }
    requests++;
    switch (mode) {
      case 'ok':
        response
          .writeHead(200, { 'content-type': 'application/jwk-set+json' })
          .end(JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
        return;
      case 'down':
        request.socket.destroy();
        return;
      case 'slow':
        return; // closeAllConnections() in close() ends it
      case 'error500':
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' }).end('<html>{"keys":');
        return;
      case 'not-a-jwks':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}');
        return;
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    get requests() {
      return requests;
    },
    async addKey(alg, kid) {
      const key = await createSigningKey(alg, kid);
      keys.push(key);
      return key;
    },
    publishKey(key) {
      keys.push(key);
    },
    removeKey(kid) {
      keys = keys.filter((key) => key.kid !== kid);
    },
    setMode(next) {
      mode = next;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets and requests held by `slow` would otherwise keep close() waiting.
        server.closeAllConnections();
      });
    },
  };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * A compact token built by hand, for attacks a JWT library refuses to produce. Objects are
 * JSON-encoded then base64url-encoded; strings are used verbatim as already-encoded segments.
 */
export function handBuiltToken(
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string,
  signature = '',
): string {
  const segment = (part: Record<string, unknown> | string) =>
    typeof part === 'string' ? part : base64url(JSON.stringify(part));
  return `${segment(header)}.${segment(payload)}.${signature}`;
}

/**
 * An HMAC-signed token (HS256 unless `alg` says otherwise) with `secret` as the key, for
 * algorithm-confusion attacks where the secret is something public such as the provider's PEM.
 */
export function hmacSignedToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Buffer,
): string {
  const alg = typeof header.alg === 'string' ? header.alg : 'HS256';
  const hash = { HS384: 'sha384', HS512: 'sha512' }[alg] ?? 'sha256';
  const signingInput = `${base64url(JSON.stringify({ typ: 'JWT', ...header, alg }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac(hash, secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
