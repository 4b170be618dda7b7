import { OFFBOARDING_V1, ownStep } from '@closeloop/contracts';

import type { Badge } from '../access-control/access-control.connector';
import { type Failed, failed, listed, mismatch } from '../badge-steps/badge-step.domain';

/*
 * The badge step of a leaver's offboarding (OFFBOARDING_V1): every badge of the employee revoked.
 *
 * Before any badge is deactivated, the employee's active badges are read and kept with the
 * journey's record, in a transaction of their own (every attempt adds what it finds; nothing kept
 * is dropped): if the step then fails half-way, compensation still knows what to give back. An
 * attempt deactivates exactly the badges kept, so nothing is deactivated that compensation would
 * not know of; a badge issued meanwhile shows in the read-back, fails the attempt, and the next
 * attempt keeps it first and then deactivates it.
 *
 * Done only when the access control system, read back, shows no active badge of the employee.
 * The verified event names the badges this journey deactivated (`revokedBadges`) and the active
 * ones (`activeBadges`, always empty).
 *
 * An employee with no badge (none at all, or none active) has nothing to revoke: the step is
 * verified with both lists empty, since what it proves holds: the read-back shows no active badge
 * of the employee. Unlike a missing directory account, a leaver without a badge is common
 * (remote staff), and an employee id that names nobody has no badge to open a door either.
 *
 * Compensation (a cancelled offboarding: the employee stays) activates again the badges this
 * journey deactivated, of those it kept, and only those: a badge that was already inactive, or
 * that another journey deactivated, is left alone, and so is a badge whose new-hire journey has
 * been cancelled since (that badge must never open a door again). Confirmed once the read-back
 * shows each of them active.
 */
export const OFFBOARDING_BADGE = ownStep('facilities', OFFBOARDING_V1, 'badge');

export type RevocationDecision = { readonly kind: 'verified'; readonly revokedBadges: readonly string[] } | Failed;

export interface RevocationOrder {
  readonly kind: 'ready';
  readonly badges: readonly string[];
}

/** What a revocation attempt deactivates: the badges kept, once they are (so compensation knows what to give back); nothing before. */
export const revocationOrderOf = (employeeId: string, badgesBefore: readonly string[] | null): RevocationOrder | Failed =>
  badgesBefore === null
    ? failed('PROVISIONING_FAILED', `the badges of ${employeeId} could not be read before the revocation, so none was deactivated; the next attempt reads them first`)
    : { kind: 'ready', badges: badgesBefore };

/** The active badges, of those read back. */
export const activeOf = (badges: readonly Badge[]): string[] => badges.filter((b) => b.active).map((b) => b.badgeId);

/**
 * Verified only when the read-back shows no active badge of the employee; the badges revoked are
 * those of the order the read-back shows deactivated by this journey.
 */
export const decideRevoked = (requestId: string, employeeId: string, order: RevocationOrder, readBack: readonly Badge[]): RevocationDecision => {
  const active = activeOf(readBack);
  if (active.length > 0) return mismatch([`badge(s) ${active.join(', ')} of ${employeeId} still active`]);
  return { kind: 'verified', revokedBadges: readBack.filter((b) => order.badges.includes(b.badgeId) && b.deactivatedFor === requestId).map((b) => b.badgeId).sort() };
};

/** What a cancelled offboarding activates again, and what it leaves alone and why. */
export interface ReactivationPlan {
  readonly reactivate: readonly string[];
  readonly leftAlone: ReadonlyArray<{ readonly badgeId: string; readonly why: string }>;
}

/**
 * The badges kept before the revocation that the read-back shows deactivated by this journey,
 * except those whose issuing journey was cancelled since (`cancelledIssuers`: the journeys, of
 * the badges' issuers, whose badge step was compensated). A kept badge that this journey did not
 * deactivate (it is active, or another journey deactivated it) is none of its business.
 */
export const reactivationPlan = (requestId: string, badgesBefore: readonly string[], readBack: readonly Badge[], cancelledIssuers: ReadonlySet<string>): ReactivationPlan => {
  const reactivate: string[] = [];
  const leftAlone: Array<{ badgeId: string; why: string }> = [];
  for (const badgeId of [...badgesBefore].sort()) {
    const badge = readBack.find((b) => b.badgeId === badgeId);
    if (!badge || badge.active || badge.deactivatedFor !== requestId) continue;
    if (badge.issuedFor !== null && cancelledIssuers.has(badge.issuedFor)) leftAlone.push({ badgeId, why: `its new-hire journey ${badge.issuedFor} was cancelled since` });
    else reactivate.push(badgeId);
  }
  return { reactivate, leftAlone };
};

/** Null when the read-back shows every badge of the plan active again; otherwise what disagrees. */
export const reactivationMismatch = (plan: ReactivationPlan, readBack: readonly Badge[]): string | null => {
  const active = new Set(activeOf(readBack));
  const inactive = plan.reactivate.filter((id) => !active.has(id));
  return inactive.length > 0 ? `badge(s) ${inactive.join(', ')} still inactive` : null;
};

/** What the compensation confirms it gave back, and what it left alone and why. */
export const reactivated = (employeeId: string, plan: ReactivationPlan): string => {
  if (plan.reactivate.length === 0 && plan.leftAlone.length === 0) return `nothing to undo: no badge of ${employeeId} is deactivated by this journey`;
  const given = `badge(s) ${listed(plan.reactivate)} of ${employeeId} active again`;
  return plan.leftAlone.length > 0 ? `${given}; left alone: ${plan.leftAlone.map((l) => `${l.badgeId} (${l.why})`).join(', ')}` : given;
};
