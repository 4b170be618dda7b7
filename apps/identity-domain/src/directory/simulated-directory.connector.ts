import type { SimulatorConfig } from '@closeloop/config';
import { TargetLimiter, withTargetLimits } from '@closeloop/connectors';
import { COMMON_CONFIG, pause, SimulatorFaults } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type DirectoryAccount, type DirectoryConnector, DirectoryRejectedError, type GroupChange, type NewAccount } from './directory.connector';

/**
 * A simulated identity directory, persisted in the service's schema. Like a remote system, it
 * commits on its own, outside the caller's transaction. Faults come from `SimulatorFaults`.
 */
@Injectable()
export class SimulatedDirectoryConnector implements DirectoryConnector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly faults: SimulatorFaults,
    @Inject(COMMON_CONFIG) config: Pick<SimulatorConfig, 'CONNECTOR_LIMITS'>,
  ) {
    // Every call within the target's limits (CONNECTOR_LIMITS): rate, concurrency and timeout, as for a remote system.
    return withTargetLimits(this, new TargetLimiter('identity directory', config.CONNECTOR_LIMITS));
  }

  async ensureAccount(account: NewAccount): Promise<{ accountId: string }> {
    const faults = this.faults.for(account.employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DirectoryRejectedError(`directory refused account ${account.employeeId}: simulated provisioning fault`);
    const accountId = `u-${account.employeeId}`;
    // With readBackDisagrees the directory answers success but leaves the account disabled.
    await this.dataSource.query(
      `INSERT INTO identity.sim_directory_users (account_id, employee_id, email, display_name, enabled)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE SET enabled = EXCLUDED.enabled`,
      [accountId, account.employeeId, account.email, account.displayName, !faults.readBackDisagrees],
    );
    // The new hire signs in: an enabled account without an active session gets one, so repeating this adds none.
    await this.dataSource.query(
      `INSERT INTO identity.sim_directory_sessions (account_id)
       SELECT account_id FROM identity.sim_directory_users u
       WHERE u.account_id = $1 AND u.enabled AND NOT EXISTS (SELECT 1 FROM identity.sim_directory_sessions s WHERE s.account_id = u.account_id AND s.revoked_at IS NULL)`,
      [accountId],
    );
    return { accountId };
  }

  async ensureGroups(accountId: string, employeeId: string, groups: readonly string[]): Promise<void> {
    await pause(this.faults.for(employeeId).latencyMs);
    if (groups.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO identity.sim_directory_group_members (account_id, group_name)
       SELECT $1, g FROM unnest($2::text[]) AS g ON CONFLICT DO NOTHING`,
      [accountId, [...groups]],
    );
  }

  async disableAccount(employeeId: string): Promise<{ accountId: string } | null> {
    await pause(this.faults.for(employeeId).latencyMs);
    const [user] = await this.dataSource.query('UPDATE identity.sim_directory_users SET enabled = false WHERE employee_id = $1 RETURNING account_id', [employeeId]).then(
      (result: [Array<{ account_id: string }>, number]) => result[0],
    );
    if (!user) return null;
    await this.dataSource.query('DELETE FROM identity.sim_directory_group_members WHERE account_id = $1', [user.account_id]);
    return { accountId: user.account_id };
  }

  async findAccount(employeeId: string): Promise<DirectoryAccount | null> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DirectoryRejectedError(`directory refused the lookup of ${employeeId}: simulated provisioning fault`);
    const [user] = await this.dataSource.query('SELECT account_id FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
    return user ? this.readAccount(user.account_id) : null;
  }

  async changeGroups(accountId: string, employeeId: string, change: GroupChange): Promise<void> {
    // With readBackDisagrees the directory answers success and changes nothing.
    if (await this.acknowledgedOnly(employeeId, `the group change of ${accountId}`)) return;
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM identity.sim_directory_group_members WHERE account_id = $1 AND group_name = ANY($2::text[])', [accountId, [...change.remove]]);
      await manager.query(
        `INSERT INTO identity.sim_directory_group_members (account_id, group_name)
         SELECT $1, g FROM unnest($2::text[]) AS g ON CONFLICT DO NOTHING`,
        [accountId, [...change.add]],
      );
    });
  }

  async setEnabled(accountId: string, employeeId: string, enabled: boolean): Promise<void> {
    if (await this.acknowledgedOnly(employeeId, `the ${enabled ? 'enabling' : 'disabling'} of ${accountId}`)) return;
    await this.dataSource.query('UPDATE identity.sim_directory_users SET enabled = $2 WHERE account_id = $1 AND enabled <> $2', [accountId, enabled]);
  }

  async revokeSessions(accountId: string, employeeId: string): Promise<number> {
    // With readBackDisagrees the directory reports the sessions it had as ended, and ends none.
    if (await this.acknowledgedOnly(employeeId, `the session revocation of ${accountId}`)) {
      const [{ active }] = await this.dataSource.query('SELECT count(*)::int AS active FROM identity.sim_directory_sessions WHERE account_id = $1 AND revoked_at IS NULL', [accountId]);
      return active;
    }
    const [ended] = await this.dataSource.query('UPDATE identity.sim_directory_sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL RETURNING session_id', [accountId]);
    return ended.length;
  }

  async readAccount(accountId: string): Promise<DirectoryAccount | null> {
    const [user] = await this.dataSource.query(
      `SELECT u.account_id, u.employee_id, u.email, u.enabled,
              coalesce(array_agg(m.group_name ORDER BY m.group_name) FILTER (WHERE m.group_name IS NOT NULL), '{}') AS groups,
              (SELECT count(*)::int FROM identity.sim_directory_sessions s WHERE s.account_id = u.account_id AND s.revoked_at IS NULL) AS active_sessions
       FROM identity.sim_directory_users u LEFT JOIN identity.sim_directory_group_members m USING (account_id)
       WHERE u.account_id = $1 GROUP BY u.account_id`,
      [accountId],
    );
    if (!user) return null;
    return { accountId: user.account_id, employeeId: user.employee_id, email: user.email, enabled: user.enabled, groups: user.groups, activeSessions: user.active_sessions };
  }

  /**
   * The simulated faults of a change: a refusal (failProvisioning), or, with readBackDisagrees,
   * true when the directory is to answer success and change nothing.
   */
  private async acknowledgedOnly(employeeId: string, what: string): Promise<boolean> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DirectoryRejectedError(`directory refused ${what}: simulated provisioning fault`);
    return faults.readBackDisagrees;
  }
}
