import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The event that reported a new hire's app access verified: a retry of a verified step is answered with it again. */
export class KeepVerifiedEvent1732900000000 implements MigrationInterface {
  name = 'KeepVerifiedEvent1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE saas.access_requests ADD COLUMN verified_event jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE saas.access_requests DROP COLUMN verified_event');
  }
}
