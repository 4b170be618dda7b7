import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A new hire rejected before it ran (or whose approval expired, or was cancelled first) no
 * longer holds the employee's one live new-hire journey; and an open approval task is unique per
 * journey, kind and step (two steps of one journey may each wait on a person).
 */
export class RejectedFreesTheEmployee1732620000000 implements MigrationInterface {
  name = 'RejectedFreesTheEmployee1732620000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX intake.journeys_one_live_new_hire');
    await runner.query(
      `CREATE UNIQUE INDEX journeys_one_live_new_hire ON intake.journeys ((request->'subject'->>'employeeId'))
       WHERE journey_type = 'new-hire' AND status NOT IN ('failed', 'compensated', 'rejected')`,
    );
    await runner.query('DROP INDEX intake.approval_tasks_one_open');
    await runner.query("CREATE UNIQUE INDEX approval_tasks_one_open ON intake.approval_tasks (request_id, kind, (coalesce(step, ''))) WHERE status = 'open'");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX intake.approval_tasks_one_open');
    await runner.query("CREATE UNIQUE INDEX approval_tasks_one_open ON intake.approval_tasks (request_id, kind) WHERE status = 'open'");
    await runner.query('DROP INDEX intake.journeys_one_live_new_hire');
    await runner.query(
      `CREATE UNIQUE INDEX journeys_one_live_new_hire ON intake.journeys ((request->'subject'->>'employeeId'))
       WHERE journey_type = 'new-hire' AND status NOT IN ('failed', 'compensated')`,
    );
  }
}
