import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10, "domain rules that protect people": a new hire's device is assigned for the journey
 * (as a replacement's is for its order), so that its compensation returns that device and never
 * another one the employee holds. Devices the simulated device management assigned to new hires
 * before are tagged with the journey that got them, so that those journeys still compensate.
 */
export class NewHireDevicesPerJourney1732800000000 implements MigrationInterface {
  name = 'NewHireDevicesPerJourney1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `UPDATE device.sim_devices d SET assigned_for = a.request_id::text
       FROM device.device_assignments a
       WHERE d.asset_tag = a.asset_tag AND d.status = 'assigned' AND d.assigned_for IS NULL AND a.status <> 'compensated'`,
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: a device tagged with its journey is what the service expects from now on.
  }
}
