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
   * or granting them) acted on at or after `since` (database clock), each with those journeys.
   */
  async appsTouchedSince(manager: EntityManager, accountId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const rows: Array<{ request_id: string; app: string }> = await manager.query(
      `SELECT r.request_id, a->>'app' AS app FROM saas.access_requests r, LATERAL jsonb_array_elements(coalesce(r.apps, '[]'::jsonb)) AS a
       WHERE r.account_id = $1 AND r.request_id <> $2 AND r.active_at >= $3
       UNION ALL
       SELECT c.request_id, x.app FROM saas.app_access_changes c,
         LATERAL (SELECT jsonb_array_elements_text(coalesce(c.remove_apps, '[]'::jsonb)) UNION ALL SELECT g->>'app' FROM jsonb_array_elements(coalesce(c.grant_apps, '[]'::jsonb)) AS g) AS x(app)
       WHERE c.account_id = $1 AND c.request_id <> $2 AND c.active_at >= $3`,
      [accountId, requestId, since.toISOString()],
    );
    const touched = new Map<string, string[]>();
    for (const row of rows) touched.set(row.app, [...new Set([...(touched.get(row.app) ?? []), row.request_id])]);
    return touched;
  }
}
