import { pause, SimulatorFaults } from '@closeloop/runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type AppAccess, type SaasAdminConnector, SaasAdminRejectedError, type SeatLicence } from './saas-admin.connector';

/**
 * A simulated SaaS admin tool, persisted in the service's schema, committing on its own like a
 * remote system. With `readBackDisagrees` it answers success to the licence assignment but does
 * not store it.
 */
@Injectable()
export class SimulatedSaasAdminConnector implements SaasAdminConnector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly faults: SimulatorFaults,
  ) {}

  async ensureAccess(app: string, accountId: string, role: string, employeeId: string): Promise<void> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new SaasAdminRejectedError(`${app} refused access for ${accountId}: simulated provisioning fault`);
    await this.dataSource.query(
      `INSERT INTO saas.sim_saas_accounts (app, account_id, role, active) VALUES ($1, $2, $3, true)
       ON CONFLICT (app, account_id) DO UPDATE SET role = EXCLUDED.role, active = true`,
      [app, accountId, role],
    );
  }

  async ensureLicence(app: string, accountId: string, licence: string, employeeId: string): Promise<void> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.readBackDisagrees) return;
    await this.dataSource.query('UPDATE saas.sim_saas_accounts SET licence = $3 WHERE app = $1 AND account_id = $2', [app, accountId, licence]);
  }

  async revokeAccess(app: string, accountId: string, employeeId: string): Promise<void> {
    await pause(this.faults.for(employeeId).latencyMs);
    await this.dataSource.query('DELETE FROM saas.sim_saas_accounts WHERE app = $1 AND account_id = $2', [app, accountId]);
  }

  async readAccess(app: string, accountId: string): Promise<AppAccess | null> {
    const [row] = await this.dataSource.query('SELECT app, account_id, role, active, licence FROM saas.sim_saas_accounts WHERE app = $1 AND account_id = $2', [
      app,
      accountId,
    ]);
    return row ? { app: row.app, accountId: row.account_id, role: row.role, active: row.active, licence: row.licence } : null;
  }

  // Seat licences need the SCIM connector and simulator, which replace this class.
  async ensureSeats(app: string, accountId: string, _licenceType: string, _seats: number, _employeeId: string): Promise<void> {
    throw new SaasAdminRejectedError(`${app} cannot assign seat licences to ${accountId}: this simulator has no seat licences`);
  }

  async readSeats(_app: string, _accountId: string): Promise<SeatLicence | null> {
    return null;
  }

  async removeSeats(_app: string, _accountId: string, _employeeId: string): Promise<void> {}
}
