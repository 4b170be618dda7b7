import { randomUUID } from 'node:crypto';

import type { CompensationOf, Requested } from '@closeloop/contracts';
import { buildEvent, CompensationRequestedV1, ComplianceFailedV1, ComplianceVerifiedV1, JourneyRequestedV1, type RequestedOf, type RetryOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { FixedClock, inMemoryPorts } from '@closeloop/participant/testing';

import { InMemoryDeviceManagement } from '../device-management/device-management.connector.fake';
import { InMemoryDeviceAssignmentRepository } from './device-assignment.repository.fake';
import { EnrolmentService } from './enrolment.service';

const EMPLOYEE = 'E1';
const now = () => new Date('2026-01-01T00:00:00.000Z');

const setUp = () => {
  const ports = inMemoryPorts(new FixedClock(now()));
  const devices = new InMemoryDeviceManagement();
  const records = ports.enlist(new InMemoryDeviceAssignmentRepository());
  const service = new EnrolmentService(ports, records, devices);
  return { devices, records, published: ports.outbox.sent, service };
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

const retry = (of: Requested<'new-hire'>, attempt: number): RetryOf<'new-hire'> =>
  buildEvent(StepRetryRequestedV1, { requestId: of.requestId, journeyType: 'new-hire', producer: 'assurance' }, { step: 'device', owner: 'device', attempt, reason: 'STEP_FAILED', request: of.payload, evidence: {} }, {
    eventId: randomUUID(),
    occurredAt: now(),
  }) as RetryOf<'new-hire'>;

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

  it('reports a device that fails its compliance check; of two retries in a batch only the last runs, and a later one enrols again', async () => {
    const { devices, published, service } = setUp();
    devices.nonCompliant = true;
    const hire = newHire();
    await service.enrolDevices([hire]);
    await service.retry([retry(hire, 2), retry(hire, 3)]);
    expect(published.map((e) => e.topic)).toEqual([ComplianceFailedV1.topic, ComplianceFailedV1.topic]);
    expect(published.map((e) => e.event.payload)).toEqual([
      expect.objectContaining({ step: 'device', attempt: 1, code: 'NOT_COMPLIANT' }),
      expect.objectContaining({ step: 'device', attempt: 3, code: 'NOT_COMPLIANT' }),
    ]);

    devices.nonCompliant = false;
    await service.retry([retry(hire, 4)]);
    expect(published.at(-1)?.topic).toBe(ComplianceVerifiedV1.topic);
  });

  it('after a compensation, assigns no device for the journey, whatever arrives late', async () => {
    const { devices, published, service } = setUp();
    const hire = newHire();
    await service.compensate([compensation(hire)]);
    await service.enrolDevices([hire]);
    await service.retry([retry(hire, 2)]);
    expect(devices.devices.size).toBe(0);
    expect(published.map((e) => e.topic)).toEqual(['device.assignment.compensated.v1']);
  });
});
