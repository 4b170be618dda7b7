import { randomBytes } from 'node:crypto';

import type { SimulatorConfig } from '@closeloop/config';
import { TargetLimiter, withTargetLimits } from '@closeloop/connectors';
import { COMMON_CONFIG, pause, SimulatorFaults } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type AssetRecord, type AssetStatus, type DeviceManagementConnector, DeviceManagementRejectedError, type DeviceState } from './device-management.connector';

const ASSET_COLUMNS = 'asset_tag, serial_number, model, status, assigned_to, retired_reason, retired_for, returned_for';

interface AssetRow {
  asset_tag: string;
  serial_number: string;
  model: string;
  status: string;
  assigned_to: string | null;
  retired_reason: string | null;
  retired_for: string | null;
  returned_for: string | null;
}

const assetOf = (row: AssetRow): AssetRecord => ({
  assetTag: row.asset_tag,
  serialNumber: row.serial_number,
  model: row.model,
  status: row.status as AssetStatus,
  assignedTo: row.assigned_to,
  retiredReason: row.retired_reason,
  retiredFor: row.retired_for,
  returnedFor: row.returned_for,
});

/**
 * A simulated asset stock and MDM, persisted in the service's schema, committing on its own
 * like a remote system. When a model runs out, the simulated warehouse restocks one device.
 * With `readBackDisagrees` enrolment answers success but the device stays non-compliant, and a
 * retirement or a return answers success and leaves the asset as it was.
 */
