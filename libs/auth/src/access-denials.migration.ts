import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `<schema>.access_denials`: the audit of every 401 and 403 a service answered. Each refused call
 * is a row of its own (`count` 1, `bucket` null) until a caller exceeds its share of a minute; the
 * rest of that minute is counted in one row per caller, route and reason (`bucket` set, `count`
 * growing). Created where missing (intake had the table before the other services), extended
 * where it exists.
 */
export const accessDenialsMigration = (schema: string, timestamp: number): new () => MigrationInterface => {
  const name = `AccessDenials${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE IF NOT EXISTS "${schema}".access_denials (
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
      await runner.query(`ALTER TABLE "${schema}".access_denials
        ADD COLUMN IF NOT EXISTS route text,
        ADD COLUMN IF NOT EXISTS count int NOT NULL DEFAULT 1,
        ADD COLUMN IF NOT EXISTS last_at timestamptz,
        ADD COLUMN IF NOT EXISTS bucket text`);
      await runner.query(`CREATE INDEX IF NOT EXISTS access_denials_at ON "${schema}".access_denials (at)`);
      await runner.query(`CREATE INDEX IF NOT EXISTS access_denials_principal ON "${schema}".access_denials (principal_id, id) WHERE principal_id IS NOT NULL`);
      await runner.query(`CREATE UNIQUE INDEX IF NOT EXISTS access_denials_bucket ON "${schema}".access_denials (bucket) WHERE bucket IS NOT NULL`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX IF EXISTS "${schema}".access_denials_bucket`);
      await runner.query(`ALTER TABLE "${schema}".access_denials DROP COLUMN IF EXISTS bucket, DROP COLUMN IF EXISTS last_at, DROP COLUMN IF EXISTS count, DROP COLUMN IF EXISTS route`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
};
