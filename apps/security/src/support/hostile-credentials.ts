import { createHmac } from 'node:crypto';

import { ROLES } from '@closeloop/auth';
import type { TestIdentityProvider } from '@closeloop/testing';

export interface LabelledAuthorization {
  readonly label: string;
  /** The whole `Authorization` header value. */
  readonly authorization: string;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Authorization headers no service may take (each must be answered 401): schemes it does not
 * speak, tokens that are not JWTs, `alg: none`, HS256 under the identity provider's key id (the
 * algorithm-confusion forgery), a stripped or swapped signature, another issuer or audience, API
 * keys that do not exist.
 */
export const malformedAuthorizations = async (idp: TestIdentityProvider): Promise<LabelledAuthorization[]> => {
  const claims = { sub: 'forger@acme.test', roles: [...ROLES], expiresIn: '1h' };
  const valid = await idp.token(claims);
  const [header = '', payload = '', signature = ''] = valid.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string };
  const hsHeader = b64({ alg: 'HS256', kid, typ: 'JWT' });
  const hs256 = `${hsHeader}.${payload}.${createHmac('sha256', 'guessable-secret').update(`${hsHeader}.${payload}`).digest('base64url')}`;
  const swapped = b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), sub: 'someone.else@acme.test' });
  return [
    { label: 'the scheme alone', authorization: 'Bearer' },
    { label: 'an empty token', authorization: 'Bearer   ' },
    { label: 'not a JWT', authorization: 'Bearer a.b.c' },
    { label: 'an 8 kB token', authorization: `Bearer ${'x'.repeat(8000)}` },
    { label: 'Basic credentials', authorization: 'Basic dXNlcjpwYXNzd29yZA==' },
    { label: 'an unknown scheme', authorization: `Token ${valid}` },
    { label: 'two tokens', authorization: `Bearer ${valid} ${valid}` },
    { label: 'alg none', authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` },
    { label: "HS256 under the identity provider's key id", authorization: `Bearer ${hs256}` },
    { label: 'the signature stripped', authorization: `Bearer ${header}.${payload}.` },
    { label: 'the payload swapped under a valid signature', authorization: `Bearer ${header}.${swapped}.${signature}` },
    { label: 'another issuer', authorization: `Bearer ${await idp.token(claims, { issuer: 'https://evil.example/' })}` },
    { label: 'another audience', authorization: `Bearer ${await idp.token(claims, { audience: 'another-app' })}` },
    { label: 'an API key nobody issued', authorization: `ApiKey clk_0123456789abcdef_${'A'.repeat(43)}` },
    { label: 'a malformed API key', authorization: 'ApiKey clk_zz' },
  ];
};

const nested = (levels: number): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

/**
 * Tokens the identity provider really signed, with claims nobody should have to store or compare:
 * a NUL or a lone surrogate in `sub`, prototype keys as `sub`, roles and groups, roles as an
 * object, a deeply nested claim. Each holds `roles` and `groups`, so the route lets it in if it
 * is well-formed; the service may answer anything but a 5xx.
 */
export const hostileIdentities = async (idp: TestIdentityProvider, roles: readonly string[], groups: readonly string[]): Promise<LabelledAuthorization[]> => {
  const signed = async (label: string, sub: string, extra: Record<string, unknown> = {}, claims: { roles?: readonly string[]; groups?: readonly string[] } = {}): Promise<LabelledAuthorization> => ({
    label,
    authorization: `Bearer ${await idp.token({ sub, roles: claims.roles ?? roles, groups: claims.groups ?? groups, expiresIn: '1h', extra })}`,
  });
  return Promise.all([
    signed('sub with a NUL', 'nul\u0000sub@acme.test'),
    signed('sub with a lone surrogate', 'half\uD800@acme.test'),
    signed('sub of 200 characters', `${'s'.repeat(190)}@acme.test`),
    signed('sub of 5,000 characters', 's'.repeat(5000)),
    signed('sub __proto__', '__proto__'),
    signed('sub constructor', 'constructor'),
    signed('groups with a NUL and prototype keys', 'groups@acme.test', {}, { groups: [...groups, 'iam-approvers\u0000', '__proto__', 'constructor'] }),
    signed('roles with prototype keys', 'roles@acme.test', {}, { roles: [...roles, '__proto__', 'constructor', 'toString'] }),
    signed('email with a NUL and a lone surrogate', 'email@acme.test', { email: 'a\u0000b\uDC00@acme.test' }),
    signed('a claim nested 500 levels deep', 'nested@acme.test', { nested: nested(500) }),
  ]).then(async (identities) => [
    ...identities,
    // Roles as one string (as `scope` is) are read; as an object they are refused.
    { label: 'roles as one space-separated string', authorization: `Bearer ${await idp.token({ sub: 'spaced@acme.test', groups: [...groups], expiresIn: '1h', extra: { roles: roles.join(' ') } })}` },
    { label: 'roles as an object', authorization: `Bearer ${await idp.token({ sub: 'object@acme.test', groups: [...groups], expiresIn: '1h', extra: { roles: { admin: true } } })}` },
  ]);
};
