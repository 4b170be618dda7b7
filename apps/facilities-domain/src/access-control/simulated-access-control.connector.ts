import { randomBytes } from 'node:crypto';

import type { SimulatorConfig } from '@closeloop/config';
import { TargetLimiter, withTargetLimits } from '@closeloop/connectors';
import { COMMON_CONFIG, pause, SimulatorFaults } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type AccessControlConnector, AccessControlRejectedError, type Badge } from './access-control.connector';

interface BadgeRow {
  badge_id: string;
  employee_id: string;
  zones: string[];
  active: boolean;
  issued_for: string | null;
  deactivated_for: string | null;
}

const badgeOf = (row: BadgeRow): Badge => ({
  badgeId: row.badge_id,
  employeeId: row.employee_id,
  zones: [...row.zones].sort(),
  active: row.active,
  issuedFor: row.issued_for,
  deactivatedFor: row.deactivated_for,
});

/**
 * A simulated physical access control system, persisted in the service's schema
 * (`facilities.sim_badges`), committing on its own like a remote system. Faults come from
 * `SimulatorFaults`: `failProvisioning` refuses every change; with `readBackDisagrees` every
 * change is answered with success and not made (a badge is issued inactive).
 */
@Injectable()
export class SimulatedAccessControlConnector implements AccessControlConnector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly faults: SimulatorFaults,
    @Inject(COMMON_CONFIG) config: Pick<SimulatorConfig, 'CONNECTOR_LIMITS'>,
  ) {
    // Every call within the target's limits (CONNECTOR_LIMITS): rate, concurrency and timeout, as for a remote system.
    return withTargetLimits(this, new TargetLimiter('access control system', config.CONNECTOR_LIMITS));
  }

  async issueBadge(employeeId: string, zones: readonly string[], orderRef: string): Promise<{ badgeId: string }> {
    const ignored = await this.acknowledgedOnly(employeeId, `a badge for ${employeeId}`);
    return this.dataSource.transaction(async (manager) => {
      const [existing] = await manager.query('SELECT badge_id FROM facilities.sim_badges WHERE issued_for = $1 FOR UPDATE', [orderRef]);
      if (existing) {
        // A badge a journey deactivated since is activated again only by that journey's reactivation.
        if (!ignored) {
          await manager.query('UPDATE facilities.sim_badges SET active = true, zones = $2, updated_at = now() WHERE badge_id = $1 AND deactivated_for IS NULL', [existing.badge_id, [...zones]]);
        }
        return { badgeId: existing.badge_id };
      }
      const badgeId = `B-${randomBytes(5).toString('hex').toUpperCase()}`;
      await manager.query('INSERT INTO facilities.sim_badges (badge_id, employee_id, zones, active, issued_for) VALUES ($1, $2, $3, $4, $5)', [badgeId, employeeId, [...zones], !ignored, orderRef]);
      return { badgeId };
    });
  }

  async badgesOf(employeeId: string): Promise<Badge[]> {
    await pause(this.faults.for(employeeId).latencyMs);
    const rows: BadgeRow[] = await this.dataSource.query(
      'SELECT badge_id, employee_id, zones, active, issued_for, deactivated_for FROM facilities.sim_badges WHERE employee_id = $1 ORDER BY badge_id',
      [employeeId],
    );
    return rows.map(badgeOf);
  }

  async deactivateBadge(badgeId: string, orderRef: string, employeeId: string): Promise<void> {
    if (await this.acknowledgedOnly(employeeId, `the deactivation of ${badgeId}`)) return;
    await this.dataSource.query('UPDATE facilities.sim_badges SET active = false, deactivated_for = $2, updated_at = now() WHERE badge_id = $1 AND active', [badgeId, orderRef]);
  }

  async reactivateBadge(badgeId: string, orderRef: string, employeeId: string): Promise<void> {
    if (await this.acknowledgedOnly(employeeId, `the reactivation of ${badgeId}`)) return;
    await this.dataSource.query(
      'UPDATE facilities.sim_badges SET active = true, deactivated_for = NULL, updated_at = now() WHERE badge_id = $1 AND NOT active AND deactivated_for = $2',
      [badgeId, orderRef],
    );
  }

  /**
   * The simulated faults of a change: a refusal (failProvisioning), or, with readBackDisagrees,
   * true when the system is to answer success and change nothing.
   */
  private async acknowledgedOnly(employeeId: string, what: string): Promise<boolean> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new AccessControlRejectedError(`access control system refused ${what}: simulated provisioning fault`);
    return faults.readBackDisagrees;
  }
}
