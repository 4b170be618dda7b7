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

/** Who a journey belongs to, as far as separation of duties is concerned. */
export interface JourneyParties {
  /** The requester's stable id: a person's `sub`, or `api-key:<name>`. */
  readonly requestedBy: string;
  /** The person the journey is for. */
  readonly subject?: { readonly employeeId: string; readonly email: string } | undefined;
  /** When the journey was requested with an API key: the admin who created that key. */
  readonly apiKeyCreatedBy?: string | undefined;
}

const same = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Separation of duties by stable identity: nobody decides on (approves, resolves, fails) a
 * journey they requested, are the subject of, or that was requested with an API key they
 * created. `action` says what was refused ("resolve this escalation"). Throws a 403 (audited).
 */
export const assertIndependentOf = (principal: Principal, parties: JourneyParties, action: string): void => {
  if (same(principal.id, parties.requestedBy)) {
    throw new AccessDenied('OWN_REQUEST', `separation of duties: ${principal.id} requested this journey and cannot ${action}; someone else must`);
  }
  if (parties.subject && (same(principal.id, parties.subject.employeeId) || same(principal.id, parties.subject.email) || same(principal.email, parties.subject.email))) {
    throw new AccessDenied('OWN_REQUEST', `separation of duties: ${principal.id} is the subject of this journey and cannot ${action}; someone else must`);
  }
  if (same(principal.id, parties.apiKeyCreatedBy)) {
    throw new AccessDenied('OWN_REQUEST', `separation of duties: ${principal.id} created the API key that requested this journey and cannot ${action}; someone else must`);
  }
};
