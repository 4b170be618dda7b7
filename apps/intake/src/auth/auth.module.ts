import { createLogger } from '@closeloop/observability';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import type { AuthConfig } from '../config/auth.config';
import { AccessDenialRepository } from './access-denial.repository';
import { AccessDenialsController } from './access-denials.controller';
import { AccessDeniedFilter } from './access-denied.filter';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator.service';
import { createKeySource, TokenVerifier } from './token-verifier';

/**
 * Who is calling: the global guard (authentication on every route but the probes, and the roles
 * each route declares), the audit of every 401/403, API key administration and the access-denial
 * audit endpoint.
 */
@Module({})
export class AuthModule {
  static register(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      controllers: [ApiKeysController, AccessDenialsController],
      providers: [
        {
          provide: TokenVerifier,
          useFactory: () => {
            const logger = createLogger(AuthModule.name);
            if (config.AUTH_JWKS_FILE) {
              // Refused by the configuration with NODE_ENV=production; said loudly everywhere else.
              logger.warn({ jwksFile: config.AUTH_JWKS_FILE, nodeEnv: config.NODE_ENV }, 'DEVELOPMENT KEYS: tokens are verified against a local JWKS file (AUTH_JWKS_FILE), not an identity provider; never use this in production');
            }
            logger.info({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, jwks: config.AUTH_JWKS_URL ?? config.AUTH_JWKS_FILE }, 'bearer tokens verified against the identity provider\'s keys');
            return new TokenVerifier(config, createKeySource(config));
          },
        },
        ApiKeyRepository,
        ApiKeysService,
        AccessDenialRepository,
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AccessDeniedFilter },
      ],
    };
  }
}
