import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The operator who claimed an escalated journey in the work queue. */
export class AddClaims1732220000000 implements MigrationInterface {
  name = 'AddClaims1732220000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE assurance.journeys ADD COLUMN claimed_by text');
    await runner.query(`CREATE INDEX journeys_escalated ON assurance.journeys (started_at) WHERE status = 'escalated'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX assurance.journeys_escalated');
    await runner.query('ALTER TABLE assurance.journeys DROP COLUMN claimed_by');
  }
}
