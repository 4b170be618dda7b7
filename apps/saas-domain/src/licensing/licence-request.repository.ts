import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { LicenceRequest, LicenceStatus, SeatsBefore } from './licensing.domain';

/** What one event brings: the licence asked for, or the checked account; or only the journey. */
export interface LicenceHalf {
  readonly requestId: string;
  readonly employeeId?: string;
  readonly app?: string;
  readonly licenceType?: string;
  readonly seats?: number;
  readonly accountId?: string;
}

interface Row {
  request_id: string;
  employee_id: string | null;
  app: string | null;
  licence_type: string | null;
  seats: number | null;
  account_id: string | null;
  seats_before: SeatsBefore | null;
  status: LicenceStatus;
}

@Injectable()
export class LicenceRequestRepository {
  /** Records what the events brought and returns the merged records, locked in id order for the transaction. */
  async merge(manager: EntityManager, halves: readonly LicenceHalf[], now: Date): Promise<LicenceRequest[]> {
    if (halves.length === 0) return [];
    const merged = new Map<string, LicenceHalf>();
    for (const half of halves) merged.set(half.requestId, { ...merged.get(half.requestId), ...half });
    const sorted = [...merged.values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    const rows: Row[] = await manager.query(
      `INSERT INTO saas.licence_requests AS r (request_id, employee_id, app, licence_type, seats, account_id, status, updated_at)
       SELECT request_id, employee_id, app, licence_type, seats, account_id, 'pending', $7
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) AS t(request_id, employee_id, app, licence_type, seats, account_id)
       ON CONFLICT (request_id) DO UPDATE SET
         employee_id = coalesce(EXCLUDED.employee_id, r.employee_id),
         app = coalesce(EXCLUDED.app, r.app),
         licence_type = coalesce(EXCLUDED.licence_type, r.licence_type),
         seats = coalesce(EXCLUDED.seats, r.seats),
         account_id = coalesce(EXCLUDED.account_id, r.account_id),
         updated_at = EXCLUDED.updated_at
       RETURNING request_id, employee_id, app, licence_type, seats, account_id, seats_before, status`,
      [
        sorted.map((h) => h.requestId),
        sorted.map((h) => h.employeeId ?? null),
        sorted.map((h) => h.app ?? null),
        sorted.map((h) => h.licenceType ?? null),
        sorted.map((h) => h.seats ?? null),
        sorted.map((h) => h.accountId ?? null),
        now.toISOString(),
      ],
    );
    return rows.map((r) => ({
      requestId: r.request_id,
      employeeId: r.employee_id ?? '',
      app: r.app,
      licenceType: r.licence_type,
      seats: r.seats,
      accountId: r.account_id,
      seatsBefore: r.seats_before,
      status: r.status,
    }));
  }

  /** Records the seats the account held before the journey; once recorded, they are kept. */
  async rememberBefore(manager: EntityManager, requestId: string, before: SeatsBefore): Promise<void> {
    await manager.query(`UPDATE saas.licence_requests SET seats_before = $2 WHERE request_id = $1 AND seats_before IS NULL AND status <> 'compensated'`, [
      requestId,
      JSON.stringify(before),
    ]);
  }

  /** Ends the step (or, compensated, the journey here); a compensated record is never overwritten. */
  async conclude(manager: EntityManager, requestId: string, status: Exclude<LicenceStatus, 'pending'>, failure: object | null, now: Date): Promise<void> {
    await manager.query(`UPDATE saas.licence_requests SET status = $2, failure = $3, updated_at = $4 WHERE request_id = $1 AND status <> 'compensated'`, [
      requestId,
      status,
      failure ? JSON.stringify(failure) : null,
      now.toISOString(),
    ]);
  }
}
