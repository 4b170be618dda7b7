import { type ActiveFaults, pause, SimulatorFaults } from '@closeloop/runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type ItsmConnector, type ItsmRecord, type ItsmRecordValues, ItsmRejectedError, type ItsmState } from './itsm.connector';

/**
 * A simulated ITSM system, persisted in the service's schema, committing on its own like a
 * remote system. The requester raised the request item before the journey started, so the
 * simulator holds every record it is asked about: one it has not seen yet is opened, with no
 * asset filled in, as the ITSM system would hold a new request item.
 *
 * Closing is another matter: the simulator closes only a record it holds (one the requester
 * raised, or one a test opened through `updateRecord`), and never opens one to close it.
 *
 * Faults apply when `onlyFor` names the subject's employee id or the record id itself, so a test
 * can make the ITSM system alone misbehave. With `readBackDisagrees` an update or a close answers
 * success and changes nothing.
 */
@Injectable()
export class SimulatedItsmConnector implements ItsmConnector {
  constructor(
    private readonly dataSource: DataSource,
    private readonly faults: SimulatorFaults,
  ) {}

  async readRecord(recordId: string, employeeId: string): Promise<ItsmRecord | null> {
    await pause(this.faultsFor(recordId, employeeId).latencyMs);
    await this.dataSource.query(`INSERT INTO device.sim_itsm_records (record_id, state) VALUES ($1, 'open') ON CONFLICT (record_id) DO NOTHING`, [recordId]);
    const [row] = await this.dataSource.query('SELECT record_id, state, assigned_asset_tag, retired_asset_tag FROM device.sim_itsm_records WHERE record_id = $1', [recordId]);
    return row ? { recordId: row.record_id, state: row.state as ItsmState, assignedAssetTag: row.assigned_asset_tag, retiredAssetTag: row.retired_asset_tag } : null;
  }

  async updateRecord(recordId: string, values: ItsmRecordValues, employeeId: string): Promise<void> {
    const faults = this.faultsFor(recordId, employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new ItsmRejectedError(`the ITSM system refused to update ${recordId}: simulated provisioning fault`);
    if (faults.readBackDisagrees) return;
    await this.dataSource.query(
      `INSERT INTO device.sim_itsm_records (record_id, state, assigned_asset_tag, retired_asset_tag, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (record_id) DO UPDATE SET state = EXCLUDED.state, assigned_asset_tag = EXCLUDED.assigned_asset_tag,
         retired_asset_tag = EXCLUDED.retired_asset_tag, updated_at = EXCLUDED.updated_at`,
      [recordId, values.state, values.assignedAssetTag, values.retiredAssetTag],
    );
  }

  async closeRecord(recordId: string, employeeId: string): Promise<boolean> {
    const faults = this.faultsFor(recordId, employeeId);
    await pause(faults.latencyMs);
    if (faults.failProvisioning) throw new ItsmRejectedError(`the ITSM system refused to close ${recordId}: simulated provisioning fault`);
    if (faults.readBackDisagrees) return (await this.dataSource.query('SELECT 1 FROM device.sim_itsm_records WHERE record_id = $1', [recordId])).length > 0;
    const closed = await this.dataSource.query(
      `WITH closed AS (
         UPDATE device.sim_itsm_records SET state = 'closed', updated_at = CASE WHEN state = 'closed' THEN updated_at ELSE now() END
         WHERE record_id = $1 RETURNING record_id)
       SELECT * FROM closed`,
      [recordId],
    );
    return closed.length > 0;
  }

  private faultsFor(recordId: string, employeeId: string): ActiveFaults {
    const bySubject = this.faults.for(employeeId);
    const byRecord = this.faults.for(recordId);
    return {
      ...bySubject,
      latencyMs: Math.max(bySubject.latencyMs, byRecord.latencyMs),
      failProvisioning: bySubject.failProvisioning || byRecord.failProvisioning,
      readBackDisagrees: bySubject.readBackDisagrees || byRecord.readBackDisagrees,
    };
  }
}
