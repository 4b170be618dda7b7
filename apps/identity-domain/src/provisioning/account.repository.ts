import type { JourneyRecords } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { lockEmployeeAccounts } from '../account-steps/employee-lock';

/**
 * pending: claimed by the work in progress; compensated: a tombstone, so a late forward event or
 * retry for the journey does nothing.
 */
export type AccountStatus = 'pending' | 'verified' | 'failed' | 'compensated';

export interface AccountRecord {
  readonly requestId: string;
  readonly employeeId: string;
  readonly accountId: string | null;
  readonly status: AccountStatus;
  readonly groups: readonly string[];
  readonly failure: { code: string; reason: string } | null;
  readonly updatedAt: Date;
}

/** A journey's record as locked: its status, and whether it owns the employee's directory account. */
export interface AccountState {
  readonly status: AccountStatus;
  /** The journey created the account (or took over one its compensated predecessor left disabled): only it may undo it. */
  readonly ownsAccount: boolean;
  readonly failure: { code: string; reason: string } | null;
}

/** The identity service's record of what it did for each journey. */
@Injectable()
export class AccountRepository implements JourneyRecords<{ requestId: string; employeeId: string }, AccountState> {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so provisioning and compensation of one journey never run side by side.
   * Returns each journey's state.
   */
  async lock(manager: EntityManager, journeys: ReadonlyArray<{ requestId: string; employeeId: string }>): Promise<Map<string, AccountState>> {
    if (journeys.length === 0) return new Map();
    const byId = new Map(journeys.map((j) => [j.requestId, j]));
    const ids = [...byId.keys()].sort();
    await manager.query(
      `INSERT INTO identity.accounts (request_id, employee_id, account_id, status, groups, failure, updated_at)
       SELECT id, emp, NULL, 'pending', '[]'::jsonb, NULL, now() FROM unnest($1::uuid[], $2::text[]) AS t(id, emp) ORDER BY id
       ON CONFLICT (request_id) DO NOTHING`,
      [ids, ids.map((id) => byId.get(id)?.employeeId)],
    );
    const rows: Array<{ request_id: string; status: AccountStatus; owns_account: boolean; failure: AccountState['failure'] }> = await manager.query(
      'SELECT request_id, status, owns_account, failure FROM identity.accounts WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE',
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, { status: r.status, ownsAccount: r.owns_account, failure: r.failure }]));
  }

  /** Serialises what is done to these employees' accounts until the transaction ends (see lockEmployeeAccounts). */
  lockEmployees(manager: EntityManager, employeeIds: readonly string[]): Promise<void> {
    return lockEmployeeAccounts(manager, employeeIds);
  }

  /** The journey that owns the employee's account and is not compensated; null when none does. */
  async liveOwner(manager: EntityManager, employeeId: string): Promise<string | null> {
    const [row] = await manager.query("SELECT request_id FROM identity.accounts WHERE employee_id = $1 AND owns_account AND status <> 'compensated'", [employeeId]);
    return row?.request_id ?? null;
  }

  /** The last journey that owned the employee's account and was compensated (its account left disabled); null when none. */
  async releasedBy(manager: EntityManager, employeeId: string): Promise<string | null> {
    const [row] = await manager.query(
      "SELECT request_id FROM identity.accounts WHERE employee_id = $1 AND owns_account AND status = 'compensated' ORDER BY updated_at DESC, request_id LIMIT 1",
      [employeeId],
    );
    return row?.request_id ?? null;
  }

  /** Records that the journey owns the employee's account (before it creates or takes it over). */
  async claim(manager: EntityManager, requestId: string): Promise<void> {
    await manager.query("UPDATE identity.accounts SET owns_account = true WHERE request_id = $1 AND status <> 'compensated'", [requestId]);
  }

  async saveAll(manager: EntityManager, records: readonly AccountRecord[]): Promise<void> {
    if (records.length === 0) return;
    await manager.query(
      `INSERT INTO identity.accounts (request_id, employee_id, account_id, status, groups, failure, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[])
       ON CONFLICT (request_id) DO UPDATE SET account_id = EXCLUDED.account_id, status = EXCLUDED.status,
         groups = EXCLUDED.groups, failure = EXCLUDED.failure, updated_at = EXCLUDED.updated_at
       WHERE identity.accounts.status <> 'compensated'`,
      [
        records.map((r) => r.requestId),
        records.map((r) => r.employeeId),
        records.map((r) => r.accountId),
        records.map((r) => r.status),
        records.map((r) => JSON.stringify(r.groups)),
        records.map((r) => (r.failure ? JSON.stringify(r.failure) : null)),
        records.map((r) => r.updatedAt.toISOString()),
      ],
    );
  }
}
