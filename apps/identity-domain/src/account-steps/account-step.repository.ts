import type { JourneyType } from '@closeloop/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
}

export interface AccountStepKey {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly step: string;
  readonly employeeId: string;
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
  failure: r.failure,
  updatedAt: r.updated_at,
});

@Injectable()
export class AccountStepRepository {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so the step and its compensation never run side by side for one journey.
   */
  async lock(manager: EntityManager, keys: readonly AccountStepKey[]): Promise<Map<string, AccountStepRecord>> {
    if (keys.length === 0) return new Map();
    const byId = new Map(keys.map((k) => [k.requestId, k]));
    const ids = [...byId.keys()].sort();
    const pick = <K extends keyof AccountStepKey>(field: K) => ids.map((id) => byId.get(id)?.[field]);
    await manager.query(
      `INSERT INTO identity.account_steps (request_id, journey_type, step, employee_id, status, updated_at)
       SELECT id, type, step, emp, 'pending', now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, type, step, emp) ORDER BY id
       ON CONFLICT (request_id) DO NOTHING`,
      [ids, pick('journeyType'), pick('step'), pick('employeeId')],
    );
    const rows: Row[] = await manager.query('SELECT * FROM identity.account_steps WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE', [ids]);
    return new Map(rows.map((r) => [r.request_id, toRecord(r)]));
  }

  /** Records the account and its groups before the change; a snapshot once taken is kept. */
  async rememberBefore(manager: EntityManager, requestId: string, accountId: string, groups: readonly string[]): Promise<void> {
    await manager.query(
      `UPDATE identity.account_steps SET account_id = $2, groups_before = $3, updated_at = now()
       WHERE request_id = $1 AND groups_before IS NULL AND status <> 'compensated'`,
      [requestId, accountId, JSON.stringify(groups)],
    );
  }

  /** Saves the outcome of the step; a compensated record is never overwritten. */
  async save(manager: EntityManager, records: readonly AccountStepRecord[]): Promise<void> {
    for (const r of records) {
      await manager.query(
        `UPDATE identity.account_steps SET account_id = coalesce($2, account_id), status = $3, groups = $4, failure = $5, updated_at = $6
         WHERE request_id = $1 AND status <> 'compensated'`,
        [r.requestId, r.accountId, r.status, JSON.stringify(r.groups), r.failure ? JSON.stringify(r.failure) : null, r.updatedAt.toISOString()],
      );
    }
  }
}
