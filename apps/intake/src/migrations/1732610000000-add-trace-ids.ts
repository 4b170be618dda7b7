import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trace each journey started in: `trace_parent` is the W3C context of the request that
 * accepted it (a cancel or an approval later continues that trace), `trace_id` its trace id,
 * what an operator looks up in the tracing backend.
 */
export class AddTraceIds1732610000000 implements MigrationInterface {
  name = 'AddTraceIds1732610000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE intake.journeys
      ADD COLUMN trace_parent text,
      ADD COLUMN trace_id text GENERATED ALWAYS AS (split_part(trace_parent, '-', 2)) STORED`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE intake.journeys DROP COLUMN trace_id, DROP COLUMN trace_parent');
  }
}
