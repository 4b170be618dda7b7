import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, "domain rules that protect people": compensation undoes only what its journey did.
 * - `access_requests.access_before`, `before_at`: what each app held for the account before a new
 *   hire granted anything, recorded before the first grant. Journeys from before are taken to
 *   have created every app user they asked for (what their compensation assumed until now).
 * - `before_at` on access changes, and `active_at` (database clock) on both: when a journey recorded
 *   the apps before it, and when it last acted, so that a compensation leaves alone an app another
 *   journey granted or revoked after this one recorded the apps.
 */
export class JourneysUndoOnlyTheirOwn1732800000000 implements MigrationInterface {
  name = 'JourneysUndoOnlyTheirOwn1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE saas.access_requests
      ADD COLUMN access_before jsonb,
      ADD COLUMN before_at timestamptz,
      ADD COLUMN active_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await runner.query(
      `UPDATE saas.access_requests r SET access_before = (SELECT jsonb_object_agg(a->>'app', 'null'::jsonb) FROM jsonb_array_elements(r.apps) AS a), before_at = r.updated_at
       WHERE r.apps IS NOT NULL AND jsonb_array_length(r.apps) > 0 AND r.account_id IS NOT NULL AND r.status IN ('verified', 'failed')`,
    );
    await runner.query(`ALTER TABLE saas.app_access_changes
      ADD COLUMN before_at timestamptz,
      ADD COLUMN active_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await runner.query('UPDATE saas.app_access_changes SET before_at = updated_at WHERE access_before IS NOT NULL');
    await runner.query('CREATE INDEX access_requests_account ON saas.access_requests (account_id, active_at)');
    await runner.query('CREATE INDEX app_access_changes_account ON saas.app_access_changes (account_id, active_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX saas.app_access_changes_account');
    await runner.query('DROP INDEX saas.access_requests_account');
    await runner.query('ALTER TABLE saas.app_access_changes DROP COLUMN active_at, DROP COLUMN before_at');
    await runner.query('ALTER TABLE saas.access_requests DROP COLUMN active_at, DROP COLUMN before_at, DROP COLUMN access_before');
  }
}
