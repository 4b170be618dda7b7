export { assertNotOwnRequest, assertOwnerOrRole } from './access';
export { AccessDenied } from './auth.errors';
export { AuthModule } from './auth.module';
export { CurrentPrincipal, Roles } from './principal.decorators';
export { RequestedByCaller } from './requested-by-caller.interceptor';
export { type Principal, type Role, ROLES } from './roles';
