import type { JourneyRecords } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { ItsmRecordValues } from '../itsm/itsm.connector';
import type { ReplacementRecord, ReplacementState, StepState } from './replacement.domain';

/** What a device replacement asks for, from the request. */
export interface ReplacementOrder {
  readonly requestId: string;
  readonly employeeId: string;
  readonly model: string;
  readonly itsmRecordId: string;
  readonly retiredAssetTag: string;
  readonly reason: string;
}

interface Row {
  request_id: string;
  employee_id: string;
  model: string;
  itsm_record_id: string;
  retired_asset_tag: string;
  reason: string;
  replacement: ReplacementState;
  retirement: StepState;
  reconciliation: StepState;
  itsm_before: ItsmRecordValues | null;
  compensating: boolean;
}

const PENDING = JSON.stringify({ status: 'pending' });

@Injectable()
export class ReplacementRepository implements JourneyRecords<ReplacementOrder, ReplacementRecord> {
  /**
   * Creates a record with every step pending for each journey not seen yet and locks them all
   * (in id order) for the transaction, so the steps and their compensation never run side by
   * side for one journey.
   */
  async lock(manager: EntityManager, orders: readonly ReplacementOrder[]): Promise<Map<string, ReplacementRecord>> {
    if (orders.length === 0) return new Map();
    const byId = new Map(orders.map((o) => [o.requestId, o]));
    const ids = [...byId.keys()].sort();
    const pick = <K extends keyof ReplacementOrder>(field: K) => ids.map((id) => byId.get(id)?.[field]);
    await manager.query(
      `INSERT INTO device.replacements (request_id, employee_id, model, itsm_record_id, retired_asset_tag, reason, replacement, retirement, reconciliation, updated_at)
       SELECT id, emp, model, itsm, tag, reason, $7::jsonb, $7::jsonb, $7::jsonb, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(id, emp, model, itsm, tag, reason) ORDER BY id
       ON CONFLICT (request_id) DO NOTHING`,
      [ids, pick('employeeId'), pick('model'), pick('itsmRecordId'), pick('retiredAssetTag'), pick('reason'), PENDING],
    );
    const rows: Row[] = await manager.query('SELECT * FROM device.replacements WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE', [ids]);
    return new Map(
      rows.map((r) => [
        r.request_id,
        {
          requestId: r.request_id,
          employeeId: r.employee_id,
          model: r.model,
          itsmRecordId: r.itsm_record_id,
          retiredAssetTag: r.retired_asset_tag,
          reason: r.reason,
          replacement: r.replacement,
          retirement: r.retirement,
          reconciliation: r.reconciliation,
          itsmBefore: r.itsm_before,
          compensating: r.compensating,
        },
      ]),
    );
  }

  /** Records the ITSM record's fields before the journey changes anything; once recorded, they are kept. */
  async rememberItsmBefore(manager: EntityManager, requestId: string, values: ItsmRecordValues): Promise<void> {
    await manager.query('UPDATE device.replacements SET itsm_before = $2 WHERE request_id = $1 AND itsm_before IS NULL AND NOT compensating', [
      requestId,
      JSON.stringify({ state: values.state, assignedAssetTag: values.assignedAssetTag, retiredAssetTag: values.retiredAssetTag }),
    ]);
  }

  async save(manager: EntityManager, record: ReplacementRecord, now: Date): Promise<void> {
    await manager.query(
      'UPDATE device.replacements SET replacement = $2, retirement = $3, reconciliation = $4, compensating = $5, updated_at = $6 WHERE request_id = $1',
      [record.requestId, JSON.stringify(record.replacement), JSON.stringify(record.retirement), JSON.stringify(record.reconciliation), record.compensating, now.toISOString()],
    );
  }
}
