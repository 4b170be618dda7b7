import { AccountCompensatedV1, AccountFailedV1, type AccountVerifiedV1, type StepFailureCode } from '@closeloop/contracts';

import type { AccountStepRecord } from './account-step.repository';

/** How every identity step reports: a failure and a compensation on the account's topics. */
export const IDENTITY_REPORTS = { producer: 'identity-domain', failed: AccountFailedV1, compensated: AccountCompensatedV1 };

/** An account step's result: the account, read back, with its groups; or why it failed. */
export type AccountResult =
  | { readonly kind: 'verified'; readonly accountId: string; readonly groups: readonly string[] }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/** The record of an account step after an attempt: the account and its groups as read back, or the failure. */
export const concludeStep = (record: AccountStepRecord, result: AccountResult, now: Date): AccountStepRecord =>
  result.kind === 'verified'
    ? { ...record, accountId: result.accountId, status: 'verified', groups: result.groups, failure: null, updatedAt: now }
    : { ...record, status: 'failed', failure: { code: result.code, reason: result.reason }, updatedAt: now };

/** The verified account, as `identity.account.verified` reports it: enabled, in these groups. */
export const accountVerified = (
  account: { readonly accountId: string; readonly groups: readonly string[] },
  request: { readonly subject: { readonly employeeId: string } },
  at: string,
): AccountVerifiedV1['payload'] => ({ accountId: account.accountId, employeeId: request.subject.employeeId, enabled: true, groups: [...account.groups], verifiedAt: at });
