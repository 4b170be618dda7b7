import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offboarding: the service's record of each leaver's journey (its two steps, the assets the
 * employee held before the return, and which of the steps before the ITSM closure are verified,
 * with whom each was about), and returned assets in the simulated asset management (a returned
 * asset keeps its last assignee and the order that logged the return).
 */
export class CreateOffboardings1733100000000 implements MigrationInterface {
  name = 'CreateOffboardings1733100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE device.sim_devices ADD COLUMN returned_for text, ADD COLUMN returned_at timestamptz');
    await runner.query(`CREATE INDEX sim_devices_assigned_to ON device.sim_devices (assigned_to) WHERE status = 'assigned'`);
    await runner.query(`CREATE TABLE device.offboardings (
      request_id uuid PRIMARY KEY,
      employee_id text,
      itsm_record_id text,
      device_return jsonb NOT NULL,
      itsm_closure jsonb NOT NULL,
      assets_before jsonb,
      predecessors jsonb NOT NULL DEFAULT '{}',
      compensating boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE device.offboardings');
    await runner.query('DROP INDEX device.sim_devices_assigned_to');
    await runner.query('ALTER TABLE device.sim_devices DROP COLUMN returned_for, DROP COLUMN returned_at');
  }
}
