import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saga tracking: one row per journey, and the confirmed-outcome records. */
export class CreateJourneys1732190000000 implements MigrationInterface {
  name = 'CreateJourneys1732190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE assurance.journeys (
      request_id uuid PRIMARY KEY,
      journey_type text NOT NULL,
      definition_version int,
      status text NOT NULL,
      started_at timestamptz,
      signals jsonb NOT NULL DEFAULT '{}'::jsonb,
      failures jsonb NOT NULL DEFAULT '[]'::jsonb,
      confirmed_at timestamptz,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE INDEX journeys_status ON assurance.journeys (status) WHERE status <> 'confirmed'`);
    await runner.query(`CREATE TABLE assurance.outcomes (
      request_id uuid PRIMARY KEY REFERENCES assurance.journeys (request_id),
      journey_type text NOT NULL,
      definition_version int NOT NULL,
      signals jsonb NOT NULL,
      started_at timestamptz NOT NULL,
      confirmed_at timestamptz NOT NULL,
      duration_ms bigint NOT NULL,
      event_id uuid NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE assurance.outcomes');
    await runner.query('DROP TABLE assurance.journeys');
  }
}
