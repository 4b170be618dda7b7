import { NEW_HIRE_V2, ownStep } from '@closeloop/contracts';

import type { Badge } from '../access-control/access-control.connector';
import { type Failed, mismatch } from '../badge-steps/badge-step.domain';
import { BADGE_ZONES, type ZoneMap } from './badge-zones';

/*
 * The badge step of a new hire (NEW_HIRE_V2; version 1 has no badge step, and its requests are
 * left alone).
 *
 * The request names no zone: they are derived from the new hire's groups (`zonesFor`, with the
 * mapping of badge-zones.ts): every badge opens `main-entrance`; group `engineering` adds `lab`,
 * `finance` adds `finance-floor`; any other group adds nothing. So a badge always opens at least
 * one zone.
 *
 * The journey issues a badge of its own (the journey is the order): a retry finds the same badge,
 * and a badge the employee already holds (issued outside Closeloop, or by another journey) is
 * never taken for this one.
 *
 * Done only when the access control system, read back, shows that badge active, the new hire's,
 * opening exactly the derived zones: a badge that opens more doors than asked is a mismatch too.
 *
 * Compensation deactivates the badge this journey issued, and only that one: the employee's other
 * badges are left alone. It is confirmed once the read-back shows the badge inactive. A badge
 * another journey (an offboarding) has deactivated since is left as it is, and that offboarding's
 * compensation never activates it again (see offboarding.domain.ts).
 */
export const NEW_HIRE_BADGE = ownStep('facilities', NEW_HIRE_V2, 'badge');

/** The zones a badge opens for a new hire in these groups, in name order. */
export const zonesFor = (groups: readonly string[], map: ZoneMap = BADGE_ZONES): string[] => [
  ...new Set([...map.everyBadge, ...groups.flatMap((group) => (Object.hasOwn(map.byGroup, group) ? (map.byGroup[group] ?? []) : []))]),
].sort();

export type GrantDecision = { readonly kind: 'verified'; readonly badgeId: string; readonly zones: readonly string[] } | Failed;

/** What the issued badge should read back as. */
export interface ExpectedBadge {
  readonly badgeId: string;
  readonly employeeId: string;
  readonly zones: readonly string[];
}

const sameZones = (a: readonly string[], b: readonly string[]): boolean => [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');

/** Verified only when the read-back shows the issued badge active, the new hire's, with exactly the expected zones. */
export const decideGranted = (expected: ExpectedBadge, readBack: Badge | null): GrantDecision => {
  if (!readBack) return mismatch([`badge ${expected.badgeId} is not in the access control system`]);
  const problems: string[] = [];
  if (readBack.employeeId !== expected.employeeId) problems.push(`badge ${expected.badgeId} belongs to ${readBack.employeeId}`);
  if (!readBack.active) problems.push(`badge ${expected.badgeId} is inactive${readBack.deactivatedFor ? ` (deactivated by journey ${readBack.deactivatedFor})` : ''}`);
  if (!sameZones(readBack.zones, expected.zones)) problems.push(`zones ${readBack.zones.join(', ') || 'none'} instead of ${expected.zones.join(', ')}`);
  return problems.length > 0 ? mismatch(problems) : { kind: 'verified', badgeId: readBack.badgeId, zones: [...readBack.zones].sort() };
};

/** The badge this journey issued, of the employee's badges read back; null when it issued none. */
export const issuedBy = (requestId: string, badges: readonly Badge[]): Badge | null => badges.find((b) => b.issuedFor === requestId) ?? null;

/** Null when the read-back shows the withdrawn badge inactive; otherwise what disagrees. */
export const withdrawalMismatch = (badgeId: string, readBack: Badge | null): string | null => (readBack?.active ? `badge ${badgeId} is still active` : null);

/**
 * What the compensation confirms, from the badge as it was before: deactivated by it; already
 * deactivated by another journey, or never activated, and left as it is.
 */
export const withdrawn = (requestId: string, before: Badge): string => {
  if (before.active || before.deactivatedFor === requestId) return `badge ${before.badgeId} deactivated`;
  if (before.deactivatedFor === null) return `badge ${before.badgeId} was never active; left as it is`;
  return `badge ${before.badgeId} was already deactivated by journey ${before.deactivatedFor}; left as it is`;
};
