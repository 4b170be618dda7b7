import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity service's record of the steps it runs on an existing account (access change,
 * account check): one row per journey, with the account's groups as they were before the change,
 * written before the directory is touched, so that compensation restores exactly those.
 */
export class CreateAccountSteps1732280000000 implements MigrationInterface {
  name = 'CreateAccountSteps1732280000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE identity.account_steps (
      request_id uuid PRIMARY KEY,
      journey_type text NOT NULL,
      step text NOT NULL,
      employee_id text NOT NULL,
      account_id text,
      status text NOT NULL,
      groups_before jsonb,
      groups jsonb NOT NULL DEFAULT '[]'::jsonb,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE identity.account_steps');
  }
}
