import { NEW_HIRE_V1, ownStep } from '@closeloop/contracts';
import { type StepFailureCode } from '@closeloop/contracts';

/** The identity step of a new-hire journey (NEW_HIRE_V1). */
export const NEW_HIRE_IDENTITY = ownStep('identity', NEW_HIRE_V1, 'identity');

/** What the directory holds for the account, read back after provisioning. */
export interface ReadBack {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

export type AccountDecision =
  | { readonly kind: 'verified'; readonly accountId: string; readonly groups: readonly string[] }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/**
 * The account step is verified only when the directory, read back, agrees with the request:
 * the account exists, is enabled, and is in every requested group.
 */
export const decideAccount = (requestedGroups: readonly string[], readBack: ReadBack | null): AccountDecision => {
  if (!readBack) return { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'directory reported success but the account is not there' };
  const problems: string[] = [];
  if (!readBack.enabled) problems.push('the account is disabled');
  const missing = requestedGroups.filter((g) => !readBack.groups.includes(g));
  if (missing.length > 0) problems.push(`not in group(s) ${missing.join(', ')}`);
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', accountId: readBack.accountId, groups: [...requestedGroups] };
};

/** What is known, under the employee's lock, about who may create or use the employee's directory account. */
export interface OwnershipFacts {
  readonly requestId: string;
  readonly employeeId: string;
  /** The journey that owns the account and is not compensated; null when none does. */
  readonly liveOwner: string | null;
  /** The account the directory already has for the employee; null when it has none. */
  readonly existing: ReadBack | null;
  /** The last owning journey that was compensated (its compensation left the account disabled); null when none. */
  readonly releasedBy: string | null;
}

export type Ownership = { readonly kind: 'owner' } | { readonly kind: 'refused'; readonly code: 'ACCOUNT_EXISTS'; readonly reason: string };

const NEVER_ADOPT = 'a journey never takes over an account it did not create; a person must decide what to do with it';

/**
 * A new hire creates the employee's account and owns it (only its compensation may disable it),
 * or it refuses with ACCOUNT_EXISTS: it never adopts an account that another journey created, or
 * that was made outside Closeloop. The one account it may take over is one whose owning journey
 * was compensated and that is still as that compensation left it (disabled, in no group): the
 * employee is hired again, and undoing this journey leaves it as it found it.
 */
export const decideOwnership = (facts: OwnershipFacts): Ownership => {
  const { requestId, employeeId, liveOwner, existing, releasedBy } = facts;
  if (liveOwner === requestId) return { kind: 'owner' };
  const refused = (why: string): Ownership => ({ kind: 'refused', code: 'ACCOUNT_EXISTS', reason: `${why}: ${NEVER_ADOPT}` });
  if (liveOwner !== null) {
    return refused(`the directory account of employee ${employeeId}${existing ? ` (${existing.accountId})` : ''} belongs to journey ${liveOwner}`);
  }
  if (!existing) return { kind: 'owner' };
  if (releasedBy === null) return refused(`the directory already has account ${existing.accountId} for employee ${employeeId}, and no Closeloop journey created it`);
  if (existing.enabled || existing.groups.length > 0) {
    return refused(`account ${existing.accountId} of employee ${employeeId} was disabled when journey ${releasedBy} was compensated, but has been enabled or given groups since`);
  }
  return { kind: 'owner' };
};
