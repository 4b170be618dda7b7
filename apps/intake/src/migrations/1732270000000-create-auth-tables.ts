import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys (hashes only; one active key per name) and the audit of every 401 and 403 intake
 * answered.
 */
export class CreateAuthTables1732270000000 implements MigrationInterface {
  name = 'CreateAuthTables1732270000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE intake.api_keys (
      id text PRIMARY KEY,
      name text NOT NULL,
      roles text[] NOT NULL,
      key_hash text NOT NULL CHECK (key_hash LIKE 'sha256:%'),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL,
      revoked_by text,
      revoked_at timestamptz
    )`);
    await runner.query('CREATE UNIQUE INDEX api_keys_one_active_per_name ON intake.api_keys (name) WHERE revoked_at IS NULL');
    await runner.query(`CREATE TABLE intake.access_denials (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      principal_kind text,
      principal_id text,
      method text NOT NULL,
      path text NOT NULL,
      status int NOT NULL CHECK (status IN (401, 403)),
      reason text NOT NULL,
      message text NOT NULL,
      source_ip text
    )`);
    await runner.query('CREATE INDEX access_denials_at ON intake.access_denials (at)');
    await runner.query('CREATE INDEX access_denials_principal ON intake.access_denials (principal_id, id) WHERE principal_id IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE intake.access_denials');
    await runner.query('DROP TABLE intake.api_keys');
  }
}