@Injectable()
export class SimulatedDeviceManagementConnector implements DeviceManagementConnector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly faults: SimulatorFaults,
    @Inject(COMMON_CONFIG) config: Pick<SimulatorConfig, 'CONNECTOR_LIMITS'>,
  ) {
    // Every call within the target's limits (CONNECTOR_LIMITS): rate, concurrency and timeout, as for a remote system.
    return withTargetLimits(this, new TargetLimiter('device management', config.CONNECTOR_LIMITS));
  }

  async enrol(assetTag: string, employeeId: string): Promise<void> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    await this.dataSource.query('UPDATE device.sim_devices SET enrolled = true, compliant = $2, updated_at = now() WHERE asset_tag = $1', [
      assetTag,
      !faults.readBackDisagrees,
    ]);
  }

  async assignForOrder(model: string, employeeId: string, orderRef: string): Promise<{ assetTag: string; serialNumber: string }> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DeviceManagementRejectedError(`no ${model} could be assigned to ${employeeId}: simulated provisioning fault`);
    return this.dataSource.transaction(async (manager) => {
      const [existing] = await manager.query(`SELECT asset_tag, serial_number FROM device.sim_devices WHERE assigned_for = $1 AND status = 'assigned'`, [orderRef]);
      if (existing) return { assetTag: existing.asset_tag, serialNumber: existing.serial_number };
      const [taken] = await manager.query(
        `WITH taken AS (
           UPDATE device.sim_devices SET status = 'assigned', assigned_to = $2, assigned_for = $3, updated_at = now()
           WHERE asset_tag = (SELECT asset_tag FROM device.sim_devices WHERE model = $1 AND status = 'in_stock' LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING asset_tag, serial_number)
         SELECT * FROM taken`,
        [model, employeeId, orderRef],
      );
      if (taken) return { assetTag: taken.asset_tag, serialNumber: taken.serial_number };
      const id = randomBytes(5).toString('hex').toUpperCase();
      const [restocked] = await manager.query(
        `INSERT INTO device.sim_devices (asset_tag, serial_number, model, status, assigned_to, assigned_for) VALUES ($1, $2, $3, 'assigned', $4, $5)
         RETURNING asset_tag, serial_number`,
        [`AT-${id}`, `SN-${id}`, model, employeeId, orderRef],
      );
      return { assetTag: restocked.asset_tag, serialNumber: restocked.serial_number };
    });
  }

  async releaseForOrder(orderRef: string, employeeId: string): Promise<{ assetTag: string } | null> {
    await pause(this.faults.for(employeeId).latencyMs);
    const [released] = await this.dataSource.query(
      `WITH released AS (
         UPDATE device.sim_devices SET status = 'in_stock', assigned_to = NULL, assigned_for = NULL, enrolled = false, compliant = false, updated_at = now()
         WHERE assigned_for = $1 AND status = 'assigned' RETURNING asset_tag)
       SELECT * FROM released`,
      [orderRef],
    );
    return released ? { assetTag: released.asset_tag } : null;
  }

  async readAsset(assetTag: string): Promise<AssetRecord | null> {
    const [row] = await this.dataSource.query(`SELECT ${ASSET_COLUMNS} FROM device.sim_devices WHERE asset_tag = $1`, [assetTag]);
    return row ? assetOf(row) : null;
  }

  async retireAsset(assetTag: string, reason: string, orderRef: string, employeeId: string): Promise<void> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DeviceManagementRejectedError(`asset management refused to retire ${assetTag}: simulated provisioning fault`);
    // With readBackDisagrees asset management answers success and leaves the asset in service.
    if (faults.readBackDisagrees) return;
    await this.dataSource.query(
      `UPDATE device.sim_devices SET status = 'retired', retired_reason = $2, retired_for = $3, retired_at = now(), updated_at = now()
       WHERE asset_tag = $1 AND status <> 'retired'`,
      [assetTag, reason, orderRef],
    );
  }

  async returnToService(assetTag: string, orderRef: string, employeeId: string): Promise<void> {
    await pause(this.faults.for(employeeId).latencyMs);
    await this.dataSource.query(
      `UPDATE device.sim_devices SET status = 'assigned', retired_reason = NULL, retired_for = NULL, retired_at = NULL, updated_at = now()
       WHERE asset_tag = $1 AND status = 'retired' AND retired_for = $2`,
      [assetTag, orderRef],
    );
  }

  async assetsAssignedTo(employeeId: string): Promise<AssetRecord[]> {
    await pause(this.faults.for(employeeId).latencyMs);
    const rows: AssetRow[] = await this.dataSource.query(`SELECT ${ASSET_COLUMNS} FROM device.sim_devices WHERE assigned_to = $1 AND status = 'assigned' ORDER BY asset_tag`, [
      employeeId,
    ]);
    return rows.map(assetOf);
  }

  async logReturned(assetTag: string, orderRef: string, employeeId: string): Promise<void> {
    const faults = this.faults.for(employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new DeviceManagementRejectedError(`asset management refused to log ${assetTag} as returned: simulated provisioning fault`);
    // With readBackDisagrees asset management answers success and leaves the asset assigned.
    if (faults.readBackDisagrees) return;
    await this.dataSource.query(
      `UPDATE device.sim_devices SET status = 'returned', returned_for = $2, returned_at = now(), updated_at = now()
       WHERE asset_tag = $1 AND status = 'assigned' AND assigned_to = $3`,
      [assetTag, orderRef, employeeId],
    );
  }

  async assignAgain(assetTag: string, orderRef: string, employeeId: string): Promise<void> {
    await pause(this.faults.for(employeeId).latencyMs);
    await this.dataSource.query(
      `UPDATE device.sim_devices SET status = 'assigned', assigned_to = $3, returned_for = NULL, returned_at = NULL, updated_at = now()
       WHERE asset_tag = $1 AND status = 'returned' AND returned_for = $2`,
      [assetTag, orderRef, employeeId],
    );
  }

  async readDevice(assetTag: string): Promise<DeviceState | null> {
    const [row] = await this.dataSource.query(
      'SELECT asset_tag, serial_number, model, assigned_to, enrolled, compliant FROM device.sim_devices WHERE asset_tag = $1',
      [assetTag],
    );
    return row
      ? { assetTag: row.asset_tag, serialNumber: row.serial_number, model: row.model, assignedTo: row.assigned_to, enrolled: row.enrolled, compliant: row.compliant }
      : null;
  }
}
