import { randomUUID } from 'node:crypto';

import type { CompensationOf, Requested } from '@closeloop/contracts';
import { buildEvent, CompensationRequestedV1, JourneyRequestedV1, type RequestedOf } from '@closeloop/contracts';
import type { Inbox, Outbox, OutgoingEvent } from '@closeloop/messaging';
import type { DataSource } from 'typeorm';

import { InMemoryDeviceManagement } from '../device-management/device-management.connector.fake';
import type { DeviceAssignmentRepository } from './device-assignment.repository';
import { InMemoryDeviceAssignmentRepository } from './device-assignment.repository.fake';
import { EnrolmentService } from './enrolment.service';

const EMPLOYEE = 'E1';
const now = () => new Date('2026-01-01T00:00:00.000Z');

const setUp = () => {
  const devices = new InMemoryDeviceManagement();
  const records = new InMemoryDeviceAssignmentRepository();
  const handled = new Set<string>();
  const published: OutgoingEvent[] = [];
  const inbox = { claim: async (_m: unknown, ids: readonly string[]) => new Set(ids.filter((id) => !handled.has(id) && handled.add(id))) };
  const outbox = { add: async (_m: unknown, events: readonly OutgoingEvent[]) => void published.push(...events) };
  const dataSource = { transaction: <T>(work: (manager: unknown) => Promise<T>) => work({}) };
  const service = new EnrolmentService(
    dataSource as unknown as DataSource,
    records as unknown as DeviceAssignmentRepository,
    outbox as unknown as Outbox,
    inbox as unknown as Inbox,
    devices,
    { now },
    { next: () => randomUUID() },
  );
  return { devices, records, published, service };
};

const newHire = (): Requested<'new-hire'> => {
  const payload: RequestedOf<'new-hire'> = {
    type: 'new-hire',
    requestedBy: 'manager@acme.test',
    subject: { employeeId: EMPLOYEE, email: 'e1@acme.test', displayName: 'E One' },
    groups: ['staff'],
    apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
    device: { model: 'laptop-14' },
    definitionVersion: 1,
    requestedAt: now().toISOString(),
  };
  return buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: 'new-hire', producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: now() }) as Requested<'new-hire'>;
};

const compensation = (of: Requested<'new-hire'>): CompensationOf<'new-hire'> =>
  buildEvent(CompensationRequestedV1, { requestId: of.requestId, journeyType: 'new-hire', producer: 'assurance' }, { step: 'device', owner: 'device', attempt: 1, reason: 'cancelled', request: of.payload, evidence: {} }, {
    eventId: randomUUID(),
    occurredAt: now(),
  }) as CompensationOf<'new-hire'>;

describe('the new-hire device step', () => {
  it('assigns a device of its own for the journey, never one the employee already holds of the same model', async () => {
    const { devices, records, service } = setUp();
    devices.hand('AT-HELD', 'laptop-14', EMPLOYEE);
    const hire = newHire();
    await service.enrolDevices([hire]);
    const assetTag = records.records.get(hire.requestId)?.assetTag;
    expect(assetTag).not.toBe('AT-HELD');
    expect(devices.devices.get(assetTag as string)).toMatchObject({ assignedTo: EMPLOYEE, assignedFor: hire.requestId, enrolled: true, compliant: true });
  });

  it('compensation returns only the device this journey assigned; the employee keeps the others, another journey’s too', async () => {
    const { devices, records, published, service } = setUp();
    devices.hand('AT-HELD', 'laptop-14', EMPLOYEE);
    const kept = newHire();
    const cancelled = newHire();
    await service.enrolDevices([kept, cancelled]);
    const keptTag = records.records.get(kept.requestId)?.assetTag as string;
    const cancelledTag = records.records.get(cancelled.requestId)?.assetTag as string;

    await service.compensate([compensation(cancelled)]);
    expect(devices.devices.get(cancelledTag)).toMatchObject({ status: 'in_stock', assignedTo: null });
    expect(devices.devices.get(keptTag)).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE });
    expect(devices.devices.get('AT-HELD')).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE });
    expect(published.at(-1)?.event.payload).toMatchObject({ step: 'device', undone: `device ${cancelledTag} unenrolled and back in stock` });
  });

  it('compensation of a journey that assigned nothing returns nothing', async () => {
    const { devices, published, service } = setUp();
    devices.hand('AT-HELD', 'laptop-14', EMPLOYEE);
    await service.compensate([compensation(newHire())]);
    expect(devices.devices.get('AT-HELD')).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE });
    expect(published.at(-1)?.event.payload).toMatchObject({ undone: 'no device had been assigned' });
  });
});
