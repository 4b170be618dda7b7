import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The service's record of each journey's app access, and the simulated SaaS admin tool. */
export class CreateAccessRequests1732190000000 implements MigrationInterface {
  name = 'CreateAccessRequests1732190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE saas.access_requests (
      request_id uuid PRIMARY KEY,
      journey_type text NOT NULL,
      employee_id text,
      apps jsonb,
      account_id text,
      requested_event_id uuid,
      identity_event_id uuid,
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE TABLE saas.sim_saas_accounts (
      app text NOT NULL,
      account_id text NOT NULL,
      role text NOT NULL,
      active boolean NOT NULL,
      licence text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app, account_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE saas.sim_saas_accounts');
    await runner.query('DROP TABLE saas.access_requests');
  }
}
