import { InMemoryJourneyRecords } from '@closeloop/participant/testing';

import type { AssignmentStatus, DeviceAssignment } from './device-assignment.repository';

/** The device service's records of new hires, in memory, for service tests (same rules as the repository). */
export class InMemoryDeviceAssignmentRepository extends InMemoryJourneyRecords<{ requestId: string; employeeId: string; model: string }, DeviceAssignment, AssignmentStatus> {
  constructor() {
    super({
      create: (journey) => ({ ...journey, assetTag: null, serialNumber: null, status: 'pending', failure: null, updatedAt: new Date(0) }),
      view: (record) => record.status,
    });
  }
}
