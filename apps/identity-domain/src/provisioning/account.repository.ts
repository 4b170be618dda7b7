import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

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

/** The identity service's record of what it did for each journey. */
@Injectable()
export class AccountRepository {
  /**
   * Creates a pending record for each journey not seen yet and locks them all (in id order) for
   * the transaction, so provisioning and compensation of one journey never run side by side.
   * Returns each journey's status.
   */
  async lock(manager: EntityManager, journeys: ReadonlyArray<{ requestId: string; employeeId: string }>): Promise<Map<string, AccountStatus>> {
    if (journeys.length === 0) return new Map();
    const byId = new Map(journeys.map((j) => [j.requestId, j]));
    const ids = [...byId.keys()].sort();
    await manager.query(
      `INSERT INTO identity.accounts (request_id, employee_id, account_id, status, groups, failure, updated_at)
       SELECT id, emp, NULL, 'pending', '[]'::jsonb, NULL, now() FROM unnest($1::uuid[], $2::text[]) AS t(id, emp) ORDER BY id
       ON CONFLICT (request_id) DO NOTHING`,
      [ids, ids.map((id) => byId.get(id)?.employeeId)],
    );
    const rows: Array<{ request_id: string; status: AccountStatus }> = await manager.query(
      'SELECT request_id, status FROM identity.accounts WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE',
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, r.status]));
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
