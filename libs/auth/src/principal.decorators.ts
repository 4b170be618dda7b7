import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

import type { Principal, Role } from './roles';

export const ROLES_METADATA = 'closeloop:roles';

/** The roles that may call an endpoint (any one of them suffices). Every intake endpoint must declare them; one that does not is closed. */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_METADATA, roles);

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

export const attachPrincipal = (request: Request, principal: Principal): void => {
  (request as WithPrincipal)[PRINCIPAL] = principal;
};

/** The authenticated caller of a request, or null (a probe route, or authentication failed). */
export const principalOf = (request: Request): Principal | null => (request as WithPrincipal)[PRINCIPAL] ?? null;

/** The authenticated caller: `{ kind: 'user' | 'api-key', id, roles, groups }`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(context.switchToHttp().getRequest<Request>());
  if (!principal) throw new Error('@CurrentPrincipal() on a route without an authenticated caller');
  return principal;
});
