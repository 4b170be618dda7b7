import { targetRefusal } from '@closeloop/participant';

/** A badge as the physical access control system holds it. */
export interface Badge {
  readonly badgeId: string;
  readonly employeeId: string;
  /** The zones whose doors it opens, in name order. */
  readonly zones: readonly string[];
  /** An inactive badge opens no door. */
  readonly active: boolean;
  /** The order (journey) that issued it; null for a badge issued outside Closeloop. */
  readonly issuedFor: string | null;
  /** The order (journey) that deactivated it; null while it is active, or when it was never activated. */
  readonly deactivatedFor: string | null;
}

/** The physical access control system (badges and the zones they open) as the facilities domain sees it. */
export interface AccessControlConnector {
  /**
   * Issues the employee a badge opening these zones for one order (a journey), or returns the one
   * already issued for that order, made active with these zones unless a journey has deactivated
   * it since (that one is left as it is). The employee may hold other badges meanwhile: none is
   * ever taken for the order.
   */
  issueBadge(employeeId: string, zones: readonly string[], orderRef: string): Promise<{ badgeId: string }>;
  /** Reads back every badge of the employee, active or not, in badge-id order. */
  badgesOf(employeeId: string): Promise<Badge[]>;
  /** Deactivates the badge for the order (a leaver, or an issue undone); a badge already inactive is left as it is. */
  deactivateBadge(badgeId: string, orderRef: string, employeeId: string): Promise<void>;
  /** Compensation: activates again a badge the order deactivated; anything else is left alone. */
  reactivateBadge(badgeId: string, orderRef: string, employeeId: string): Promise<void>;
}

export const ACCESS_CONTROL_CONNECTOR = Symbol('ACCESS_CONTROL_CONNECTOR');

/** The access control system refused the change; the reason is its own message. */
export class AccessControlRejectedError extends Error {
  override name = 'AccessControlRejectedError';
}

/** The access control system's refusals: a step's failure, not a reason to try the batch again. */
export const ACCESS_CONTROL_REFUSAL = targetRefusal(AccessControlRejectedError);
