import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Step states with deadlines; `next_due_at` is indexed so the deadline scan never reads every journey. */
export class TrackSteps1732200000000 implements MigrationInterface {
  name = 'TrackSteps1732200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assurance.journeys
      ADD COLUMN request jsonb,
      ADD COLUMN steps jsonb NOT NULL DEFAULT '{}'::jsonb,
      ADD COLUMN stalls jsonb NOT NULL DEFAULT '[]'::jsonb,
      ADD COLUMN next_due_at timestamptz`);
    await runner.query(`CREATE INDEX journeys_next_due ON assurance.journeys (next_due_at) WHERE next_due_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX assurance.journeys_next_due');
    await runner.query('ALTER TABLE assurance.journeys DROP COLUMN request, DROP COLUMN steps, DROP COLUMN stalls, DROP COLUMN next_due_at');
  }
}
