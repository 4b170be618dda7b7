import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail: append-only, one hash chain per journey. */
export class CreateAuditEntries1732210000000 implements MigrationInterface {
  name = 'CreateAuditEntries1732210000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE assurance.audit_entries (
      request_id uuid NOT NULL,
      seq int NOT NULL,
      at timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      reason text NOT NULL,
      trace_id text,
      detail jsonb NOT NULL,
      prev_hash text NOT NULL,
      hash text NOT NULL,
      PRIMARY KEY (request_id, seq)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE assurance.audit_entries');
  }
}
