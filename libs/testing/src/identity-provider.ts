import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

export interface TestTokenClaims {
  readonly sub: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
  /** A jose time span ('10m', '1h') or seconds; default 10 minutes. */
  readonly expiresIn?: string | number;
  /** Any other claims to put in the token. */
  readonly extra?: Record<string, unknown>;
}

export interface TestTokenOptions {
  readonly issuer?: string;
  readonly audience?: string;
  readonly algorithm?: 'RS256' | 'ES256';
}

export interface TestIdentityProvider {
  /** AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL for a service under test. */
  readonly env: { AUTH_ISSUER: string; AUTH_AUDIENCE: string; AUTH_JWKS_URL: string };
  /** A valid token (RS256 unless told) for a person with these roles and groups. */
  token(claims: TestTokenClaims, options?: TestTokenOptions): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a person with these roles. */
  headers(claims: TestTokenClaims, options?: TestTokenOptions): Promise<{ authorization: string }>;
  /** Signed by a key the provider does not publish; `sameKid` reuses a published key id (the signature fails), otherwise no published key matches. */
  tokenSignedByUnknownKey(claims: TestTokenClaims, options?: { sameKid?: boolean }): Promise<string>;
  /** A token that expired an hour ago (well beyond any clock tolerance). */
  expiredToken(claims: TestTokenClaims): Promise<string>;
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: () => number;
  stop(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
}

const signingKey = async (alg: 'RS256' | 'ES256', kid = `test-${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
};

/**
 * A test identity provider: an RS256 and an ES256 key pair, their JWKS served over HTTP on a free
 * port of 127.0.0.1, and tokens signed with them (or, for negative tests, with other keys).
 */
export const startTestIdentityProvider = async (audience = 'closeloop-intake'): Promise<TestIdentityProvider> => {
  const keys = { RS256: await signingKey('RS256'), ES256: await signingKey('ES256') };
  const jwks = JSON.stringify({ keys: [keys.RS256.publicJwk, keys.ES256.publicJwk] });
  let requests = 0;
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/`;

  const sign = async (key: SigningKey, claims: TestTokenClaims, options: TestTokenOptions = {}, expiresAt?: number): Promise<string> => {
    const payload: Record<string, unknown> = { ...claims.extra };
    if (claims.roles) payload['roles'] = [...claims.roles];
    if (claims.groups) payload['groups'] = [...claims.groups];
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? audience)
      .setJti(randomUUID());
    if (expiresAt === undefined) jwt.setIssuedAt().setExpirationTime(claims.expiresIn ?? '10m');
    else jwt.setIssuedAt(expiresAt - 600).setExpirationTime(expiresAt);
    return jwt.sign(key.privateKey);
  };

  const token = (claims: TestTokenClaims, options: TestTokenOptions = {}) => sign(keys[options.algorithm ?? 'RS256'], claims, options);
  return {
    env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS_URL: `${base}/.well-known/jwks.json` },
    token,
    headers: async (claims, options) => ({ authorization: `Bearer ${await token(claims, options)}` }),
    tokenSignedByUnknownKey: async (claims, options = {}) => sign(await signingKey('RS256', options.sameKid ? keys.RS256.kid : undefined), claims),
    expiredToken: (claims) => sign(keys.RS256, claims, {}, Math.floor(Date.now() / 1000) - 3600),
    jwksRequests: () => requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections(); // keep-alive connections of the service's JWKS client
      }),
  };
};
