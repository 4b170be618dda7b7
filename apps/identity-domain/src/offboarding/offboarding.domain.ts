import type { StepFailureCode } from '@closeloop/contracts';
import { OFFBOARDING_V1, ownStep } from '@closeloop/contracts';

import { restoreMismatch, type RestorePlan, restorePlan } from '../access-change/access-change.domain';

/**
 * The identity step of an offboarding (OFFBOARDING_V1): the leaver's account taken back.
 *
 * Done only when the directory, read back, shows the account disabled, in no group, with no
 * active session: a disabled account whose sessions still run, or that keeps its groups, still
 * reaches what the leaver reached.
 *
 * An employee the directory has no account for fails the step (PROVISIONING_FAILED, saying so),
 * and is never verified as "nothing to do": the verified event names the account that was read
 * back disabled, and a missing account proves nothing of the kind. It means nothing was
 * disabled: most often the request names the wrong employee (a typo, an id from another system)
 * and the leaver's real account is still enabled, or the account lives in a directory this
 * service does not reach. A person of the step's escalation queue must find the account;
 * compensating such a journey has nothing to undo.
 */
export const OFFBOARDING_ACCOUNT = ownStep('identity', OFFBOARDING_V1, 'account');

/** What the directory holds for the account, read back. */
export interface AccountReadBack {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
  readonly activeSessions: number;
}

type Failed = { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

export type OffboardingDecision = { readonly kind: 'verified'; readonly accountId: string; readonly groups: readonly string[]; readonly sessionsRevoked: number } | Failed;

/** The directory has no account for the leaver: nothing was disabled, and a person must find the account. */
export const noAccountToDisable = (employeeId: string): Failed => ({
  kind: 'failed',
  code: 'PROVISIONING_FAILED',
  reason: `the directory has no account for employee ${employeeId}: nothing was disabled; an offboarding must find the leaver's account to prove it disabled, so a person must check the employee id and where the account is`,
});

const mismatch = (problem: string): Failed => ({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problem}` });

/**
 * Verified only when the read-back shows the account disabled, in no group, and with no active
 * session; `sessionsRevoked` is how many sessions the attempt ended.
 */
export const decideDisabled = (readBack: AccountReadBack | null, sessionsRevoked: number): OffboardingDecision => {
  if (!readBack) return mismatch('the account is no longer in the directory');
  const problems: string[] = [];
  if (readBack.enabled) problems.push('the account is still enabled');
  if (readBack.groups.length > 0) problems.push(`still in group(s) ${readBack.groups.join(', ')}`);
  if (readBack.activeSessions > 0) problems.push(`${readBack.activeSessions} session(s) still active`);
  return problems.length > 0 ? mismatch(problems.join('; ')) : { kind: 'verified', accountId: readBack.accountId, groups: [], sessionsRevoked };
};

/** What a cancelled offboarding gives back: the groups (see `restorePlan`), and whether the account is enabled again. */
export interface ReinstatePlan extends RestorePlan {
  readonly enable: boolean;
  /** Other offboardings of the employee since this one recorded the account: for them, it stays disabled. */
  readonly keptDisabledFor: readonly string[];
}

/**
 * Gives back what this journey took, and only that: the account is enabled again only if it was
 * enabled before the journey, and no other offboarding of the employee has acted since; the
 * groups it was in before go back, except a group another journey removed or granted since (an
 * offboarding since touches every group). Nothing is taken away. The sessions are not given
 * back: the employee signs in again.
 */
export const reinstatePlan = (
  before: { readonly enabled: boolean; readonly groups: readonly string[] },
  touchedByOthers: ReadonlyMap<string, readonly string[]> = new Map(),
  offboardedSince: readonly string[] = [],
): ReinstatePlan => ({
  ...restorePlan(before.groups, { remove: before.groups, grant: [] }, touchedByOthers),
  enable: before.enabled && offboardedSince.length === 0,
  keptDisabledFor: before.enabled ? offboardedSince : [],
});

/** Null when the read-back shows the plan carried out; otherwise what disagrees. */
export const reinstateMismatch = (plan: ReinstatePlan, readBack: AccountReadBack | null): string | null => {
  if (!readBack) return plan.enable || plan.add.length > 0 ? 'the account is no longer in the directory' : null;
  const problems: string[] = [];
  if (plan.enable && !readBack.enabled) problems.push('the account is still disabled');
  const groups = restoreMismatch(plan, readBack);
  if (groups) problems.push(groups);
  return problems.length > 0 ? problems.join('; ') : null;
};

const listed = (groups: readonly string[]) => (groups.length > 0 ? groups.join(', ') : 'none');

/** What the compensation confirms it gave back, and what it left as it was and why. */
export const reinstated = (accountId: string, plan: ReinstatePlan): string => {
  const account =
    plan.enable ? `account ${accountId} enabled again`
    : plan.keptDisabledFor.length > 0 ? `account ${accountId} left disabled, offboarded by another journey since: ${plan.keptDisabledFor.join(', ')}`
    : `account ${accountId} left disabled, as it was before this journey`;
  const leftAlone = plan.leftAlone.map((l) => `${l.group} (${l.by.join(', ')})`).join(', ');
  return [
    account,
    `back in group(s) ${listed(plan.add)}`,
    ...(plan.leftAlone.length > 0 ? [`left alone, changed by another journey since: ${leftAlone}`] : []),
    'sessions are not given back',
  ].join('; ');
};
