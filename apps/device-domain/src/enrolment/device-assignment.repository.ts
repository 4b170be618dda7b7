import type { JourneyRecords } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * pending: claimed by the work in progress; compensated: a tombstone, so a late forward event or
 * retry for the journey does nothing.
 */
export type AssignmentStatus = 'pending' | 'verified' | 'failed' | 'compensated';

export interface DeviceAssignment {
  readonly requestId: string;
  readonly employeeId: string;
  readonly model: string;
  readonly assetTag: string | null;
  readonly serialNumber: string | null;
  readonly status: AssignmentStatus;
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
}

/** The device service's record of what it did for each journey. */
@Injectable()
export class DeviceAssignmentRepository implements JourneyRecords<{ requestId: string; employeeId: string; model: string }, AssignmentStatus> {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so enrolment and compensation of one journey never run side by side.
   */
  async lock(manager: EntityManager, journeys: ReadonlyArray<{ requestId: string; employeeId: string; model: string }>): Promise<Map<string, AssignmentStatus>> {
    if (journeys.length === 0) return new Map();
    const byId = new Map(journeys.map((j) => [j.requestId, j]));
    const ids = [...byId.keys()].sort();
    await manager.query(
      `INSERT INTO device.device_assignments (request_id, employee_id, model, status, updated_at)
       SELECT id, emp, model, 'pending', now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, emp, model) ORDER BY id
       ON CONFLICT (request_id) DO NOTHING`,
      [ids, ids.map((id) => byId.get(id)?.employeeId), ids.map((id) => byId.get(id)?.model)],
    );
    const rows: Array<{ request_id: string; status: AssignmentStatus }> = await manager.query(
      'SELECT request_id, status FROM device.device_assignments WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE',
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, r.status]));
  }

  async saveAll(manager: EntityManager, records: readonly DeviceAssignment[]): Promise<void> {
    if (records.length === 0) return;
    await manager.query(
      `INSERT INTO device.device_assignments (request_id, employee_id, model, asset_tag, serial_number, status, failure, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])
       ON CONFLICT (request_id) DO UPDATE SET asset_tag = EXCLUDED.asset_tag, serial_number = EXCLUDED.serial_number,
         status = EXCLUDED.status, failure = EXCLUDED.failure, updated_at = EXCLUDED.updated_at
       WHERE device.device_assignments.status <> 'compensated'`,
      [
        records.map((r) => r.requestId),
        records.map((r) => r.employeeId),
        records.map((r) => r.model),
        records.map((r) => r.assetTag),
        records.map((r) => r.serialNumber),
        records.map((r) => r.status),
        records.map((r) => (r.failure ? JSON.stringify(r.failure) : null)),
        records.map((r) => r.updatedAt.toISOString()),
      ],
    );
  }
}
