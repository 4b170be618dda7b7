import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';

import { AuthError } from './auth.errors';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://idp.acme.test/';
const AUDIENCE = 'closeloop-intake';
const settings = { AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_ROLES_CLAIM: 'roles', AUTH_GROUPS_CLAIM: 'groups', AUTH_CLOCK_TOLERANCE_S: 30 };

interface Key {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  jwk: JWK;
}
const key = async (alg: 'RS256' | 'ES256', kid: string): Promise<Key> => {
  const pair = await generateKeyPair(alg);
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg } };
};

let rsa: Key;
let ec: Key;
let verifier: TokenVerifier;

beforeAll(async () => {
  rsa = await key('RS256', 'rsa-1');
  ec = await key('ES256', 'ec-1');
  verifier = new TokenVerifier(settings, createLocalJWKSet({ keys: [rsa.jwk, ec.jwk] }));
});

const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown>, signer: Key = rsa, set: { iss?: string; aud?: string; exp?: number; sub?: string | null } = {}) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: signer.alg, kid: signer.kid }).setIssuer(set.iss ?? ISSUER).setAudience(set.aud ?? AUDIENCE).setIssuedAt().setExpirationTime(set.exp ?? now() + 600);
  if (set.sub !== null) jwt.setSubject(set.sub ?? 'ada');
  return jwt.sign(signer.privateKey);
};

const failure = async (promise: Promise<unknown>): Promise<AuthError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
};

describe('TokenVerifier', () => {
  it('returns the person: sub, the known roles (others ignored) and the groups', async () => {
    const principal = await verifier.verify(await token({ roles: ['requester', 'approver', 'some-other-app-role'], groups: ['finance-approvers'] }));
    expect(principal).toEqual({ kind: 'user', id: 'ada', roles: ['requester', 'approver'], groups: ['finance-approvers'] });
  });

  it('reads the e-mail claim, and refuses a sub, group or e-mail with NUL, another control character or a lone surrogate (no id a database cannot store)', async () => {
    expect((await verifier.verify(await token({ email: 'ada@acme.test' }))).email).toBe('ada@acme.test');
    for (const sub of ['nul\u0000audit@acme.test', 'tab\tada', 'half\uD800']) {
      expect(await failure(verifier.verify(await token({}, rsa, { sub })))).toMatchObject({ code: 'INVALID_CLAIMS', message: expect.stringContaining('printable characters') });
    }
    expect(await failure(verifier.verify(await token({ groups: ['ok', 'bad\u0000'] })))).toMatchObject({ code: 'INVALID_CLAIMS', message: expect.stringContaining('"groups"') });
    expect(await failure(verifier.verify(await token({ email: 'x\uDC00@acme.test' })))).toMatchObject({ code: 'INVALID_CLAIMS', message: expect.stringContaining('"email"') });
  });

  it('accepts ES256, and reads roles from a dotted claim path', async () => {
    const keycloak = new TokenVerifier({ ...settings, AUTH_ROLES_CLAIM: 'realm_access.roles' }, createLocalJWKSet({ keys: [rsa.jwk, ec.jwk] }));
    expect((await keycloak.verify(await token({ realm_access: { roles: ['auditor'] } }, ec))).roles).toEqual(['auditor']);
  });

  it('allows the clock tolerance on expiry, and no more', async () => {
    expect((await verifier.verify(await token({}, rsa, { exp: now() - 10 }))).id).toBe('ada');
    const expired = await failure(verifier.verify(await token({}, rsa, { exp: now() - 120 })));
    expect(expired.code).toBe('TOKEN_EXPIRED');
    expect(expired.who).toEqual({ kind: 'user', id: 'ada' });
  });

  it('refuses a token signed by another key, with or without a known kid', async () => {
    const stranger = await key('RS256', 'rsa-1');
    const impostor = await failure(verifier.verify(await token({ roles: ['admin'] }, stranger)));
    expect(impostor).toMatchObject({ code: 'BAD_SIGNATURE', who: null });
    const unknownKid = await failure(verifier.verify(await token({}, { ...stranger, kid: 'rsa-9' })));
    expect(unknownKid.code).toBe('BAD_SIGNATURE');
    expect(unknownKid.message).toBe('token is signed with a key the identity provider does not publish');
  });

  it('refuses the wrong issuer or audience, naming the expected one', async () => {
    expect(await failure(verifier.verify(await token({}, rsa, { iss: 'https://evil.test/' })))).toMatchObject({ code: 'WRONG_ISSUER', message: `token was not issued by ${ISSUER}` });
    expect(await failure(verifier.verify(await token({}, rsa, { aud: 'another-api' })))).toMatchObject({ code: 'WRONG_AUDIENCE', message: `token is not meant for this API: its audience does not include ${AUDIENCE}` });
  });

  it('refuses HS256, garbage, a token without sub and a roles claim that is not a list', async () => {
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('ada').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(new Uint8Array(32));
    expect((await failure(verifier.verify(hs))).code).toBe('ALGORITHM_NOT_ACCEPTED');
    expect((await failure(verifier.verify('not.a.jwt'))).code).toBe('MALFORMED_TOKEN');
    expect(await failure(verifier.verify(await token({}, rsa, { sub: null })))).toMatchObject({ code: 'INVALID_CLAIMS', message: 'token has no "sub" claim' });
    expect(await failure(verifier.verify(await token({ roles: { admin: true } })))).toMatchObject({ code: 'INVALID_CLAIMS', message: 'token claim "roles" must be an array of strings' });
  });

  it('says the identity provider is unavailable when its keys cannot be fetched, instead of blaming the caller', async () => {
    const offline = new TokenVerifier(settings, async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    });
    expect((await failure(offline.verify(await token({})))).code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
  });
});
