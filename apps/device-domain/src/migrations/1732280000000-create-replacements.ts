import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device replacement: the service's record of each replacement, asset lifecycle in the simulated
 * asset management (a retired asset keeps its reason and the order that retired it), devices
 * assigned for an order (a replacement may be the same model as the device it replaces, so the
 * employee holds both for a while), and the simulated ITSM request items.
 */
export class CreateReplacements1732280000000 implements MigrationInterface {
  name = 'CreateReplacements1732280000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE device.sim_devices
      ADD COLUMN assigned_for text,
      ADD COLUMN retired_reason text,
      ADD COLUMN retired_for text,
      ADD COLUMN retired_at timestamptz`);
    // One device per employee and model for onboarding, as before; one device per order for replacements.
    await runner.query('DROP INDEX device.sim_devices_assignee');
    await runner.query(`CREATE UNIQUE INDEX sim_devices_assignee ON device.sim_devices (assigned_to, model) WHERE status = 'assigned' AND assigned_for IS NULL`);
    await runner.query(`CREATE UNIQUE INDEX sim_devices_assigned_for ON device.sim_devices (assigned_for) WHERE status = 'assigned'`);
    await runner.query(`CREATE TABLE device.sim_itsm_records (
      record_id text PRIMARY KEY,
      state text NOT NULL,
      assigned_asset_tag text,
      retired_asset_tag text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE TABLE device.replacements (
      request_id uuid PRIMARY KEY,
      employee_id text NOT NULL,
      model text NOT NULL,
      itsm_record_id text NOT NULL,
      retired_asset_tag text NOT NULL,
      reason text NOT NULL,
      replacement jsonb NOT NULL,
      retirement jsonb NOT NULL,
      reconciliation jsonb NOT NULL,
      itsm_before jsonb,
      compensating boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE device.replacements');
    await runner.query('DROP TABLE device.sim_itsm_records');
    await runner.query('DROP INDEX device.sim_devices_assigned_for');
    await runner.query('DROP INDEX device.sim_devices_assignee');
    await runner.query(`CREATE UNIQUE INDEX sim_devices_assignee ON device.sim_devices (assigned_to, model) WHERE status = 'assigned'`);
    await runner.query(`ALTER TABLE device.sim_devices DROP COLUMN assigned_for, DROP COLUMN retired_reason, DROP COLUMN retired_for, DROP COLUMN retired_at`);
  }
}
