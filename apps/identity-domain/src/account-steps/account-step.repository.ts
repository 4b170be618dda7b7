import type { EventEnvelope, JourneyType } from '@closeloop/contracts';
import type { JourneyRecords } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { lockEmployeeAccounts } from './employee-lock';

/**
 * pending: not done yet (or a retry is due); compensated: a tombstone, so a late forward event or
 * retry for the journey does nothing.
 */
export type AccountStepStatus = 'pending' | 'verified' | 'failed' | 'compensated';

/** What the identity service did for one journey's step on an existing account. */
export interface AccountStepRecord {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly step: string;
  readonly employeeId: string;
  readonly accountId: string | null;
  readonly status: AccountStepStatus;
  /** The account's groups before this journey changed anything; null until recorded. */
  readonly groupsBefore: readonly string[] | null;
  /** Whether the account was enabled before this journey changed anything; null until recorded (or recorded before this was kept). */
  readonly enabledBefore: boolean | null;
  /** The groups as last read back. */
  readonly groups: readonly string[];
  /** When (database clock) the groups before were recorded; null until then. */
  readonly beforeAt?: Date | null;
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
  /** The event that reported the step verified, kept to answer a later retry with the same event (the offboarding keeps it); null otherwise. */
  readonly verifiedEvent: EventEnvelope | null;
}

/** What the directory held for the account before the journey changed anything. */
export interface AccountBefore {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
}

export interface AccountStepKey {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly step: string;
  readonly employeeId: string;
  /** The groups an access change removes and grants (kept, so that other journeys' compensations can see them). */
  readonly change?: { readonly remove: readonly string[]; readonly grant: readonly string[] };
}

interface Row {
  request_id: string;
  journey_type: JourneyType;
  step: string;
  employee_id: string;
  account_id: string | null;
  status: AccountStepStatus;
  groups_before: string[] | null;
  enabled_before: boolean | null;
  groups: string[];
  before_at: Date | null;
  failure: { code: string; reason: string } | null;
  updated_at: Date;
  verified_event: EventEnvelope | null;
}

const toRecord = (r: Row): AccountStepRecord => ({
  requestId: r.request_id,
  journeyType: r.journey_type,
  step: r.step,
  employeeId: r.employee_id,
  accountId: r.account_id,
  status: r.status,
  groupsBefore: r.groups_before,
  enabledBefore: r.enabled_before,
  groups: r.groups,
  beforeAt: r.before_at,
  failure: r.failure,
  updatedAt: r.updated_at,
  verifiedEvent: r.verified_event,
});

@Injectable()
export class AccountStepRepository implements JourneyRecords<AccountStepKey, AccountStepRecord> {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so the step and its compensation never run side by side for one journey.
   */
  async lock(manager: EntityManager, keys: readonly AccountStepKey[]): Promise<Map<string, AccountStepRecord>> {
    if (keys.length === 0) return new Map();
    const byId = new Map(keys.map((k) => [k.requestId, k]));
    const ids = [...byId.keys()].sort();
    const pick = <K extends keyof AccountStepKey>(field: K) => ids.map((id) => byId.get(id)?.[field]);
    const changed = (side: 'remove' | 'grant') => ids.map((id) => { const change = byId.get(id)?.change; return change ? JSON.stringify(change[side]) : null; });
    await manager.query(
      `INSERT INTO identity.account_steps AS s (request_id, journey_type, step, employee_id, status, updated_at, remove_groups, grant_groups)
       SELECT id, type, step, emp, 'pending', now(), rm, gr FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[]) AS t(id, type, step, emp, rm, gr) ORDER BY id
       ON CONFLICT (request_id) DO UPDATE SET remove_groups = EXCLUDED.remove_groups, grant_groups = EXCLUDED.grant_groups
       WHERE s.remove_groups IS NULL AND EXCLUDED.remove_groups IS NOT NULL`,
      [ids, pick('journeyType'), pick('step'), pick('employeeId'), changed('remove'), changed('grant')],
    );
    const rows: Row[] = await manager.query('SELECT * FROM identity.account_steps WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE', [ids]);
    return new Map(rows.map((r) => [r.request_id, toRecord(r)]));
  }

