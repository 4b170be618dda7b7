import type { StepFailureCode } from '@closeloop/contracts';
import { ACCESS_CHANGE_V1, ownStep } from '@closeloop/contracts';

/** The identity step of an access change (ACCESS_CHANGE_V1). */
export const DIRECTORY_ACCESS = ownStep('identity', ACCESS_CHANGE_V1, 'directory-access');

/** What the directory holds for the account, read back. */
export interface AccountReadBack {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

/** The groups an access change takes away and the ones it grants. */
export interface GroupsChange {
  readonly remove: readonly string[];
  readonly grant: readonly string[];
}

export type AccessChangeDecision =
  | { readonly kind: 'verified'; readonly accountId: string; readonly groups: readonly string[] }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/** An access change needs the subject's existing account: the directory has none. */
export const noAccount = (employeeId: string): AccessChangeDecision => ({
  kind: 'failed',
  code: 'PROVISIONING_FAILED',
  reason: `the directory has no account for employee ${employeeId}: an access change needs the subject's existing account`,
});

/**
 * Verified only when the directory, read back, shows every removed group gone, every granted
 * group present, and the account still enabled.
 */
export const decideAccessChange = (change: GroupsChange, readBack: AccountReadBack | null): AccessChangeDecision => {
  if (!readBack) return { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the account is no longer in the directory' };
  const problems: string[] = [];
  if (!readBack.enabled) problems.push('the account is disabled');
  const stillIn = change.remove.filter((g) => readBack.groups.includes(g));
  if (stillIn.length > 0) problems.push(`still in removed group(s) ${stillIn.join(', ')}`);
  const missing = change.grant.filter((g) => !readBack.groups.includes(g));
  if (missing.length > 0) problems.push(`not in granted group(s) ${missing.join(', ')}`);
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', accountId: readBack.accountId, groups: [...readBack.groups] };
};

/** What a compensation of an access change does to the groups, and what it leaves alone and why. */
export interface RestorePlan {
  readonly add: string[];
  readonly remove: string[];
  /** Groups this journey changed that another journey has removed or granted since: left as they are. */
  readonly leftAlone: ReadonlyArray<{ readonly group: string; readonly by: readonly string[] }>;
}

/**
 * What compensation changes to undo this journey's own change, and nothing else: a removed group
 * the account was in goes back, a granted group it was not in is taken away. A granted group the
 * account already had, or a removed one it never had, is left alone: compensation never takes
 * away access that was there before, nor gives access that was not. A group another journey
 * removed or granted after this one recorded the groups (`touchedByOthers`, group to journeys) is
 * left alone too: undoing this journey must never undo that one, above all never re-grant a
 * privileged group that another journey took away.
 */
export const restorePlan = (groupsBefore: readonly string[], change: GroupsChange, touchedByOthers: ReadonlyMap<string, readonly string[]> = new Map()): RestorePlan => {
  const undoRemoval = change.remove.filter((g) => groupsBefore.includes(g));
  const undoGrant = change.grant.filter((g) => !groupsBefore.includes(g));
  const untouched = (g: string) => !touchedByOthers.has(g);
  return {
    add: undoRemoval.filter(untouched),
    remove: undoGrant.filter(untouched),
    leftAlone: [...undoRemoval, ...undoGrant].flatMap((group) => {
      const by = touchedByOthers.get(group);
      return by ? [{ group, by }] : [];
    }),
  };
};

/** Null when the read-back shows the plan carried out; otherwise what disagrees. */
export const restoreMismatch = (plan: { add: readonly string[]; remove: readonly string[] }, readBack: AccountReadBack | null): string | null => {
  if (!readBack) return plan.add.length > 0 ? 'the account is no longer in the directory' : null;
  const problems: string[] = [];
  const missing = plan.add.filter((g) => !readBack.groups.includes(g));
  if (missing.length > 0) problems.push(`not back in group(s) ${missing.join(', ')}`);
  const stillIn = plan.remove.filter((g) => readBack.groups.includes(g));
  if (stillIn.length > 0) problems.push(`still in group(s) ${stillIn.join(', ')}`);
  return problems.length > 0 ? problems.join('; ') : null;
};
