import type { StepFailureCode } from '@closeloop/contracts';
import { ACCESS_CHANGE_V1, ownStep } from '@closeloop/contracts';

import type { AppReadBack, RequestedApp } from '../access/access.domain';
import type { AccessBefore } from '../access/app-undo.domain';

export { type AccessBefore, type PriorAccess, priorAccess, restoreMismatch, restoreTarget } from '../access/app-undo.domain';

/** The SaaS step of an access change (ACCESS_CHANGE_V1). */
export const APP_ACCESS = ownStep('saas', ACCESS_CHANGE_V1, 'app-access');

export type RequestStatus = 'pending' | 'verified' | 'failed' | 'compensated';

/** What the SaaS service knows of an access change: the apps (from intake) and the account (from identity). */
export interface AppAccessChange {
  readonly requestId: string;
  readonly employeeId: string;
  readonly removeApps: readonly string[] | null;
  readonly grantApps: readonly RequestedApp[] | null;
  readonly accountId: string | null;
  readonly accessBefore: AccessBefore | null;
  /** When (database clock) the apps before were recorded. */
  readonly beforeAt?: Date | null;
  readonly status: RequestStatus;
}

export type ReadyChange = AppAccessChange & { removeApps: readonly string[]; grantApps: readonly RequestedApp[]; accountId: string };

/** Both halves have arrived, in whatever order: the request, and the account whose groups identity changed. */
export const hasBothHalves = (change: AppAccessChange): change is ReadyChange =>
  change.removeApps !== null && change.grantApps !== null && change.accountId !== null;

/** The apps the change touches: the removed ones, then the granted ones. */
export const touchedApps = (change: ReadyChange): string[] => [...change.removeApps, ...change.grantApps.map((g) => g.app)];

export type AppAccessDecision =
  | { readonly kind: 'verified'; readonly grants: ReadonlyArray<RequestedApp & { active: true }> }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/** An app no longer gives the account access when it does not know it, or knows it as inactive. */
const revoked = (readBack: AppReadBack | null) => readBack === null || !readBack.active;

/**
 * Verified only when every removed app, read back, no longer lets the account in, and every
 * granted app has it active, in the requested role, with the requested licence.
 */
export const decideAppAccessChange = (
  change: { removeApps: readonly string[]; grantApps: readonly RequestedApp[] },
  removedReadBacks: ReadonlyArray<AppReadBack | null>,
  grantedReadBacks: ReadonlyArray<AppReadBack | null>,
): AppAccessDecision => {
  const problems = [
    ...change.removeApps.flatMap((app, i) => (revoked(removedReadBacks[i] ?? null) ? [] : [`${app}: access still active`])),
    ...change.grantApps.flatMap((want, i) => {
      const got = grantedReadBacks[i];
      if (!got) return [`${want.app}: no account`];
      const issues: string[] = [];
      if (!got.active) issues.push('account inactive');
      if (got.role !== want.role) issues.push(`role ${got.role} instead of ${want.role}`);
      if (got.licence !== want.licence) issues.push(got.licence ? `licence ${got.licence} instead of ${want.licence}` : 'no licence assigned');
      return issues.map((issue) => `${want.app}: ${issue}`);
    }),
  ];
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', grants: change.grantApps.map((g) => ({ ...g, active: true as const })) };
};
