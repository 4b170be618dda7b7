import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * facilities-domain's record of the steps it runs: one row per journey and step, written before the
 * target system is touched and updated as the step is verified, fails or is undone, so a retry
 * or a compensation knows what was done (as identity's account_steps). The first step's
 * repository reads and writes it; what a step keeps of its own goes in columns added by a
 * migration of their own.
 */
export class CreateJourneySteps1796323954274 implements MigrationInterface {
  name = 'CreateJourneySteps1796323954274';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE facilities.journey_steps (
      request_id uuid NOT NULL,
      step text NOT NULL,
      journey_type text NOT NULL,
      employee_id text NOT NULL,
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (request_id, step)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE facilities.journey_steps');
  }
}
