import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJourneys1732190000000 implements MigrationInterface {
  name = 'CreateJourneys1732190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE intake.journeys (
      request_id uuid PRIMARY KEY,
      journey_type text NOT NULL,
      status text NOT NULL,
      requested_by text NOT NULL,
      request jsonb NOT NULL,
      idempotency_key text UNIQUE,
      request_hash text NOT NULL,
      definition_version int NOT NULL,
      outcome jsonb,
      failure jsonb,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE intake.journeys');
  }
}
