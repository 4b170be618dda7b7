import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * At most one live (not failed, not compensated) new-hire journey per employee: a second one
 * would share the account, apps and device, and compensating it would strip the first.
 */
export class OneLiveNewHire1732240000000 implements MigrationInterface {
  name = 'OneLiveNewHire1732240000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE UNIQUE INDEX journeys_one_live_new_hire ON intake.journeys ((request->'subject'->>'employeeId'))
       WHERE journey_type = 'new-hire' AND status NOT IN ('failed', 'compensated')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX intake.journeys_one_live_new_hire');
  }
}
