import { readFileSync } from 'node:fs';

import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';

import type { AuthConfig } from './auth.config';
import { AuthError } from './auth.errors';
import { isRole, type Principal, type Role } from './roles';

/** Signature algorithms accepted on tokens; everything else (HS256, none, …) is refused before any key is looked up. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256'] as const;
/** Longest `sub` accepted: it becomes a journey's `requestedBy`, which the contracts cap at 200 characters. */
const MAX_SUBJECT = 200;

type TokenSettings = Pick<AuthConfig, 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_ROLES_CLAIM' | 'AUTH_GROUPS_CLAIM' | 'AUTH_CLOCK_TOLERANCE_S'> & Partial<Pick<AuthConfig, 'AUTH_EMAIL_CLAIM'>>;

/**
 * The keys tokens are checked against: the identity provider's JWKS over HTTP (cached; refetched
 * at most every 30 s when a token names an unknown key id, so a key rotation is picked up), or in
 * development a JWKS file read once at start-up.
 */
export const createKeySource = (config: Pick<AuthConfig, 'AUTH_JWKS_URL' | 'AUTH_JWKS_FILE'>): JWTVerifyGetKey => {
  if (config.AUTH_JWKS_URL) {
    return createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), { timeoutDuration: 5000, cooldownDuration: 30000, cacheMaxAge: 10 * 60 * 1000 });
  }
  if (!config.AUTH_JWKS_FILE) throw new Error('neither AUTH_JWKS_URL nor AUTH_JWKS_FILE is set');
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readFileSync(config.AUTH_JWKS_FILE, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    throw new Error(`AUTH_JWKS_FILE ${config.AUTH_JWKS_FILE} is not a readable JWKS JSON file: ${error instanceof Error ? error.message : String(error)}`);
  }
  return createLocalJWKSet(jwks);
};

/**
 * Whether a claim that becomes an id, a group or an e-mail is text people and databases can hold:
 * no control characters (NUL above all: PostgreSQL refuses it) and no lone UTF-16 surrogates.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const printable = (text: string): boolean => !/[\u0000-\u001f\u007f]/.test(text) && !LONE_SURROGATE.test(text);

/** Reads a claim by name or dotted path (`realm_access.roles`). */
const claimAt = (payload: JWTPayload, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload);

/** A list claim: an array of strings, or one space-separated string (as `scope` is). */
const stringList = (value: unknown, claim: string): string[] => {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new AuthError('INVALID_CLAIMS', `token claim "${claim}" must be an array of strings`);
};

/**
 * Verifies a bearer token (signature against the JWKS, issuer, audience, expiry with a small
 * clock tolerance; `exp` and `sub` are required) and returns the person it names. Every failure
 * is an `AuthError` with a message that says what was wrong, never what the token contained.
 */
export class TokenVerifier {
  constructor(
    private readonly config: TokenSettings,
    private readonly keys: JWTVerifyGetKey,
  ) {}

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.AUTH_ISSUER,
        audience: this.config.AUTH_AUDIENCE,
        algorithms: [...ACCEPTED_ALGORITHMS],
        clockTolerance: this.config.AUTH_CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw this.explain(error);
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.trim() === '' || sub.length > MAX_SUBJECT || !printable(sub)) {
      throw new AuthError('INVALID_CLAIMS', `token "sub" must be a non-empty string of at most ${MAX_SUBJECT} printable characters`);
    }
    // Roles this service does not know are another application's: ignored, not an error.
    const roles = [...new Set(stringList(claimAt(payload, this.config.AUTH_ROLES_CLAIM), this.config.AUTH_ROLES_CLAIM).filter(isRole))] as Role[];
    const groups = [...new Set(stringList(claimAt(payload, this.config.AUTH_GROUPS_CLAIM), this.config.AUTH_GROUPS_CLAIM))];
    if (!groups.every(printable)) throw new AuthError('INVALID_CLAIMS', `token claim "${this.config.AUTH_GROUPS_CLAIM}" holds a control character or a lone surrogate`);
    const email = claimAt(payload, this.config.AUTH_EMAIL_CLAIM ?? 'email');
    if (typeof email === 'string' && !printable(email)) throw new AuthError('INVALID_CLAIMS', `token claim "${this.config.AUTH_EMAIL_CLAIM ?? 'email'}" holds a control character or a lone surrogate`);
    return { kind: 'user', id: sub, roles, groups, ...(typeof email === 'string' && email.length <= 320 ? { email } : {}) };
  }

  private explain(error: unknown): AuthError {
    const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = this.config;
    // The claims of a token whose signature verified are trustworthy enough to say who it was.
    const signedBy = (e: { payload: JWTPayload }) => (typeof e.payload.sub === 'string' && e.payload.sub.length <= MAX_SUBJECT ? { kind: 'user' as const, id: e.payload.sub } : null);
    if (error instanceof errors.JWTExpired) {
      return error.claim === 'iat' ? new AuthError('INVALID_CLAIMS', 'token "iat" is too far in the past', signedBy(error)) : new AuthError('TOKEN_EXPIRED', 'token expired: get a new one from the identity provider', signedBy(error));
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      switch (error.claim) {
        case 'iss':
          return new AuthError('WRONG_ISSUER', `token was not issued by ${issuer}`, signedBy(error));
        case 'aud':
          return new AuthError('WRONG_AUDIENCE', `token is not meant for this API: its audience does not include ${audience}`, signedBy(error));
        case 'nbf':
          return new AuthError('TOKEN_NOT_YET_VALID', 'token is not valid yet (nbf is in the future)', signedBy(error));
        default:
          return new AuthError('INVALID_CLAIMS', error.reason === 'missing' ? `token has no "${error.claim}" claim` : `token claim "${error.claim}" is invalid`, signedBy(error));
      }
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return new AuthError('ALGORITHM_NOT_ACCEPTED', `token algorithm is not accepted: sign with ${ACCEPTED_ALGORITHMS.join(' or ')}`);
    if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthError('BAD_SIGNATURE', 'token signature does not verify against the identity provider\'s keys');
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      return new AuthError('BAD_SIGNATURE', 'token is signed with a key the identity provider does not publish');
    }
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
      return new AuthError('MALFORMED_TOKEN', 'bearer token is not a well-formed signed JWT');
    }
    // Timeouts, an unreachable or broken JWKS endpoint: the caller is not at fault.
    return new AuthError('IDENTITY_PROVIDER_UNAVAILABLE', 'tokens cannot be verified now: the identity provider\'s keys are unavailable', null, { cause: error });
  }
}
