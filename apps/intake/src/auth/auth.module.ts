import { API_KEY_VERIFIER } from '@closeloop/auth';
import { Global, Module } from '@nestjs/common';

import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

/**
 * API keys of the upstream systems (HR, ITSM), which call intake only: administered here, and
 * checked by the shared authentication (libs/auth) through `API_KEY_VERIFIER`. Every other part
 * of who-is-calling (tokens, roles, the audit of refused calls) is libs/auth's, in every service.
 */
@Global()
@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeyRepository, ApiKeysService, { provide: API_KEY_VERIFIER, useExisting: ApiKeysService }],
  exports: [API_KEY_VERIFIER, ApiKeysService],
})
export class ApiKeysModule {}
