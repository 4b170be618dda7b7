import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The service's record of each journey's account, and the simulated identity directory. */
export class CreateAccounts1732190000000 implements MigrationInterface {
  name = 'CreateAccounts1732190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE identity.accounts (
      request_id uuid PRIMARY KEY,
      employee_id text NOT NULL,
      account_id text,
      status text NOT NULL,
      groups jsonb NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE TABLE identity.sim_directory_users (
      account_id text PRIMARY KEY,
      employee_id text NOT NULL UNIQUE,
      email text NOT NULL,
      display_name text NOT NULL,
      enabled boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE TABLE identity.sim_directory_group_members (
      account_id text NOT NULL REFERENCES identity.sim_directory_users (account_id),
      group_name text NOT NULL,
      PRIMARY KEY (account_id, group_name)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE identity.sim_directory_group_members');
    await runner.query('DROP TABLE identity.sim_directory_users');
    await runner.query('DROP TABLE identity.accounts');
  }
}
