import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface DeviceAssignment {
  readonly requestId: string;
  readonly employeeId: string;
  readonly model: string;
  readonly assetTag: string | null;
  readonly serialNumber: string | null;
  /** compensated: a tombstone; a late forward event for the journey does nothing. */
  readonly status: 'verified' | 'failed' | 'compensated';
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
}

/** The device service's record of what it did for each journey. */
@Injectable()
export class DeviceAssignmentRepository {
  async existing(manager: EntityManager, requestIds: readonly string[]): Promise<Set<string>> {
    if (requestIds.length === 0) return new Set();
    const rows: Array<{ request_id: string }> = await manager.query(
      'SELECT request_id FROM device.device_assignments WHERE request_id = ANY($1::uuid[])',
      [[...requestIds]],
    );
    return new Set(rows.map((r) => r.request_id));
  }

  async saveAll(manager: EntityManager, records: readonly DeviceAssignment[]): Promise<void> {
    if (records.length === 0) return;
    await manager.query(
      `INSERT INTO device.device_assignments (request_id, employee_id, model, asset_tag, serial_number, status, failure, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[])
       ON CONFLICT (request_id) DO UPDATE SET asset_tag = EXCLUDED.asset_tag, serial_number = EXCLUDED.serial_number,
         status = EXCLUDED.status, failure = EXCLUDED.failure, updated_at = EXCLUDED.updated_at`,
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
