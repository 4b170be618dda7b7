import { createLogger } from '@closeloop/observability';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import { AccessDenialLog } from './access-denial.log';
import { AccessDenialsController } from './access-denials.controller';
import { AccessDeniedFilter } from './access-denied.filter';
import { API_KEY_VERIFIER, API_KEYS_OFFERED, type ApiKeyVerifier } from './api-key-verifier';
import { AuthGuard } from './auth.guard';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { Authenticator } from './authenticator.service';
import { createKeySource, TokenVerifier } from './token-verifier';

/**
 * Who is calling, in every service: the global guard (authentication on every route but the
 * public probes, and the roles each route declares), the audit of every 401/403 in the service's
 * own schema, and `GET /access-denials` to read it. A service that issues API keys provides an
 * `API_KEY_VERIFIER` from a global module of its own.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    const { config } = options;
    return {
      module: AuthModule,
      controllers: [AccessDenialsController],
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        {
          provide: TokenVerifier,
          useFactory: () => {
            const logger = createLogger(AuthModule.name);
            if (config.AUTH_JWKS_FILE) {
              // Refused by the configuration with NODE_ENV=production; said loudly everywhere else.
              logger.warn({ jwksFile: config.AUTH_JWKS_FILE, nodeEnv: config.NODE_ENV }, 'DEVELOPMENT KEYS: tokens are verified against a local JWKS file (AUTH_JWKS_FILE), not an identity provider; never use this in production');
            }
            logger.info({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, jwks: config.AUTH_JWKS_URL ?? config.AUTH_JWKS_FILE, metricsToken: Boolean(config.METRICS_TOKEN) }, "bearer tokens verified against the identity provider's keys");
            return new TokenVerifier(config, createKeySource(config));
          },
        },
        { provide: API_KEYS_OFFERED, inject: [{ token: API_KEY_VERIFIER, optional: true }], useFactory: (verifier?: ApiKeyVerifier) => verifier !== undefined },
        Authenticator,
        AccessDenialLog,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AccessDeniedFilter },
      ],
      exports: [AUTH_OPTIONS, Authenticator, AccessDenialLog],
    };
  }
}
