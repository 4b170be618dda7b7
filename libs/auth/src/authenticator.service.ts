import { Injectable } from '@nestjs/common';

import { ApiKeysService } from './api-keys.service';
import { AuthError } from './auth.errors';
import type { Principal } from './roles';
import { TokenVerifier } from './token-verifier';

/**
 * Who is calling, from the `Authorization` header: `Bearer <JWT>` for people (verified against
 * the identity provider's keys), `ApiKey <key>` for upstream systems. One header for both, so a
 * proxy that strips or logs it is configured once; `X-API-Key` is not read.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
    const authorization = headers['authorization'];
    if (authorization === undefined || authorization === '') {
      if (headers['x-api-key'] !== undefined) throw new AuthError('MALFORMED_AUTHORIZATION', 'X-API-Key is not read: send the key as Authorization: ApiKey <key>');
      throw new AuthError('MISSING_CREDENTIALS', 'authentication required: send Authorization: Bearer <token> (people) or Authorization: ApiKey <key> (upstream systems)');
    }
    const match = typeof authorization === 'string' ? /^(\S+) +(\S+)$/.exec(authorization.trim()) : null;
    const scheme = match?.[1]?.toLowerCase();
    const credentials = match?.[2];
    if (!credentials || (scheme !== 'bearer' && scheme !== 'apikey')) {
      throw new AuthError('MALFORMED_AUTHORIZATION', 'Authorization header must be "Bearer <token>" or "ApiKey <key>"');
    }
    return scheme === 'bearer' ? this.tokens.verify(credentials) : this.apiKeys.authenticate(credentials);
  }
}
