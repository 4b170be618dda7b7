import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

import type { Principal, Role } from './roles';

export const ROLES_METADATA = 'closeloop:roles';
export const ACCESS_METADATA = 'closeloop:access';

/**
 * How a route is reached, besides roles: `public` (no credential: the health probes), `scrape`
 * (`/metrics`: open, or the scraper's token when METRICS_TOKEN is set).
 */
export type RouteAccess = { readonly kind: 'public'; readonly why: string } | { readonly kind: 'scrape' };

/** The roles that may call an endpoint (any one of them suffices). A route that declares none, and is not `@Public`, is closed. */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_METADATA, roles);

/** A route anyone may call, with the reason why that is safe (it is shown by the route audit). */
export const Public = (why: string): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_METADATA, { kind: 'public', why } satisfies RouteAccess);

/** The Prometheus scrape route: open, or behind METRICS_TOKEN when it is configured. */
export const ScrapeEndpoint = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_METADATA, { kind: 'scrape' } satisfies RouteAccess);

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

export const attachPrincipal = (request: Request, principal: Principal): void => {
  (request as WithPrincipal)[PRINCIPAL] = principal;
};

/** The authenticated caller of a request, or null (a public route, or authentication failed). */
export const principalOf = (request: Request): Principal | null => (request as WithPrincipal)[PRINCIPAL] ?? null;

/** The authenticated caller: `{ kind: 'user' | 'api-key', id, roles, groups }`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<Request>());
  if (!principal) throw new Error('@CurrentPrincipal() on a route without an authenticated caller');
  return principal;
});
