import type { StepFailureCode } from '@closeloop/contracts';
import { ownStep,SAAS_LICENSING_V1 } from '@closeloop/contracts';

import type { SeatLicence } from '../saas-admin/saas-admin.connector';

/** The SaaS step of a SaaS licensing journey (SAAS_LICENSING_V1). */
export const LICENCE = ownStep('saas', SAAS_LICENSING_V1, 'licence');

export type LicenceStatus = 'pending' | 'verified' | 'failed' | 'compensated';

/** The seats the account held before the journey: `seats` null when it held none. */
export interface SeatsBefore {
  readonly seats: SeatLicence | null;
}

/** What the SaaS service knows of a licensing journey: the licence asked for (intake) and the checked account (identity). */
export interface LicenceRequest {
  readonly requestId: string;
  readonly employeeId: string;
  readonly app: string | null;
  readonly licenceType: string | null;
  readonly seats: number | null;
  readonly accountId: string | null;
  readonly seatsBefore: SeatsBefore | null;
  readonly status: LicenceStatus;
}

export type ReadyLicence = LicenceRequest & { app: string; licenceType: string; seats: number; accountId: string };

export const hasBothHalves = (request: LicenceRequest): request is ReadyLicence =>
  request.app !== null && request.licenceType !== null && request.seats !== null && request.accountId !== null;

export type LicenceDecision =
  | { readonly kind: 'activated'; readonly licenceType: string; readonly seats: number }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/**
 * Activated only when the SaaS admin tool, read back, reports the requested licence type with the
 * requested seat count, active: not when the approval or the assignment call said so.
 */
export const decideLicence = (want: { app: string; licenceType: string; seats: number }, readBack: SeatLicence | null): LicenceDecision => {
  if (!readBack) return { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${want.app} shows no seats for the account` };
  const problems: string[] = [];
  if (readBack.licenceType !== want.licenceType) problems.push(`licence ${readBack.licenceType} instead of ${want.licenceType}`);
  if (readBack.seats !== want.seats) problems.push(`${readBack.seats} seat(s) instead of ${want.seats}`);
  if (!readBack.active) problems.push('not active');
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${want.app}: ${problems.join('; ')}` }
    : { kind: 'activated', licenceType: readBack.licenceType, seats: readBack.seats };
};

/** Null when the read-back shows the seats as they were before the journey; otherwise what disagrees. */
export const seatsRestoreMismatch = (before: SeatLicence | null, readBack: SeatLicence | null): string | null => {
  if (!before) return readBack ? `still ${readBack.seats} ${readBack.licenceType} seat(s)` : null;
  if (!readBack) return `the ${before.seats} ${before.licenceType} seat(s) held before are gone`;
  return readBack.licenceType === before.licenceType && readBack.seats === before.seats
    ? null
    : `${readBack.seats} ${readBack.licenceType} seat(s) instead of the ${before.seats} ${before.licenceType} held before`;
};
