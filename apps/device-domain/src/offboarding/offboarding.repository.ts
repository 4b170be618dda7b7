import type { JourneyRecords } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { OffboardingRecord, Predecessors, StepState } from './offboarding.domain';

/** What one event tells of an offboarding: the request (the leaver and the ITSM record), or steps before the closure verified. */
export interface OffboardingHalf {
  readonly requestId: string;
  readonly employeeId?: string;
  readonly itsmRecordId?: string;
  readonly predecessors?: Predecessors;
}

/** What a half adds to a record: the request's fields once known, and the steps before the closure (the first word on each is kept). */
export const withHalf = (record: OffboardingRecord, half: OffboardingHalf): OffboardingRecord => ({
  ...record,
  employeeId: record.employeeId ?? half.employeeId ?? null,
  itsmRecordId: record.itsmRecordId ?? half.itsmRecordId ?? null,
  predecessors: { ...half.predecessors, ...record.predecessors },
});

/** A record with both steps pending and nothing known yet. */
export const newOffboarding = (requestId: string): OffboardingRecord => ({
  requestId,
  employeeId: null,
  itsmRecordId: null,
  deviceReturn: { status: 'pending' },
  itsmClosure: { status: 'pending' },
  assetsBefore: null,
  predecessors: {},
  compensating: false,
});

interface Row {
  request_id: string;
  employee_id: string | null;
  itsm_record_id: string | null;
  device_return: StepState;
  itsm_closure: StepState;
  assets_before: string[] | null;
  predecessors: Predecessors;
  compensating: boolean;
}

const PENDING = JSON.stringify({ status: 'pending' });

@Injectable()
export class OffboardingRepository implements JourneyRecords<OffboardingHalf, OffboardingRecord> {
  /**
   * Records what the events brought (a journey seen for the first time gets a record with both
   * steps pending) and locks the records (in id order) for the transaction, so the steps and the
   * compensation never run side by side for one journey.
   */
  async lock(manager: EntityManager, halves: readonly OffboardingHalf[]): Promise<Map<string, OffboardingRecord>> {
    if (halves.length === 0) return new Map();
    const byId = new Map<string, OffboardingRecord>();
    for (const half of halves) byId.set(half.requestId, withHalf(byId.get(half.requestId) ?? newOffboarding(half.requestId), half));
    const merged = [...byId.values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    const rows: Row[] = await manager.query(
      `INSERT INTO device.offboardings AS o (request_id, employee_id, itsm_record_id, device_return, itsm_closure, predecessors, updated_at)
       SELECT id, emp, itsm, $5::jsonb, $5::jsonb, pre, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) AS t(id, emp, itsm, pre) ORDER BY id
       ON CONFLICT (request_id) DO UPDATE SET
         employee_id = coalesce(o.employee_id, EXCLUDED.employee_id),
         itsm_record_id = coalesce(o.itsm_record_id, EXCLUDED.itsm_record_id),
         predecessors = EXCLUDED.predecessors || o.predecessors
       RETURNING request_id, employee_id, itsm_record_id, device_return, itsm_closure, assets_before, predecessors, compensating`,
      [
        merged.map((r) => r.requestId),
        merged.map((r) => r.employeeId),
        merged.map((r) => r.itsmRecordId),
        merged.map((r) => JSON.stringify(r.predecessors)),
        PENDING,
      ],
    );
    return new Map(
      rows.map((r) => [
        r.request_id,
        {
          requestId: r.request_id,
          employeeId: r.employee_id,
          itsmRecordId: r.itsm_record_id,
          deviceReturn: r.device_return,
          itsmClosure: r.itsm_closure,
          assetsBefore: r.assets_before,
          predecessors: r.predecessors,
          compensating: r.compensating,
        },
      ]),
    );
  }

  /** Adds the assets the leaver holds before an attempt of the return to those kept; none is ever dropped. */
  async addAssetsBefore(manager: EntityManager, requestId: string, assetTags: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE device.offboardings SET assets_before = (
         SELECT coalesce(jsonb_agg(DISTINCT tag ORDER BY tag), '[]'::jsonb) FROM jsonb_array_elements_text(coalesce(assets_before, '[]'::jsonb) || $2::jsonb) AS t(tag))
       WHERE request_id = $1 AND NOT compensating`,
      [requestId, JSON.stringify(assetTags)],
    );
  }

  async save(manager: EntityManager, record: OffboardingRecord, now: Date): Promise<void> {
    await manager.query('UPDATE device.offboardings SET device_return = $2, itsm_closure = $3, compensating = $4, updated_at = $5 WHERE request_id = $1', [
      record.requestId,
      JSON.stringify(record.deviceReturn),
      JSON.stringify(record.itsmClosure),
      record.compensating,
      now.toISOString(),
    ]);
  }
}
