import { Inject, Injectable, Optional } from '@nestjs/common';

import { API_KEY_VERIFIER, type ApiKeyVerifier } from './api-key-verifier';
import { AuthError } from './auth.errors';
import type { Principal } from './roles';
import { TokenVerifier } from './token-verifier';

/**
 * Who is calling, from the `Authorization` header: `Bearer <JWT>` for people and service accounts
 * (verified against the identity provider's keys), `ApiKey <key>` for upstream systems where the
 * service issues keys. One header for both, so a proxy that strips or logs it is configured once;
 * `X-API-Key` is not read.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenVerifier,
    @Optional() @Inject(API_KEY_VERIFIER) private readonly apiKeys?: ApiKeyVerifier,
  ) {}

  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
    const authorization = headers['authorization'];
    if (authorization === undefined || authorization === '') {
      if (headers['x-api-key'] !== undefined) throw new AuthError('MALFORMED_AUTHORIZATION', 'X-API-Key is not read: send the key as Authorization: ApiKey <key>');
      throw new AuthError('MISSING_CREDENTIALS', `authentication required: send Authorization: Bearer <token>${this.apiKeys ? ' (people) or Authorization: ApiKey <key> (upstream systems)' : ''}`);
    }
    const match = typeof authorization === 'string' ? /^(\S+) +(\S+)$/.exec(authorization.trim()) : null;
    const scheme = match?.[1]?.toLowerCase();
    const credentials = match?.[2];
    if (!credentials || (scheme !== 'bearer' && scheme !== 'apikey')) {
      throw new AuthError('MALFORMED_AUTHORIZATION', this.apiKeys ? 'Authorization header must be "Bearer <token>" or "ApiKey <key>"' : 'Authorization header must be "Bearer <token>"');
    }
    if (scheme === 'bearer') return this.tokens.verify(credentials);
    if (!this.apiKeys) throw new AuthError('UNKNOWN_API_KEY', 'this service takes no API keys (they are for upstream systems calling intake): send Authorization: Bearer <token>');
    return this.apiKeys.authenticate(credentials);
  }
}
