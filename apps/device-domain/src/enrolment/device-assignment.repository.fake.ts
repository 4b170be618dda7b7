import type { AssignmentStatus, DeviceAssignment } from './device-assignment.repository';

/** The device service's records of new hires, in memory, for service tests (same rules as the repository). */
export class InMemoryDeviceAssignmentRepository {
  readonly records = new Map<string, DeviceAssignment>();

  async lock(_manager: unknown, journeys: ReadonlyArray<{ requestId: string; employeeId: string; model: string }>): Promise<Map<string, AssignmentStatus>> {
    for (const j of journeys) {
      if (!this.records.has(j.requestId)) {
        this.records.set(j.requestId, { ...j, assetTag: null, serialNumber: null, status: 'pending', failure: null, updatedAt: new Date(0) });
      }
    }
    return new Map(journeys.map((j) => [j.requestId, (this.records.get(j.requestId) as DeviceAssignment).status]));
  }

  async saveAll(_manager: unknown, records: readonly DeviceAssignment[]): Promise<void> {
    for (const record of records) {
      if (this.records.get(record.requestId)?.status !== 'compensated') this.records.set(record.requestId, record);
    }
  }
}
