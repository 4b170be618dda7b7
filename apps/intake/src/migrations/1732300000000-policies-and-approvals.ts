import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy versions (immutable once recorded), the policy decision each journey started with,
 * and the approval tasks people decide on.
 */
export class PoliciesAndApprovals1732300000000 implements MigrationInterface {
  name = 'PoliciesAndApprovals1732300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE intake.policies (
      version int PRIMARY KEY,
      document jsonb NOT NULL,
      source text NOT NULL,
      activated_by text NOT NULL,
      activated_at timestamptz NOT NULL
    )`);
    await runner.query('ALTER TABLE intake.journeys ADD COLUMN policy jsonb');
    await runner.query(`CREATE TABLE intake.approval_tasks (
      task_id uuid PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES intake.journeys (request_id),
      kind text NOT NULL,
      status text NOT NULL,
      step text,
      assignee_group text NOT NULL,
      fallback_group text NOT NULL,
      escalated boolean NOT NULL DEFAULT false,
      reminded boolean NOT NULL DEFAULT false,
      due_at timestamptz NOT NULL,
      remind_at timestamptz NOT NULL,
      deadline_ms int NOT NULL,
      reminder_before_ms int NOT NULL,
      policy_version int NOT NULL,
      rule text NOT NULL,
      context jsonb NOT NULL,
      decided_by text,
      comment text,
      decided_at timestamptz,
      created_at timestamptz NOT NULL
    )`);
    await runner.query('CREATE INDEX approval_tasks_open_by_group ON intake.approval_tasks (assignee_group, created_at) WHERE status = \'open\'');
    await runner.query(
      'CREATE INDEX approval_tasks_next_due ON intake.approval_tasks ((CASE WHEN reminded THEN due_at ELSE least(remind_at, due_at) END)) WHERE status = \'open\'',
    );
    await runner.query('CREATE INDEX approval_tasks_by_journey ON intake.approval_tasks (request_id)');
    // At most one open task of a kind per journey (an escalation redelivered opens none twice).
    await runner.query('CREATE UNIQUE INDEX approval_tasks_one_open ON intake.approval_tasks (request_id, kind) WHERE status = \'open\'');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE intake.approval_tasks');
    await runner.query('ALTER TABLE intake.journeys DROP COLUMN policy');
    await runner.query('DROP TABLE intake.policies');
  }
}
