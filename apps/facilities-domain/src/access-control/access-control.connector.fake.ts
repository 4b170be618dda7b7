import { type AccessControlConnector, AccessControlRejectedError, type Badge } from './access-control.connector';

/**
 * The access control system in memory, for service tests: the simulator's rules, with switches
 * for a refusal, an outage and changes that are answered with success but not made.
 */
export class InMemoryAccessControl implements AccessControlConnector {
  readonly badges = new Map<string, Badge>();
  /** The system refuses every change (a refusal: the step fails). */
  refuse = false;
  /** The system cannot be reached (not a refusal: the batch is tried again). */
  unreachable = false;
  /** The system answers every change with success and makes none. */
  ignoreChanges = false;
  private next = 1;

  /** A badge that is already there (issued outside the journey under test, unless `issuedFor` says by which). */
  has(badgeId: string, employeeId: string, zones: readonly string[], active = true, issuedFor: string | null = null): Badge {
    const badge = { badgeId, employeeId, zones: [...zones].sort(), active, issuedFor, deactivatedFor: null };
    this.badges.set(badgeId, badge);
    return badge;
  }

  async issueBadge(employeeId: string, zones: readonly string[], orderRef: string): Promise<{ badgeId: string }> {
    this.check(`a badge for ${employeeId}`);
    const existing = [...this.badges.values()].find((b) => b.issuedFor === orderRef);
    if (existing) {
      if (!this.ignoreChanges && existing.deactivatedFor === null) this.update(existing.badgeId, { active: true, zones: [...zones].sort() });
      return existing;
    }
    let badgeId = `B-${this.next++}`;
    while (this.badges.has(badgeId)) badgeId = `B-${this.next++}`;
    this.badges.set(badgeId, { badgeId, employeeId, zones: [...zones].sort(), active: !this.ignoreChanges, issuedFor: orderRef, deactivatedFor: null });
    return { badgeId };
  }

  async badgesOf(employeeId: string): Promise<Badge[]> {
    this.reach();
    return [...this.badges.values()].filter((b) => b.employeeId === employeeId).sort((a, b) => a.badgeId.localeCompare(b.badgeId));
  }

  async deactivateBadge(badgeId: string, orderRef: string, _employeeId?: string): Promise<void> {
    this.check(`the deactivation of ${badgeId}`);
    if (!this.ignoreChanges && this.badges.get(badgeId)?.active) this.update(badgeId, { active: false, deactivatedFor: orderRef });
  }

  async reactivateBadge(badgeId: string, orderRef: string, _employeeId?: string): Promise<void> {
    this.check(`the reactivation of ${badgeId}`);
    const badge = this.badges.get(badgeId);
    if (!this.ignoreChanges && badge && !badge.active && badge.deactivatedFor === orderRef) this.update(badgeId, { active: true, deactivatedFor: null });
  }

  private update(badgeId: string, change: Partial<Badge>): void {
    const badge = this.badges.get(badgeId);
    if (badge) this.badges.set(badgeId, { ...badge, ...change });
  }

  private reach(): void {
    if (this.unreachable) throw new Error('access control system unreachable');
  }

  private check(what: string): void {
    this.reach();
    if (this.refuse) throw new AccessControlRejectedError(`access control system refused ${what}`);
  }
}
