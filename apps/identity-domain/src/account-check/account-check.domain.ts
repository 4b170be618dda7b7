import type { StepFailureCode } from '@closeloop/contracts';
import { ownStep,SAAS_LICENSING_V1 } from '@closeloop/contracts';

/** The identity step of a SaaS licensing journey (SAAS_LICENSING_V1). */
export const ACCOUNT_CHECK = ownStep('identity', SAAS_LICENSING_V1, 'account-check');

export interface FoundAccount {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

export type AccountCheckDecision =
  | { readonly kind: 'verified'; readonly accountId: string; readonly groups: readonly string[] }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/**
 * Seats are licensed to an existing, enabled account: the check passes only when the directory
 * holds the subject's account and it is enabled. Nothing is created here; an onboarding journey
 * creates accounts.
 */
export const decideAccountCheck = (employeeId: string, account: FoundAccount | null): AccountCheckDecision => {
  if (!account) {
    return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: `the directory has no account for employee ${employeeId}: licences are assigned to an existing account` };
  }
  if (!account.enabled) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: `the account ${account.accountId} of employee ${employeeId} is disabled` };
  return { kind: 'verified', accountId: account.accountId, groups: [...account.groups] };
};
