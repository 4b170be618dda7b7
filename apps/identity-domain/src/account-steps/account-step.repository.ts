import type { JourneyType } from '@closeloop/contracts';
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
  /** The groups as last read back. */
  readonly groups: readonly string[];
  /** When (database clock) the groups before were recorded; null until then. */
  readonly beforeAt?: Date | null;
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
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
  groups: string[];
  before_at: Date | null;
  failure: { code: string; reason: string } | null;
  updated_at: Date;
}

const toRecord = (r: Row): AccountStepRecord => ({
  requestId: r.request_id,
  journeyType: r.journey_type,
  step: r.step,
  employeeId: r.employee_id,
  accountId: r.account_id,
  status: r.status,
  groupsBefore: r.groups_before,
  groups: r.groups,
  beforeAt: r.before_at,
  failure: r.failure,
  updatedAt: r.updated_at,
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

  /** Records the account and its groups before the change; a snapshot once taken is kept. */
  async rememberBefore(manager: EntityManager, requestId: string, accountId: string, groups: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE identity.account_steps SET account_id = $2, groups_before = $3, updated_at = now(), before_at = clock_timestamp(), active_at = clock_timestamp()
       WHERE request_id = $1 AND groups_before IS NULL AND status <> 'compensated'`,
      [requestId, accountId, JSON.stringify(groups)],
    );
  }

  /** Saves the outcome of the step; a compensated record is never overwritten. */
  async save(manager: EntityManager, records: readonly AccountStepRecord[]): Promise<void> {
    for (const r of records) {
      await manager.query(
        `UPDATE identity.account_steps SET account_id = coalesce($2, account_id), status = $3, groups = $4, failure = $5, updated_at = $6, active_at = clock_timestamp()
         WHERE request_id = $1 AND status <> 'compensated'`,
        [r.requestId, r.accountId, r.status, JSON.stringify(r.groups), r.failure ? JSON.stringify(r.failure) : null, r.updatedAt.toISOString()],
      );
    }
  }

  /**
   * The groups other access changes of the employee asked to remove or grant and that acted at or
   * after `since` (database clock), each with those journeys: what they may have changed since.
   * Everything that changes an employee's groups runs under the employee's lock, so what is
   * committed here is all that happened.
   */
  async groupsTouchedSince(manager: EntityManager, employeeId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const rows: Array<{ request_id: string; group_name: string }> = await manager.query(
      `SELECT s.request_id, g.group_name FROM identity.account_steps s,
         LATERAL jsonb_array_elements_text(coalesce(s.remove_groups, '[]'::jsonb) || coalesce(s.grant_groups, '[]'::jsonb)) AS g(group_name)
       WHERE s.employee_id = $1 AND s.request_id <> $2 AND s.journey_type = 'access-change' AND s.active_at >= $3
       ORDER BY s.active_at, s.request_id`,
      [employeeId, requestId, since.toISOString()],
    );
    const touched = new Map<string, string[]>();
    for (const row of rows) touched.set(row.group_name, [...new Set([...(touched.get(row.group_name) ?? []), row.request_id])]);
    return touched;
  }
}
