import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, "domain rules that protect people":
 * - Idempotency keys are scoped per caller: the same key from two callers is two requests, so
 *   the key is unique per `requested_by`, not across callers.
 * - A new hire owns the account it creates until it is compensated: a failed journey still owns
 *   it while its compensation runs, so the employee's one owning new hire is any that is neither
 *   rejected (nothing ran) nor compensated (everything was undone). A database holding two such
 *   journeys for one employee cannot take the index; the migration names them and stops, since
 *   only a person can tell which one owns the account.
 * - `requested_via`: the API key a journey was submitted with and who created it, for separation
 *   of duties.
 */
export class JourneysOwnWhatTheyCreate1732800000000 implements MigrationInterface {
  name = 'JourneysOwnWhatTheyCreate1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE intake.journeys DROP CONSTRAINT IF EXISTS journeys_idempotency_key_key');
    await runner.query('CREATE UNIQUE INDEX journeys_caller_idempotency_key ON intake.journeys (requested_by, idempotency_key) WHERE idempotency_key IS NOT NULL');
    await runner.query('ALTER TABLE intake.journeys ADD COLUMN requested_via jsonb');
    const owners: Array<{ employee_id: string; journeys: string }> = await runner.query(
      `SELECT request->'subject'->>'employeeId' AS employee_id, string_agg(request_id::text || ' (' || status || ')', ', ' ORDER BY created_at) AS journeys
       FROM intake.journeys WHERE journey_type = 'new-hire' AND status NOT IN ('rejected', 'compensated')
       GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 20`,
    );
    if (owners.length > 0) {
      throw new Error(
        `cannot make each employee's account belong to one new-hire journey: ${owners.map((o) => `employee ${o.employee_id} has ${o.journeys}`).join('; ')}. ` +
          'Cancel or compensate all but the journey that created the account, then start intake again',
      );
    }
    await runner.query('DROP INDEX intake.journeys_one_live_new_hire');
    await runner.query(
      `CREATE UNIQUE INDEX journeys_one_live_new_hire ON intake.journeys ((request->'subject'->>'employeeId'))
       WHERE journey_type = 'new-hire' AND status NOT IN ('rejected', 'compensated')`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX intake.journeys_one_live_new_hire');
    await runner.query(
      `CREATE UNIQUE INDEX journeys_one_live_new_hire ON intake.journeys ((request->'subject'->>'employeeId'))
       WHERE journey_type = 'new-hire' AND status NOT IN ('failed', 'compensated', 'rejected')`,
    );
    await runner.query('ALTER TABLE intake.journeys DROP COLUMN requested_via');
    await runner.query('DROP INDEX intake.journeys_caller_idempotency_key');
    await runner.query('ALTER TABLE intake.journeys ADD CONSTRAINT journeys_idempotency_key_key UNIQUE (idempotency_key)');
  }
}
