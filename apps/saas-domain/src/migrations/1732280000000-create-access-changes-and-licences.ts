import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SaaS service's record of each access change's app access and each licensing journey's
 * seats. What the apps held before (`access_before`, `seats_before`) is written before any app
 * is changed, so that compensation restores exactly that.
 */
export class CreateAccessChangesAndLicences1732280000000 implements MigrationInterface {
  name = 'CreateAccessChangesAndLicences1732280000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE saas.app_access_changes (
      request_id uuid PRIMARY KEY,
      employee_id text,
      remove_apps jsonb,
      grant_apps jsonb,
      account_id text,
      access_before jsonb,
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE TABLE saas.licence_requests (
      request_id uuid PRIMARY KEY,
      employee_id text,
      app text,
      licence_type text,
      seats integer,
      account_id text,
      seats_before jsonb,
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE saas.licence_requests');
    await runner.query('DROP TABLE saas.app_access_changes');
  }
}
