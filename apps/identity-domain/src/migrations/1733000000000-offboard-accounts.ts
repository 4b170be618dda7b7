import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A leaver's account taken back (the offboarding step):
 * - `account_steps.enabled_before`: whether the account was enabled before the journey changed
 *   anything, recorded with the groups, so that a cancelled offboarding enables again only an
 *   account it disabled;
 * - `account_steps.verified_event`: the event that reported the step verified, so that a retry of
 *   a verified step is answered with that same event and nothing is done again;
 * - `sim_directory_sessions`: the simulated directory's sign-in sessions (active until revoked).
 *   Every enabled account already there has signed in once, as a new hire's account does when
 *   it is created.
 */
export class OffboardAccounts1733000000000 implements MigrationInterface {
  name = 'OffboardAccounts1733000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE identity.account_steps ADD COLUMN enabled_before boolean, ADD COLUMN verified_event jsonb');
    await runner.query(`CREATE TABLE identity.sim_directory_sessions (
      session_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id text NOT NULL REFERENCES identity.sim_directory_users (account_id),
      started_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`);
    await runner.query('CREATE INDEX sim_directory_sessions_active ON identity.sim_directory_sessions (account_id) WHERE revoked_at IS NULL');
    await runner.query('INSERT INTO identity.sim_directory_sessions (account_id) SELECT account_id FROM identity.sim_directory_users WHERE enabled');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE identity.sim_directory_sessions');
    await runner.query('ALTER TABLE identity.account_steps DROP COLUMN verified_event, DROP COLUMN enabled_before');
  }
}
