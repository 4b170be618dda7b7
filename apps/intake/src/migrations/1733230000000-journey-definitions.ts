import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The journey definition registry: each (type, version) recorded once and never changed; a
 * version is active (new journeys may start on it) from its activation until it is retired.
 */
export class JourneyDefinitions1733230000000 implements MigrationInterface {
  name = 'JourneyDefinitions1733230000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE intake.journey_definitions (
      journey_type text NOT NULL,
      version int NOT NULL,
      document jsonb NOT NULL,
      source text NOT NULL,
      registered_by text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      active boolean NOT NULL DEFAULT false,
      changed_by text NOT NULL,
      changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (journey_type, version)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE intake.journey_definitions');
  }
}
