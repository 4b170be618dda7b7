import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SaaS service's record of each leaver: what each app's user held before the offboarding took
 * anything (`apps_before`, by app, written before the first change, so that compensation gives
 * exactly that back), the accounts it holds in the apps (`account_ids`, so that another journey's
 * compensation leaves alone what the offboarding changed), and when it last acted (`active_at`).
 * Indexes on the employee let an offboarding find the apps the other journeys named for them.
 */
export class CreateOffboardings1733000000000 implements MigrationInterface {
  name = 'CreateOffboardings1733000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE saas.offboardings (
      request_id uuid PRIMARY KEY,
      employee_id text NOT NULL,
      email text NOT NULL,
      apps_before jsonb,
      account_ids text[] NOT NULL DEFAULT '{}',
      before_at timestamptz,
      active_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query('CREATE INDEX offboardings_accounts ON saas.offboardings USING gin (account_ids)');
    await runner.query('CREATE INDEX access_requests_employee ON saas.access_requests (employee_id)');
    await runner.query('CREATE INDEX app_access_changes_employee ON saas.app_access_changes (employee_id)');
    await runner.query('CREATE INDEX licence_requests_employee ON saas.licence_requests (employee_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX saas.licence_requests_employee');
    await runner.query('DROP INDEX saas.app_access_changes_employee');
    await runner.query('DROP INDEX saas.access_requests_employee');
    await runner.query('DROP TABLE saas.offboardings');
  }
}
