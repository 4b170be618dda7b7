import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace of each journey: `trace_parent` is the W3C context of the first event of the
 * journey assurance handled (what its deadline retries, escalations, operators' decisions and
 * compensations continue), `trace_id` its trace id, kept on the outcome record too.
 */
export class AddTraceIds1732610000000 implements MigrationInterface {
  name = 'AddTraceIds1732610000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE assurance.journeys
      ADD COLUMN trace_parent text,
      ADD COLUMN trace_id text GENERATED ALWAYS AS (split_part(trace_parent, '-', 2)) STORED`);
    await runner.query('ALTER TABLE assurance.outcomes ADD COLUMN trace_id text');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE assurance.outcomes DROP COLUMN trace_id');
    await runner.query('ALTER TABLE assurance.journeys DROP COLUMN trace_id, DROP COLUMN trace_parent');
  }
}
