import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The badge steps: what each journey's record keeps (a new hire's badge and its zones, as read
 * back; a leaver's active badges before the revocation), and the simulated physical access
 * control system (`sim_badges`: a badge keeps the order that issued it and the one that
 * deactivated it).
 */
export class CreateBadges1796400000000 implements MigrationInterface {
  name = 'CreateBadges1796400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE facilities.journey_steps ADD COLUMN badge_id text, ADD COLUMN zones jsonb, ADD COLUMN badges_before jsonb');
    await runner.query(`CREATE TABLE facilities.sim_badges (
      badge_id text PRIMARY KEY,
      employee_id text NOT NULL,
      zones text[] NOT NULL,
      active boolean NOT NULL,
      issued_for text UNIQUE,
      deactivated_for text,
      issued_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query('CREATE INDEX sim_badges_employee ON facilities.sim_badges (employee_id)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE facilities.sim_badges');
    await runner.query('ALTER TABLE facilities.journey_steps DROP COLUMN badge_id, DROP COLUMN zones, DROP COLUMN badges_before');
  }
}
