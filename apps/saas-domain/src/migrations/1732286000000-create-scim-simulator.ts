import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SaaS admin simulator as a SCIM 2.0 service provider: each app's users (the SCIM resource as
 * stored, with its userName and externalId also in columns for lookups), groups and group
 * members. It replaces `sim_saas_accounts`, which nothing reads or writes any more.
 */
export class CreateScimSimulator1732286000000 implements MigrationInterface {
  name = 'CreateScimSimulator1732286000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE saas.sim_scim_users (
      app text NOT NULL,
      id uuid NOT NULL,
      user_name text NOT NULL,
      external_id text,
      resource jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      PRIMARY KEY (app, id)
    )`);
    // userName is unique per app and compared case-insensitively (RFC 7643 §4.1.1: caseExact false, uniqueness server).
    await runner.query('CREATE UNIQUE INDEX sim_scim_users_user_name ON saas.sim_scim_users (app, lower(user_name))');
    await runner.query('CREATE INDEX sim_scim_users_external_id ON saas.sim_scim_users (app, external_id)');
    await runner.query(`CREATE TABLE saas.sim_scim_groups (
      app text NOT NULL,
      id uuid NOT NULL,
      display_name text NOT NULL,
      external_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      version integer NOT NULL DEFAULT 1,
      PRIMARY KEY (app, id)
    )`);
    await runner.query('CREATE UNIQUE INDEX sim_scim_groups_display_name ON saas.sim_scim_groups (app, lower(display_name))');
    await runner.query(`CREATE TABLE saas.sim_scim_group_members (
      app text NOT NULL,
      group_id uuid NOT NULL,
      user_id uuid NOT NULL,
      PRIMARY KEY (app, group_id, user_id),
      FOREIGN KEY (app, group_id) REFERENCES saas.sim_scim_groups (app, id) ON DELETE CASCADE,
      FOREIGN KEY (app, user_id) REFERENCES saas.sim_scim_users (app, id) ON DELETE CASCADE
    )`);
    await runner.query('CREATE INDEX sim_scim_group_members_user ON saas.sim_scim_group_members (app, user_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE saas.sim_scim_group_members');
    await runner.query('DROP TABLE saas.sim_scim_groups');
    await runner.query('DROP TABLE saas.sim_scim_users');
  }
}
