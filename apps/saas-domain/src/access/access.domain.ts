import type { StepFailureCode } from '@closeloop/contracts';
import { NEW_HIRE_V1, ownStep } from '@closeloop/contracts';

import type { AccessBefore } from './app-undo.domain';

/** The SaaS step of a new-hire journey (NEW_HIRE_V1). */
export const NEW_HIRE_SAAS = ownStep('saas', NEW_HIRE_V1, 'saas');

export interface RequestedApp {
  readonly app: string;
  readonly role: string;
  readonly licence: string;
}

export interface AppReadBack {
  readonly app: string;
  readonly role: string;
  readonly active: boolean;
  readonly licence: string | null;
}

/** What the SaaS service knows of a journey: the apps (from intake) and the account (from identity). */
export interface AccessRequest {
  readonly requestId: string;
  readonly apps: readonly RequestedApp[] | null;
  readonly accountId: string | null;
  /** What each app held for the account before this journey changed anything; null until recorded (nothing changed yet). */
  readonly accessBefore?: AccessBefore | null;
  /** When (database clock) `accessBefore` was recorded. */
  readonly beforeAt?: Date | null;
  /** compensated: a tombstone; a late forward event for the journey does nothing. */
  readonly status: 'pending' | 'verified' | 'failed' | 'compensated';
}

/** Access is provisioned once both halves have arrived, in whatever order, and only once. */
export const readyToProvision = (request: AccessRequest): request is AccessRequest & { apps: readonly RequestedApp[]; accountId: string } =>
  request.status === 'pending' && request.apps !== null && request.accountId !== null;

export type AccessDecision =
  | { readonly kind: 'verified'; readonly grants: ReadonlyArray<RequestedApp & { active: true; licensed: true }> }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/**
 * Verified only when every app, read back from its admin tool, has the account active, in the
 * requested role, and licensed: the user can sign in.
 */
export const decideAccess = (requested: readonly RequestedApp[], readBacks: ReadonlyArray<AppReadBack | null>): AccessDecision => {
  const problems = requested.flatMap((want, i) => {
    const got = readBacks[i];
    if (!got) return [`${want.app}: no account`];
    const issues: string[] = [];
    if (!got.active) issues.push('account inactive');
    if (got.role !== want.role) issues.push(`role ${got.role} instead of ${want.role}`);
    if (got.licence !== want.licence) issues.push(got.licence ? `licence ${got.licence} instead of ${want.licence}` : 'no licence assigned');
    return issues.map((issue) => `${want.app}: ${issue}`);
  });
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', grants: requested.map((r) => ({ ...r, active: true as const, licensed: true as const })) };
};
