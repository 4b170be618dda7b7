import type { OwnStep } from '@closeloop/contracts';
import { type StepFailureCode } from '@closeloop/contracts';

/** The identity step of a new-hire journey (NEW_HIRE_V1). */
export const NEW_HIRE_IDENTITY: OwnStep<'new-hire'> = { journeyType: 'new-hire', owner: 'identity', step: 'identity' };

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
