import { createHash, timingSafeEqual } from 'node:crypto';

import { createLogger } from '@closeloop/observability';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { AccessDenied, AuthenticationFailed, AuthError, toHttpException } from './auth.errors';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { Authenticator } from './authenticator.service';
import { ACCESS_METADATA, attachPrincipal, ROLES_METADATA, type RouteAccess } from './principal.decorators';
import { hasAnyRole, type Role } from './roles';

/** The route pattern a request matched (`/journeys/:id`), not the raw path a caller could shape. */
export const routeOf = (request: Request): string => (request.route as { path?: string } | undefined)?.path ?? request.path;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The global guard: every HTTP route needs an authenticated caller holding one of the roles the
 * route declares with `@Roles(...)`; a route that declares none is closed (fails safe), unless it
 * is `@Public(why)` (the health probes) or the `@ScrapeEndpoint()` (open, or the scraper's token
 * when METRICS_TOKEN is set). Kafka handlers are not HTTP and pass.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = createLogger(AuthGuard.name);
  private readonly scrapeToken: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    this.scrapeToken = options.config.METRICS_TOKEN ? digest(options.config.METRICS_TOKEN) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    if (access?.kind === 'public') return true;
    if (access?.kind === 'scrape') return this.checkScrape(request);
    const route = routeOf(request);
    let principal;
    try {
      principal = await this.authenticator.authenticate(request.headers);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.code === 'IDENTITY_PROVIDER_UNAVAILABLE') this.logger.error({ err: error.cause instanceof Error ? error.cause.message : String(error.cause) }, error.message);
      throw toHttpException(error);
    }
    attachPrincipal(request, principal);
    const endpoint = `${request.method} ${route}`;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, [context.getHandler(), context.getClass()]);
    if (!roles?.length) throw new AccessDenied('NO_ROLES_DECLARED', `${endpoint} declares no roles, so nobody may call it`);
    if (!hasAnyRole(principal, roles)) {
      throw new AccessDenied('MISSING_ROLE', `missing role ${roles.join(' or ')} for ${endpoint} (${principal.id} has ${principal.roles.join(', ') || 'no roles'})`);
    }
    return true;
  }

  private checkScrape(request: Request): boolean {
    if (!this.scrapeToken) return true;
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer +(\S+)$/i.exec(header.trim()) : null;
    if (!match?.[1]) throw new AuthenticationFailed('MISSING_CREDENTIALS', 'the metrics need the scraper\'s token: Authorization: Bearer <METRICS_TOKEN>');
    if (!timingSafeEqual(digest(match[1]), this.scrapeToken)) throw new AuthenticationFailed('BAD_SIGNATURE', 'not the scraper\'s token (METRICS_TOKEN)');
    return true;
  }
}
