import { randomUUID } from 'node:crypto';

import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { buildEvent, CompensationRequestedV1, type EventEnvelope, JourneyRequestedV1, type RequestedOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import type { OutgoingEvent } from '@closeloop/messaging';
import { FixedClock, inMemoryPorts } from '@closeloop/participant/testing';

import { InMemoryDeviceManagement } from '../device-management/device-management.connector.fake';
import { InMemoryItsm } from '../itsm/itsm.connector.fake';
import { ReplacementActions } from './replacement.actions';
import type { ReplacementStep } from './replacement.domain';
import { InMemoryReplacementRepository } from './replacement.repository.fake';
import { ReplacementService } from './replacement.service';

const EMPLOYEE = 'E1';
const now = () => new Date('2026-01-01T00:00:00.000Z');

const setUp = () => {
  const ports = inMemoryPorts(new FixedClock(now()));
  const devices = new InMemoryDeviceManagement();
  const itsm = new InMemoryItsm();
  const records = ports.enlist(new InMemoryReplacementRepository());
  const published = ports.outbox.sent;
  const service = new ReplacementService(ports, records, new ReplacementActions(devices, itsm));
  devices.hand('AT-OLD', 'laptop-14', EMPLOYEE);
  const summary = () => published.map((e) => `${e.topic} ${(e.event.payload as { step?: string }).step ?? ''}`.trim());
  return { devices, itsm, records, published, service, summary };
};

const request = (overrides: Partial<RequestedOf<'device-replacement'>> = {}): Requested<'device-replacement'> => {
  const payload: RequestedOf<'device-replacement'> = {
    type: 'device-replacement',
    requestedBy: 'manager@acme.test',
    subject: { employeeId: EMPLOYEE, email: 'e1@acme.test', displayName: 'E One' },
    itsmRecordId: 'RITM0010001',
    retiredAssetTag: 'AT-OLD',
    reason: 'broken',
    device: { model: 'laptop-14' },
    definitionVersion: 1,
    requestedAt: now().toISOString(),
    ...overrides,
  };
  return buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: 'device-replacement', producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: now() }) as Requested<'device-replacement'>;
};

const retry = (of: Requested<'device-replacement'>, step: ReplacementStep, attempt: number, evidence: Record<string, Record<string, unknown>> = {}) =>
  buildEvent(
    StepRetryRequestedV1,
    { requestId: of.requestId, journeyType: 'device-replacement', producer: 'assurance' },
    { step, owner: 'device', attempt, reason: 'STEP_FAILED', request: of.payload, evidence },
    { eventId: randomUUID(), occurredAt: now() },
  ) as RetryOf<'device-replacement'>;

const compensation = (of: Requested<'device-replacement'>, step: ReplacementStep) =>
  buildEvent(
    CompensationRequestedV1,
    { requestId: of.requestId, journeyType: 'device-replacement', producer: 'assurance' },
    { step, owner: 'device', attempt: 1, reason: 'failed by ops', request: of.payload, evidence: {} },
    { eventId: randomUUID(), occurredAt: now() },
  ) as CompensationOf<'device-replacement'>;

const payloadOf = (events: readonly OutgoingEvent[], topic: string): Record<string, unknown> => (events.find((e) => e.topic === topic)?.event as EventEnvelope<Record<string, unknown>>).payload;