  /** Serialises what is done to these employees' accounts until the transaction ends (see lockEmployeeAccounts). */
  lockEmployees(manager: EntityManager, employeeIds: readonly string[]): Promise<void> {
    return lockEmployeeAccounts(manager, employeeIds);
  }

  /** Records the account, its groups and whether it was enabled, before the change; a snapshot once taken is kept. */
  async rememberBefore(manager: EntityManager, requestId: string, before: AccountBefore): Promise<void> {
    await manager.query(
      `UPDATE identity.account_steps SET account_id = $2, groups_before = $3, enabled_before = $4, updated_at = now(), before_at = clock_timestamp(), active_at = clock_timestamp()
       WHERE request_id = $1 AND groups_before IS NULL AND status <> 'compensated'`,
      [requestId, before.accountId, JSON.stringify(before.groups), before.enabled],
    );
  }

  /** Saves the outcome of the step; a compensated record is never overwritten. */
  async save(manager: EntityManager, records: readonly AccountStepRecord[]): Promise<void> {
    for (const r of records) {
      await manager.query(
        `UPDATE identity.account_steps SET account_id = coalesce($2, account_id), status = $3, groups = $4, failure = $5, updated_at = $6, verified_event = $7, active_at = clock_timestamp()
         WHERE request_id = $1 AND status <> 'compensated'`,
        [r.requestId, r.accountId, r.status, JSON.stringify(r.groups), r.failure ? JSON.stringify(r.failure) : null, r.updatedAt.toISOString(), r.verifiedEvent ? JSON.stringify(r.verifiedEvent) : null],
      );
    }
  }

  /**
   * The groups other journeys of the employee removed or granted and that acted at or after
   * `since` (database clock), each with those journeys: what they may have changed since. An
   * access change touches the groups it asked to remove or grant; an offboarding that found the
   * account takes every group away, so it touches every group the asking journey recorded or
   * changes. Everything that changes an employee's groups runs under the employee's lock, so what
   * is committed here is all that happened.
   */
  async groupsTouchedSince(manager: EntityManager, employeeId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const rows: Array<{ request_id: string; group_name: string }> = await manager.query(
      `SELECT s.request_id, g.group_name FROM identity.account_steps s,
         LATERAL jsonb_array_elements_text(CASE WHEN s.journey_type = 'offboarding'
           THEN (SELECT coalesce(me.groups_before, '[]'::jsonb) || coalesce(me.remove_groups, '[]'::jsonb) || coalesce(me.grant_groups, '[]'::jsonb) FROM identity.account_steps me WHERE me.request_id = $2)
           ELSE coalesce(s.remove_groups, '[]'::jsonb) || coalesce(s.grant_groups, '[]'::jsonb) END) AS g(group_name)
       WHERE s.employee_id = $1 AND s.request_id <> $2 AND s.active_at >= $3
         AND (s.journey_type = 'access-change' OR (s.journey_type = 'offboarding' AND s.groups_before IS NOT NULL))
       ORDER BY s.active_at, s.request_id`,
      [employeeId, requestId, since.toISOString()],
    );
    const touched = new Map<string, string[]>();
    for (const row of rows) touched.set(row.group_name, [...new Set([...(touched.get(row.group_name) ?? []), row.request_id])]);
    return touched;
  }

  /** Other offboardings of the employee that found the account and acted at or after `since` (database clock): the account must stay disabled for them. */
  async offboardedSince(manager: EntityManager, employeeId: string, requestId: string, since: Date): Promise<string[]> {
    const rows: Array<{ request_id: string }> = await manager.query(
      `SELECT request_id FROM identity.account_steps
       WHERE employee_id = $1 AND request_id <> $2 AND journey_type = 'offboarding' AND groups_before IS NOT NULL AND active_at >= $3
       ORDER BY active_at, request_id`,
      [employeeId, requestId, since.toISOString()],
    );
    return rows.map((r) => r.request_id);
  }
}
