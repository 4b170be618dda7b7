import { createLogger } from '@closeloop/observability';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

import { AccessDenied, AuthError, toHttpException } from './auth.errors';
import { Authenticator } from './authenticator.service';
import { attachPrincipal, ROLES_METADATA } from './principal.decorators';
import { hasAnyRole, type Role } from './roles';

/** The route pattern a request matched (`/journeys/:id`), not the raw path a caller could shape. */
export const routeOf = (request: Request): string => (request.route as { path?: string } | undefined)?.path ?? request.path;

/**
 * Probes stay open: Kubernetes' liveness and readiness checks and Prometheus' scrape carry no
 * credentials. They reveal only whether the service, its database and broker are up, and counters.
 */
const isProbe = (route: string): boolean => route === '/metrics' || route.startsWith('/health/');

/**
 * The global guard: every HTTP route needs an authenticated caller holding one of the roles the
 * route declares with `@Roles(...)`; a route that declares none is closed (fails safe). Kafka
 * handlers are not HTTP and pass.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = createLogger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const route = routeOf(request);
    if (isProbe(route)) return true;
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
}
