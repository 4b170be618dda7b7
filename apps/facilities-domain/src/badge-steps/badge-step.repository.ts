import { lockKeys } from '@closeloop/database';
import type { JourneyRecords, StepStatus } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * pending: not done yet (or a retry is due); compensated: a tombstone, so a late forward event or
 * retry for the journey does nothing.
 */
export type BadgeStepStatus = StepStatus;

/** A journey's badge step, as its events name it. */
export interface BadgeStepKey {
  readonly requestId: string;
  readonly journeyType: 'new-hire' | 'offboarding';
  readonly step: string;
  readonly employeeId: string;
}

/** What the facilities service did for one journey's badge step (`facilities.journey_steps`). */
export interface BadgeStepRecord extends BadgeStepKey {
  readonly status: BadgeStepStatus;
  /** A new hire: the badge this journey issued, as read back; null until then. */
  readonly badgeId: string | null;
  /** A new hire: the zones its badge opens, as read back; null until then. */
  readonly zones: readonly string[] | null;
  /** An offboarding: the employee's active badges before any was deactivated (every attempt's added); null until read. */
  readonly badgesBefore: readonly string[] | null;
  readonly failure: { readonly code: string; readonly reason: string } | null;
  readonly updatedAt: Date;
}

interface Row {
  request_id: string;
  step: string;
  journey_type: BadgeStepKey['journeyType'];
  employee_id: string;
  status: BadgeStepStatus;
  badge_id: string | null;
  zones: string[] | null;
  badges_before: string[] | null;
  failure: { code: string; reason: string } | null;
  updated_at: Date;
}

const toRecord = (r: Row): BadgeStepRecord => ({
  requestId: r.request_id,
  step: r.step,
  journeyType: r.journey_type,
  employeeId: r.employee_id,
  status: r.status,
  badgeId: r.badge_id,
  zones: r.zones,
  badgesBefore: r.badges_before,
  failure: r.failure,
  updatedAt: r.updated_at,
});

/** The badge steps of every journey, one record per journey (`facilities.journey_steps`). */
@Injectable()
export class BadgeStepRepository implements JourneyRecords<BadgeStepKey, BadgeStepRecord> {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so the step and its compensation never run side by side for one journey.
   */
  async lock(manager: EntityManager, keys: readonly BadgeStepKey[]): Promise<Map<string, BadgeStepRecord>> {
    if (keys.length === 0) return new Map();
    const byId = new Map(keys.map((k) => [k.requestId, k]));
    const ids = [...byId.keys()].sort();
    const pick = <K extends keyof BadgeStepKey>(field: K) => ids.map((id) => byId.get(id)?.[field]);
    await manager.query(
      `INSERT INTO facilities.journey_steps (request_id, step, journey_type, employee_id, status, updated_at)
       SELECT id, step, type, emp, 'pending', now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, step, type, emp) ORDER BY id
       ON CONFLICT (request_id, step) DO NOTHING`,
      [ids, pick('step'), pick('journeyType'), pick('employeeId')],
    );
    const rows: Row[] = await manager.query(
      'SELECT * FROM facilities.journey_steps WHERE request_id = ANY($1::uuid[]) AND step = ANY($2::text[]) ORDER BY request_id FOR UPDATE',
      [ids, [...new Set(keys.map((k) => k.step))]],
    );
    return new Map(rows.filter((r) => byId.get(r.request_id)?.step === r.step).map((r) => [r.request_id, toRecord(r)]));
  }

  /**
   * Serialises, until the transaction ends, everything done to these employees' badges (issues,
   * revocations, their compensations, the record of the badges before a revocation). Taken after
   * the journeys' own records, in employee order, so that transactions never wait in a circle.
   */
  lockEmployees(manager: EntityManager, employeeIds: readonly string[]): Promise<void> {
    return lockKeys(
      manager,
      employeeIds.map((employeeId) => `facilities.badges:${employeeId}`),
    );
  }

  /** Adds the employee's active badges, read before an attempt of a revocation, to those kept; none is ever dropped. */
  async addBadgesBefore(manager: EntityManager, key: BadgeStepKey, badgeIds: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE facilities.journey_steps SET badges_before = (
         SELECT coalesce(jsonb_agg(DISTINCT id ORDER BY id), '[]'::jsonb) FROM jsonb_array_elements_text(coalesce(badges_before, '[]'::jsonb) || $3::jsonb) AS t(id)),
         updated_at = now()
       WHERE request_id = $1 AND step = $2 AND status <> 'compensated'`,
      [key.requestId, key.step, JSON.stringify(badgeIds)],
    );
  }

  /** Saves the outcome of the step; a compensated record is never overwritten. */
  async save(manager: EntityManager, records: readonly BadgeStepRecord[]): Promise<void> {
    for (const r of records) {
      await manager.query(
        `UPDATE facilities.journey_steps SET status = $3, badge_id = coalesce($4, badge_id), zones = coalesce($5, zones), failure = $6, updated_at = $7
         WHERE request_id = $1 AND step = $2 AND status <> 'compensated'`,
        [r.requestId, r.step, r.status, r.badgeId, r.zones ? JSON.stringify(r.zones) : null, r.failure ? JSON.stringify(r.failure) : null, r.updatedAt.toISOString()],
      );
    }
  }

  /** Of these journeys, the ones whose badge step was compensated (cancelled here). */
  async compensatedOf(manager: EntityManager, requestIds: readonly string[]): Promise<Set<string>> {
    if (requestIds.length === 0) return new Set();
    const rows: Array<{ request_id: string }> = await manager.query(
      `SELECT request_id FROM facilities.journey_steps WHERE request_id::text = ANY($1::text[]) AND status = 'compensated'`,
      [[...requestIds]],
    );
    return new Set(rows.map((r) => r.request_id));
  }
}
