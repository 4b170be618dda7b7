import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The compensation of a cancelled or failed journey: steps to undo, the one in progress, those done. */
export class AddCompensation1732230000000 implements MigrationInterface {
  name = 'AddCompensation1732230000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE assurance.journeys ADD COLUMN compensation jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE assurance.journeys DROP COLUMN compensation');
  }
}
