import { BadgeCompensatedV1, BadgeFailedV1, type StepFailureCode } from '@closeloop/contracts';

import type { BadgeStepRecord } from './badge-step.repository';

/** How every badge step reports a failure and a compensation: on the badge's topics, with the step's name. */
export const FACILITIES_REPORTS = { producer: 'facilities-domain', failed: BadgeFailedV1, compensated: BadgeCompensatedV1 };

/** A step that did not reach its outcome: why, in the contracts' failure codes, and the target's words. */
export interface Failed {
  readonly kind: 'failed';
  readonly code: StepFailureCode;
  readonly reason: string;
}

export const failed = (code: StepFailureCode, reason: string): Failed => ({ kind: 'failed', code, reason });

/** The read-back contradicts what the access control system answered. */
export const mismatch = (problems: readonly string[]): Failed => failed('VERIFICATION_MISMATCH', `read-back disagrees: ${problems.join('; ')}`);

/** Badge ids as a sentence names them. */
export const listed = (badgeIds: readonly string[]): string => (badgeIds.length > 0 ? badgeIds.join(', ') : 'none');

/** The record of a badge step after an attempt: verified (with what the step keeps of the read-back), or the failure. */
export const concludeStep = (record: BadgeStepRecord, result: { readonly kind: 'verified' } | Failed, kept: Partial<Pick<BadgeStepRecord, 'badgeId' | 'zones'>>, now: Date): BadgeStepRecord =>
  result.kind === 'verified'
    ? { ...record, ...kept, status: 'verified', failure: null, updatedAt: now }
    : { ...record, status: 'failed', failure: { code: result.code, reason: result.reason }, updatedAt: now };