describe('ReplacementService', () => {
  it('replaces and retires at once, then reconciles the ITSM record with both asset records, each step reporting once', async () => {
    const { service, published, devices, itsm, summary } = setUp();
    const requested = request();
    await service.onRequested([requested]);
    await service.onRequested([requested]);

    expect(summary()).toEqual(['device.compliance.verified.v1', 'device.asset.retired.v1', 'device.records.reconciled.v1']);
    const newTag = payloadOf(published, 'device.compliance.verified.v1')['assetTag'] as string;
    expect(newTag).not.toBe('AT-OLD');
    expect(payloadOf(published, 'device.asset.retired.v1')).toMatchObject({ assetTag: 'AT-OLD', state: 'retired', reason: 'broken' });
    expect(payloadOf(published, 'device.records.reconciled.v1')).toMatchObject({ itsmRecordId: 'RITM0010001', assignedAssetTag: newTag, retiredAssetTag: 'AT-OLD', agree: true });
    expect(itsm.records.get('RITM0010001')).toMatchObject({ state: 'fulfilled', assignedAssetTag: newTag, retiredAssetTag: 'AT-OLD' });
    expect(devices.devices.get('AT-OLD')).toMatchObject({ status: 'retired', retiredFor: requested.requestId });
    expect(devices.devices.get(newTag)).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE, enrolled: true, compliant: true });
    for (const e of published) expect(e.event.causationId).toBe(requested.eventId);
  });

  it('fails the retirement of an unknown asset with the reason, and reconciles once a retry retires the right one', async () => {
    const { service, published, summary, devices } = setUp();
    const requested = request({ retiredAssetTag: 'AT-UNKNOWN' });
    await service.onRequested([requested]);
    expect(summary()).toEqual(['device.compliance.verified.v1', 'device.compliance.failed.v1 retirement']);
    expect(payloadOf(published, 'device.compliance.failed.v1')).toMatchObject({
      step: 'retirement',
      attempt: 1,
      code: 'PROVISIONING_FAILED',
      reason: 'asset AT-UNKNOWN is not in asset management: there is no such device to retire',
    });

    devices.hand('AT-UNKNOWN', 'laptop-14', EMPLOYEE); // found and recorded by hand
    published.length = 0;
    await service.onRetryRequested([retry(requested, 'retirement', 2)]);
    expect(summary()).toEqual(['device.asset.retired.v1', 'device.records.reconciled.v1']);
  });

  it('reports a reconciliation the ITSM read-back contradicts with the step and the attempt, and retries only it', async () => {
    const { service, published, summary, itsm, devices } = setUp();
    itsm.ignoreUpdates = true;
    const requested = request();
    await service.onRequested([requested]);
    expect(summary()).toEqual(['device.compliance.verified.v1', 'device.asset.retired.v1', 'device.compliance.failed.v1 reconciliation']);
    const failure = payloadOf(published, 'device.compliance.failed.v1');
    expect(failure).toMatchObject({ step: 'reconciliation', attempt: 1, code: 'VERIFICATION_MISMATCH' });
    expect(failure['reason']).toContain('RITM0010001 is open, not fulfilled');

    itsm.ignoreUpdates = false;
    published.length = 0;
    await service.onRetryRequested([retry(requested, 'reconciliation', 2)]);
    expect(summary()).toEqual(['device.records.reconciled.v1']);
    expect([...devices.devices.values()].filter((d) => d.assignedFor === requested.requestId)).toHaveLength(1);
  });

  it('undoes the steps it is asked to, in reverse order, each read back and confirmed with its name; then nothing moves forward', async () => {
    const { service, published, summary, itsm, devices } = setUp();
    await itsm.updateRecord('RITM0010001', { state: 'open', assignedAssetTag: 'AT-OLD', retiredAssetTag: null });
    const requested = request();
    await service.onRequested([requested]);
    const newTag = payloadOf(published, 'device.compliance.verified.v1')['assetTag'] as string;
    published.length = 0;

    for (const step of ['reconciliation', 'retirement', 'replacement'] as const) await service.compensate([compensation(requested, step)]);
    expect(summary()).toEqual(['device.reconciliation.compensated.v1 reconciliation', 'device.retirement.compensated.v1 retirement', 'device.assignment.compensated.v1 replacement']);
    expect(itsm.records.get('RITM0010001')).toMatchObject({ state: 'open', assignedAssetTag: 'AT-OLD', retiredAssetTag: null });
    expect(devices.devices.get('AT-OLD')).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE, retiredFor: null });
    expect(devices.devices.get(newTag)).toMatchObject({ status: 'in_stock', assignedTo: null, enrolled: false });

    published.length = 0;
    await service.onRetryRequested([retry(requested, 'replacement', 2)]);
    expect(published).toEqual([]);
  });

  it('confirms an undo of what never ran as nothing to undo, and a late request then does nothing', async () => {
    const { service, published, devices } = setUp();
    const requested = request();
    for (const step of ['reconciliation', 'retirement', 'replacement'] as const) await service.compensate([compensation(requested, step)]);
    expect(published.map((e) => (e.event.payload as { undone: string }).undone)).toEqual([
      'nothing to undo: the ITSM record RITM0010001 was never updated',
      'nothing to undo: asset AT-OLD was not retired by this request',
      'nothing to undo: no replacement device had been assigned',
    ]);
    published.length = 0;
    await service.onRequested([requested]);
    expect(published).toEqual([]);
    expect(devices.devices.get('AT-OLD')).toMatchObject({ status: 'assigned' });
  });

  it('does not confirm an undo the target refuses: assurance asks again, and forward work has stopped meanwhile', async () => {
    const { service, published, itsm, summary } = setUp();
    const requested = request();
    await service.onRequested([requested]);
    published.length = 0;
    itsm.refuse = true;
    await service.compensate([compensation(requested, 'reconciliation')]);
    expect(published).toEqual([]);
    await service.onRetryRequested([retry(requested, 'reconciliation', 2)]);
    expect(published).toEqual([]);

    itsm.refuse = false;
    await service.compensate([compensation(requested, 'reconciliation')]);
    expect(summary()).toEqual(['device.reconciliation.compensated.v1 reconciliation']);
    expect(itsm.records.get('RITM0010001')).toMatchObject({ state: 'open', assignedAssetTag: null, retiredAssetTag: null });
  });
});
