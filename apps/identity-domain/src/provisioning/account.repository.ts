import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** compensated: a tombstone; a late forward event for the journey does nothing. */
export type AccountStatus = 'verified' | 'failed' | 'compensated';

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
  async existing(manager: EntityManager, requestIds: readonly string[]): Promise<Set<string>> {
    if (requestIds.length === 0) return new Set();
    const rows: Array<{ request_id: string }> = await manager.query(
      'SELECT request_id FROM identity.accounts WHERE request_id = ANY($1::uuid[])',
      [[...requestIds]],
    );
    return new Set(rows.map((r) => r.request_id));
  }

  async saveAll(manager: EntityManager, records: readonly AccountRecord[]): Promise<void> {
    if (records.length === 0) return;
    await manager.query(
      `INSERT INTO identity.accounts (request_id, employee_id, account_id, status, groups, failure, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::timestamptz[])
       ON CONFLICT (request_id) DO UPDATE SET account_id = EXCLUDED.account_id, status = EXCLUDED.status,
         groups = EXCLUDED.groups, failure = EXCLUDED.failure, updated_at = EXCLUDED.updated_at`,
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
