import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, "domain rules that protect people":
 * - `accounts.owns_account`: the new hire that created the employee's directory account (or took
 *   over one its compensated predecessor left disabled) owns it until it is compensated, and only
 *   the owner's compensation disables it. At most one owner per employee that is not compensated.
 *   Journeys from before are given ownership as they acted: a compensated one that had an account
 *   (so a rehire may take it over), and per employee the earliest journey not compensated.
 * - `account_steps.remove_groups`, `grant_groups`, `before_at`, `active_at`: what each access
 *   change asked for, when (database clock) it recorded the groups as they were, and when it last
 *   acted, so that a compensation leaves alone a group another access change removed or granted
 *   after this one recorded the groups as they were.
 */
export class JourneysUndoOnlyTheirOwn1732800000000 implements MigrationInterface {
  name = 'JourneysUndoOnlyTheirOwn1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE identity.accounts ADD COLUMN owns_account boolean NOT NULL DEFAULT false');
    await runner.query("UPDATE identity.accounts SET owns_account = true WHERE status = 'compensated' AND account_id IS NOT NULL");
    await runner.query(
      `UPDATE identity.accounts a SET owns_account = true
       FROM (SELECT DISTINCT ON (employee_id) request_id FROM identity.accounts WHERE status <> 'compensated' ORDER BY employee_id, updated_at, request_id) first
       WHERE a.request_id = first.request_id`,
    );
    await runner.query("CREATE UNIQUE INDEX accounts_one_owner ON identity.accounts (employee_id) WHERE owns_account AND status <> 'compensated'");
    await runner.query(`ALTER TABLE identity.account_steps
      ADD COLUMN remove_groups jsonb,
      ADD COLUMN grant_groups jsonb,
      ADD COLUMN before_at timestamptz,
      ADD COLUMN active_at timestamptz NOT NULL DEFAULT clock_timestamp()`);
    await runner.query('CREATE INDEX account_steps_employee ON identity.account_steps (employee_id, active_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX identity.account_steps_employee');
    await runner.query('ALTER TABLE identity.account_steps DROP COLUMN active_at, DROP COLUMN before_at, DROP COLUMN grant_groups, DROP COLUMN remove_groups');
    await runner.query('DROP INDEX identity.accounts_one_owner');
    await runner.query('ALTER TABLE identity.accounts DROP COLUMN owns_account');
  }
}
