import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The service's record of each journey's device, and the simulated device management system. */
export class CreateDeviceAssignments1732190000000 implements MigrationInterface {
  name = 'CreateDeviceAssignments1732190000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE device.device_assignments (
      request_id uuid PRIMARY KEY,
      employee_id text NOT NULL,
      model text NOT NULL,
      asset_tag text,
      serial_number text,
      status text NOT NULL,
      failure jsonb,
      updated_at timestamptz NOT NULL
    )`);
    await runner.query(`CREATE TABLE device.sim_devices (
      asset_tag text PRIMARY KEY,
      serial_number text NOT NULL UNIQUE,
      model text NOT NULL,
      status text NOT NULL,
      assigned_to text,
      enrolled boolean NOT NULL DEFAULT false,
      compliant boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX sim_devices_in_stock ON device.sim_devices (model) WHERE status = 'in_stock'`);
    await runner.query(`CREATE UNIQUE INDEX sim_devices_assignee ON device.sim_devices (assigned_to, model) WHERE status = 'assigned'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE device.sim_devices');
    await runner.query('DROP TABLE device.device_assignments');
  }
}
