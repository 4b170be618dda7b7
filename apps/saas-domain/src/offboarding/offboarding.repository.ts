import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { accountsOf, type AppsBefore, type Offboarding, type OffboardingStatus } from './offboarding.domain';

/** A leaver, as every event of the journey carries it (the request travels with retries and compensations). */
export interface Leaver {
  readonly requestId: string;
  readonly employeeId: string;
  readonly email: string;
}

interface Row {
  request_id: string;
  employee_id: string;
  email: string;
  apps_before: AppsBefore | null;
  before_at: Date | null;
  status: OffboardingStatus;
}

@Injectable()
export class OffboardingRepository {
  /** Records the leavers seen for the first time (pending) and returns every one asked for, locked in id order for the transaction. */
  async merge(manager: EntityManager, leavers: readonly Leaver[], now: Date): Promise<Offboarding[]> {
    if (leavers.length === 0) return [];
    const sorted = [...new Map(leavers.map((l) => [l.requestId, l])).values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    const rows: Row[] = await manager.query(
      `INSERT INTO saas.offboardings AS o (request_id, employee_id, email, status, updated_at)
       SELECT request_id, employee_id, email, 'pending', $4
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(request_id, employee_id, email)
       ON CONFLICT (request_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
       RETURNING request_id, employee_id, email, apps_before, before_at, status`,
      [sorted.map((l) => l.requestId), sorted.map((l) => l.employeeId), sorted.map((l) => l.email), now.toISOString()],
    );
    return rows.map((r) => ({ requestId: r.request_id, employeeId: r.employee_id, email: r.email, appsBefore: r.apps_before, beforeAt: r.before_at, status: r.status }));
  }

  /** Records what each app's user held before anything is taken back (with the accounts, for other journeys to see); once recorded, it is kept. */
  async rememberBefore(manager: EntityManager, offboarding: Offboarding, before: AppsBefore): Promise<void> {
    await manager.query(
      `UPDATE saas.offboardings SET apps_before = $2, account_ids = $3, before_at = clock_timestamp(), active_at = clock_timestamp()
       WHERE request_id = $1 AND apps_before IS NULL AND status <> 'compensated'`,
      [offboarding.requestId, JSON.stringify(before), accountsOf({ ...offboarding, appsBefore: before })],
    );
  }

  /** Ends the step (or, compensated, the journey here); a compensated record is never overwritten. */
  async conclude(manager: EntityManager, requestId: string, status: Exclude<OffboardingStatus, 'pending'>, failure: object | null, now: Date): Promise<void> {
    await manager.query(
      `UPDATE saas.offboardings SET status = $2, failure = $3, updated_at = $4, active_at = clock_timestamp() WHERE request_id = $1 AND status <> 'compensated'`,
      [requestId, status, failure ? JSON.stringify(failure) : null, now.toISOString()],
    );
  }
}
