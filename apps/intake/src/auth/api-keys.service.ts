import { randomBytes } from 'node:crypto';

import { apiKeyPrincipalId, type ApiKeyVerifier, AuthError, type Principal } from '@closeloop/auth';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';

import { ApiKeyRepository } from './api-key.repository';
import { type ApiKey, apiKeyId, apiKeyMatches, type CreateApiKey, mintApiKey } from './api-keys.domain';
import { ApiKeyError } from './api-keys.errors';

/** API keys of upstream systems: created by an admin (the key is returned once), listed, revoked, and checked on each call. */
@Injectable()
export class ApiKeysService implements ApiKeyVerifier {
  private readonly logger = createLogger(ApiKeysService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(input: CreateApiKey, createdBy: string): Promise<{ key: string; record: ApiKey }> {
    const minted = mintApiKey(input, { idBytes: randomBytes(8), secretBytes: randomBytes(32) }, createdBy, this.clock.now());
    if (!(await this.keys.insert(minted.record))) {
      throw new ApiKeyError('API_KEY_NAME_TAKEN', `an active API key named ${input.name} exists: revoke it first, or choose another name`);
    }
    this.logger.info({ apiKeyId: minted.record.id, name: input.name, roles: minted.record.roles, createdBy }, 'API key created');
    return minted;
  }

  list(limit: number, after?: string): Promise<ApiKey[]> {
    return this.keys.list(limit, after);
  }

  async revoke(id: string, revokedBy: string): Promise<ApiKey> {
    await this.keys.revoke(id, revokedBy, this.clock.now());
    const key = await this.keys.findById(id);
    if (!key) throw new ApiKeyError('API_KEY_NOT_FOUND', `no API key ${id}`);
    this.logger.info({ apiKeyId: id, name: key.name, revokedBy: key.revokedBy }, 'API key revoked');
    return key;
  }

  /** The upstream system a presented key belongs to; the key itself is never logged or stored. */
  async authenticate(key: string): Promise<Principal> {
    const id = apiKeyId(key);
    if (!id) throw new AuthError('MALFORMED_AUTHORIZATION', 'API key is not in the form clk_<16 hex digits>_<43 characters>');
    const record = await this.keys.findById(id);
    if (!record || !apiKeyMatches(record, key)) throw new AuthError('UNKNOWN_API_KEY', `API key ${id} is not recognised`);
    const who = { kind: 'api-key' as const, id: apiKeyPrincipalId(record.name) };
    if (record.revokedAt) throw new AuthError('REVOKED_API_KEY', `API key ${id} (${record.name}) was revoked at ${record.revokedAt.toISOString()}`, who);
    return { ...who, roles: record.roles, groups: [], apiKey: { id: record.id, name: record.name, createdBy: record.createdBy } };
  }
}
