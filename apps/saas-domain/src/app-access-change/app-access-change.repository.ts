import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { RequestedApp } from '../access/access.domain';
import type { AccessBefore, AppAccessChange, RequestStatus } from './app-access-change.domain';

/** What one event brings: the request's apps, or the account identity changed; or only the journey. */
export interface AppAccessChangeHalf {
  readonly requestId: string;
  readonly employeeId?: string;
  readonly removeApps?: readonly string[];
  readonly grantApps?: readonly RequestedApp[];
  readonly accountId?: string;
}

interface Row {
  request_id: string;
  employee_id: string | null;
  remove_apps: string[] | null;
  grant_apps: RequestedApp[] | null;
  account_id: string | null;
  access_before: AccessBefore | null;
  before_at: Date | null;
  status: RequestStatus;
}

const toChange = (r: Row): AppAccessChange => ({
  requestId: r.request_id,
  employeeId: r.employee_id ?? '',
  removeApps: r.remove_apps,
  grantApps: r.grant_apps,
  accountId: r.account_id,
  accessBefore: r.access_before,
  beforeAt: r.before_at,
  status: r.status,
});

@Injectable()
export class AppAccessChangeRepository {
  /**
   * Records what the events brought (merging the halves of each journey) and returns the merged
   * records, locked in id order for the rest of the transaction.
   */
  async merge(manager: EntityManager, halves: readonly AppAccessChangeHalf[], now: Date): Promise<AppAccessChange[]> {
    if (halves.length === 0) return [];
    const merged = new Map<string, AppAccessChangeHalf>();
    for (const half of halves) merged.set(half.requestId, { ...merged.get(half.requestId), ...half });
    const sorted = [...merged.values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    const rows: Row[] = await manager.query(
      `INSERT INTO saas.app_access_changes AS r (request_id, employee_id, remove_apps, grant_apps, account_id, status, updated_at)
       SELECT request_id, employee_id, remove_apps, grant_apps, account_id, 'pending', $6
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::jsonb[], $5::text[]) AS t(request_id, employee_id, remove_apps, grant_apps, account_id)
       ON CONFLICT (request_id) DO UPDATE SET
         employee_id = coalesce(EXCLUDED.employee_id, r.employee_id),
         remove_apps = coalesce(EXCLUDED.remove_apps, r.remove_apps),
         grant_apps = coalesce(EXCLUDED.grant_apps, r.grant_apps),
         account_id = coalesce(EXCLUDED.account_id, r.account_id),
         updated_at = EXCLUDED.updated_at
       RETURNING request_id, employee_id, remove_apps, grant_apps, account_id, access_before, before_at, status`,
      [
        sorted.map((h) => h.requestId),
        sorted.map((h) => h.employeeId ?? null),
        sorted.map((h) => json(h.removeApps)),
        sorted.map((h) => json(h.grantApps)),
        sorted.map((h) => h.accountId ?? null),
        now.toISOString(),
      ],
    );
    return rows.map(toChange);
  }

  /** Records each touched app's access before the change; once recorded, it is kept. */
  async rememberBefore(manager: EntityManager, requestId: string, before: AccessBefore): Promise<void> {
    await manager.query(
      `UPDATE saas.app_access_changes SET access_before = $2, before_at = clock_timestamp(), active_at = clock_timestamp()
       WHERE request_id = $1 AND access_before IS NULL AND status <> 'compensated'`,
      [requestId, JSON.stringify(before)],
    );
  }

  /** Ends the step (or, compensated, the journey here); a compensated record is never overwritten. */
  async conclude(manager: EntityManager, requestId: string, status: Exclude<RequestStatus, 'pending'>, failure: object | null, now: Date): Promise<void> {
    await manager.query(
      `UPDATE saas.app_access_changes SET status = $2, failure = $3, updated_at = $4, active_at = clock_timestamp() WHERE request_id = $1 AND status <> 'compensated'`,
      [requestId, status, failure ? JSON.stringify(failure) : null, now.toISOString()],
    );
  }
}
