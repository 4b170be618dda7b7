import { lockKeys } from '@closeloop/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * What every journey of the SaaS service does to an account's apps, seen together: the lock that
 * serialises changes to one account's apps, and which apps other journeys changed since a time.
 */
@Injectable()
export class AppChangesRepository {
  /**
   * Serialises, until the transaction ends, every change (and the record of the apps before one)
   * to these accounts' apps: a new hire's grants, access changes, their compensations. Taken after
   * the journeys' own records, in account order, so transactions never wait on each other in a circle.
   */
  async lockAccounts(manager: EntityManager, accountIds: ReadonlyArray<string | null>): Promise<void> {
    await lockKeys(
      manager,
      accountIds.filter((id): id is string => id !== null).map((accountId) => `saas.account:${accountId}`),
    );
  }

  /**
   * The apps of the account that other journeys (new hires granting them, access changes revoking
   * or granting them, offboardings taking them back) acted on at or after `since` (database
   * clock), each with those journeys.
   */
  async appsTouchedSince(manager: EntityManager, accountId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const rows: Array<{ request_id: string; app: string }> = await manager.query(
      `SELECT r.request_id, a->>'app' AS app FROM saas.access_requests r, LATERAL jsonb_array_elements(coalesce(r.apps, '[]'::jsonb)) AS a
       WHERE r.account_id = $1 AND r.request_id <> $2 AND r.active_at >= $3
       UNION ALL
       SELECT c.request_id, x.app FROM saas.app_access_changes c,
         LATERAL (SELECT jsonb_array_elements_text(coalesce(c.remove_apps, '[]'::jsonb)) UNION ALL SELECT g->>'app' FROM jsonb_array_elements(coalesce(c.grant_apps, '[]'::jsonb)) AS g) AS x(app)
       WHERE c.account_id = $1 AND c.request_id <> $2 AND c.active_at >= $3
       UNION ALL
       SELECT o.request_id, u.key AS app FROM saas.offboardings o, LATERAL jsonb_each(coalesce(o.apps_before, '{}'::jsonb)) AS u
       WHERE $1 = ANY(o.account_ids) AND u.value->>'accountId' = $1 AND o.request_id <> $2 AND o.active_at >= $3`,
      [accountId, requestId, since.toISOString()],
    );
    const touched = new Map<string, string[]>();
    for (const row of rows) touched.set(row.app, [...new Set([...(touched.get(row.app) ?? []), row.request_id])]);
    return touched;
  }

  /**
   * The apps the journeys of this service named for each employee (granted, revoked, licensed),
   * whatever became of them, and the accounts they acted on: an offboarding searches those apps
   * too, and serialises with those accounts' changes.
   */
  async namedFor(manager: EntityManager, employeeIds: readonly string[]): Promise<Map<string, { apps: string[]; accountIds: string[] }>> {
    const named = new Map(employeeIds.map((id) => [id, { apps: [] as string[], accountIds: [] as string[] }]));
    if (employeeIds.length === 0) return named;
    const rows: Array<{ employee_id: string; app: string; account_id: string | null }> = await manager.query(
      `SELECT r.employee_id, a->>'app' AS app, r.account_id FROM saas.access_requests r, LATERAL jsonb_array_elements(coalesce(r.apps, '[]'::jsonb)) AS a
       WHERE r.employee_id = ANY($1::text[])
       UNION
       SELECT c.employee_id, x.app, c.account_id FROM saas.app_access_changes c,
         LATERAL (SELECT jsonb_array_elements_text(coalesce(c.remove_apps, '[]'::jsonb)) UNION ALL SELECT g->>'app' FROM jsonb_array_elements(coalesce(c.grant_apps, '[]'::jsonb)) AS g) AS x(app)
       WHERE c.employee_id = ANY($1::text[])
       UNION
       SELECT l.employee_id, l.app, l.account_id FROM saas.licence_requests l WHERE l.employee_id = ANY($1::text[]) AND l.app IS NOT NULL`,
      [[...new Set(employeeIds)]],
    );
    for (const row of rows) {
      const entry = named.get(row.employee_id);
      if (!entry) continue;
      if (!entry.apps.includes(row.app)) entry.apps.push(row.app);
      if (row.account_id !== null && !entry.accountIds.includes(row.account_id)) entry.accountIds.push(row.account_id);
    }
    return named;
  }
}
