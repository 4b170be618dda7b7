export { ApiKeysModule } from './auth.module';
export { RequestedByCaller } from './requested-by-caller.interceptor';
export { AccessDenied, assertIndependentOf, assertNotOwnRequest, assertOwnerOrRole, CurrentPrincipal, type Principal, type Role, ROLES,Roles } from '@closeloop/auth';
