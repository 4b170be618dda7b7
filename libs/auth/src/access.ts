import { AccessDenied } from './auth.errors';
import { hasAnyRole, type Principal, type Role } from './roles';

/**
 * Separation of duties: nobody decides on their own request. Throws 403 (audited) when the
 * approver is the requester; call it before recording an approval or a rejection.
 */
export const assertNotOwnRequest = (principal: Principal, requestedBy: string): void => {
  if (principal.id === requestedBy) {
    throw new AccessDenied('OWN_REQUEST', `separation of duties: ${principal.id} requested this and cannot approve or reject it; another approver must decide`);
  }
};

/**
 * Ownership: a requester acts only on what it requested, unless it also holds one of `roles`
 * (e.g. an operator sees every journey). Throws 403 (audited) without saying who the owner is.
 */
export const assertOwnerOrRole = (principal: Principal, requestedBy: string, roles: readonly Role[], action: string): void => {
  if (principal.id !== requestedBy && !hasAnyRole(principal, roles)) {
    throw new AccessDenied('NOT_OWNER', `${principal.id} may not ${action}: someone else requested it, and only its requester or a caller with role ${roles.join(' or ')} may`);
  }
};
