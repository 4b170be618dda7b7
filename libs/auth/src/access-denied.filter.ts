import { createLogger } from '@closeloop/observability';
import { type ArgumentsHost, Catch, type ExceptionFilter, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';

import { AccessDenialLog } from './access-denial.log';
import { API_KEYS_OFFERED } from './api-key-verifier';
import { AuthenticationFailed } from './auth.errors';
import { routeOf } from './auth.guard';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { principalOf } from './principal.decorators';

const MAX_TEXT = 1000;
const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
/** RFC 6750: a 401 names the schemes it takes; a refused token says why (quoted-string safe). */
const challenge = (realm: string, apiKeys: boolean, reason: string, message: string): string => {
  const offered = apiKeys ? `Bearer realm="${realm}", ApiKey realm="${realm}"` : `Bearer realm="${realm}"`;
  if (reason === 'MISSING_CREDENTIALS' || reason === 'MALFORMED_AUTHORIZATION' || reason.includes('API_KEY')) return offered;
  return `Bearer realm="${realm}", error="invalid_token", error_description="${message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`;
};

/**
 * Every 401 and 403 the service answers, whoever raised it (the guard, an ownership check,
 * separation of duties), is answered with its reason and message, logged, and stored in
 * `<schema>.access_denials` (bounded: AccessDenialLog). Neither the log nor the table ever holds a
 * token or a key.
 */
@Catch(UnauthorizedException, ForbiddenException)
@Injectable()
export class AccessDeniedFilter implements ExceptionFilter<UnauthorizedException | ForbiddenException> {
  private readonly logger = createLogger('AccessDenied');

  private readonly realm: string;

  constructor(
    private readonly denials: AccessDenialLog,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
    @Inject(API_KEYS_OFFERED) private readonly apiKeys: boolean,
  ) {
    this.realm = `closeloop-${options.service}`;
  }

  async catch(exception: UnauthorizedException | ForbiddenException, host: ArgumentsHost): Promise<void> {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const status = exception.getStatus() === 401 ? 401 : 403;
    const answer = exception.getResponse();
    const given = typeof answer === 'object' ? (answer as { reason?: unknown; message?: unknown }) : { message: answer };
    const reason = typeof given.reason === 'string' ? given.reason : status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN';
    const message = typeof given.message === 'string' ? given.message : exception.message;
    const principal = principalOf(request);
    const who = principal ?? (exception instanceof AuthenticationFailed ? exception.who : null);
    const denial = {
      at: new Date(),
      principalKind: who?.kind ?? null,
      principalId: who?.id ?? null,
      method: request.method,
      path: clip(request.path),
      route: clip(routeOf(request)),
      status,
      reason,
      message: clip(message),
      sourceIp: request.ip ?? null,
    } as const;
    this.logger.warn({ status, reason, method: denial.method, path: denial.path, route: routeOf(request), principal: denial.principalId, sourceIp: denial.sourceIp }, `access denied: ${denial.message}`);
    try {
      await this.denials.record(denial);
    } catch (error) {
      // The caller still gets its answer; the lost audit row is an error for the operators.
      this.logger.error({ err: error instanceof Error ? error.message : String(error), reason, path: denial.path }, 'could not record an access denial');
    }
    if (status === 401) response.setHeader('WWW-Authenticate', challenge(this.realm, this.apiKeys, reason, message));
    response.status(status).json({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', reason, message });
  }
}
