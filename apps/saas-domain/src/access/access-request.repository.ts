import type { EventEnvelope } from '@closeloop/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { AccessRequest, RequestedApp } from './access.domain';
import type { AccessBefore } from './app-undo.domain';

export interface AccessHalf {
  readonly requestId: string;
  readonly journeyType: string;
  readonly employeeId?: string;
  readonly apps?: readonly RequestedApp[];
  readonly accountId?: string;
}

interface Row {
  request_id: string;
  employee_id: string | null;
  apps: RequestedApp[] | null;
  account_id: string | null;
  access_before: AccessBefore | null;
  before_at: Date | null;
  status: AccessRequest['status'];
  verified_event: EventEnvelope | null;
}

@Injectable()
export class AccessRequestRepository {
  /**
   * Records what one event brought (the apps or the account) and returns the merged requests,
   * locked for the rest of the transaction.
   */
  async merge(manager: EntityManager, halves: readonly AccessHalf[], now: Date): Promise<Array<AccessRequest & { employeeId: string; verifiedEvent: EventEnvelope | null }>> {
    if (halves.length === 0) return [];
    const merged = new Map<string, AccessHalf>();
    for (const half of halves) merged.set(half.requestId, { ...merged.get(half.requestId), ...half });
    const sorted = [...merged.values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    const rows: Row[] = await manager.query(
      `INSERT INTO saas.access_requests AS r (request_id, journey_type, employee_id, apps, account_id, status, updated_at)
       SELECT request_id, journey_type, employee_id, apps, account_id, 'pending', $6
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::text[]) AS t(request_id, journey_type, employee_id, apps, account_id)
       ON CONFLICT (request_id) DO UPDATE SET
         employee_id = coalesce(EXCLUDED.employee_id, r.employee_id),
         apps = coalesce(EXCLUDED.apps, r.apps),
         account_id = coalesce(EXCLUDED.account_id, r.account_id),
         updated_at = EXCLUDED.updated_at
       RETURNING request_id, employee_id, apps, account_id, access_before, before_at, status, verified_event`,
      [
        sorted.map((h) => h.requestId),
        sorted.map((h) => h.journeyType),
        sorted.map((h) => h.employeeId ?? null),
        sorted.map((h) => (h.apps ? JSON.stringify(h.apps) : null)),
        sorted.map((h) => h.accountId ?? null),
        now.toISOString(),
      ],
    );
    return rows.map((r) => ({
      requestId: r.request_id,
      employeeId: r.employee_id ?? '',
      apps: r.apps,
      accountId: r.account_id,
      accessBefore: r.access_before,
      beforeAt: r.before_at,
      status: r.status,
      verifiedEvent: r.verified_event,
    }));
  }

  /** Records what the apps held for the account before the journey changes any; once recorded, it is kept. */
  async rememberBefore(manager: EntityManager, requestId: string, before: AccessBefore): Promise<void> {
    await manager.query(
      `UPDATE saas.access_requests SET access_before = $2, before_at = clock_timestamp(), active_at = clock_timestamp()
       WHERE request_id = $1 AND access_before IS NULL AND status <> 'compensated'`,
      [requestId, JSON.stringify(before)],
    );
  }

  /** `verifiedEvent`: the event that reported the step verified, kept to answer a later retry with the same event. */
  async conclude(manager: EntityManager, requestId: string, status: 'verified' | 'failed' | 'compensated', failure: object | null, now: Date, verifiedEvent: EventEnvelope | null = null): Promise<void> {
    await manager.query(
      'UPDATE saas.access_requests SET status = $2, failure = $3, updated_at = $4, active_at = clock_timestamp(), verified_event = $5 WHERE request_id = $1',
      [requestId, status, failure ? JSON.stringify(failure) : null, now.toISOString(), verifiedEvent ? JSON.stringify(verifiedEvent) : null],
    );
  }
}
