import { randomUUID } from 'node:crypto';

import {
  AccessRevokedV1,
  AccountDisabledV1,
  BadgeRevokedV1,
  buildEvent,
  ComplianceFailedV1,
  type EventContract,
  ItsmRecordClosedV1,
  type PayloadOf,
  type Requested,
  ReturnCompensatedV1,
  ReturnLoggedV1,
  SAMPLE_PAYLOADS,
} from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME } from '@closeloop/participant/testing';

import { InMemoryDeviceManagement } from '../device-management/device-management.connector.fake';
import { InMemoryItsm } from '../itsm/itsm.connector.fake';
import { OffboardingActions } from './offboarding.actions';
import { DEVICE_RETURN, ITSM_CLOSURE } from './offboarding.domain';
import { InMemoryOffboardingRepository } from './offboarding.repository.fake';
import { OffboardingService, type PredecessorVerified } from './offboarding.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;
const RECORD = 'RITM0020001';

const setUp = async () => {
  const ports = inMemoryPorts();
  const devices = new InMemoryDeviceManagement();
  const itsm = new InMemoryItsm();
  const records = ports.enlist(new InMemoryOffboardingRepository());
  devices.hand('AT-LAPTOP', 'laptop-14', EMPLOYEE);
  devices.hand('AT-PHONE', 'phone-6', EMPLOYEE);
  devices.hand('AT-OTHER', 'laptop-14', 'E2');
  // The requester raised the leaver's ITSM record before the journey.
  await itsm.updateRecord(RECORD, { state: 'open', assignedAssetTag: null, retiredAssetTag: null });
  const outbox = ports.outbox;
  return { devices, itsm, records, outbox, service: new OffboardingService(ports, records, new OffboardingActions(devices, itsm)) };
};

const leaver = () => sampleRequest('offboarding');

/** Another owner's step verified for the journey: its contract's sample, about `employeeId`. */
const verifiedBy = <C extends EventContract>(contract: C, of: Requested<'offboarding'>, employeeId = EMPLOYEE): PredecessorVerified =>
  buildEvent(
    contract,
    { requestId: of.requestId, journeyType: of.journeyType, producer: `${contract.owner}-domain` },
    contract.payload.parse({ ...(SAMPLE_PAYLOADS[contract.topic] as object), employeeId }) as PayloadOf<C>,
    { eventId: randomUUID(), occurredAt: TEST_TIME },
  ) as PredecessorVerified;

/** The three other owners' steps, as their events arrive (each on its own topic). */
const othersVerified = async (service: OffboardingService, of: Requested<'offboarding'>, contracts: readonly EventContract[] = [AccountDisabledV1, AccessRevokedV1, BadgeRevokedV1]) => {
  for (const contract of contracts) await service.onPredecessorVerified(contract.topic, [verifiedBy(contract, of)]);
};

describe('the device return of an offboarding', () => {
  it('logs every asset assigned to the leaver as returned, reads them back, and reports it once', async () => {
    const { devices, outbox, service } = await setUp();
    const request = leaver();
    await service.onRequested([request]);
    await service.onRequested([request]);

    expect(outbox.topics()).toEqual([ReturnLoggedV1.topic]);
    expect(outbox.eventsOf(ReturnLoggedV1)[0]?.payload).toEqual({
      employeeId: EMPLOYEE,
      assets: [
        { assetTag: 'AT-LAPTOP', state: 'returned' },
        { assetTag: 'AT-PHONE', state: 'returned' },
      ],
      stillAssigned: [],
      loggedAt: TEST_TIME.toISOString(),
    });
    expect(devices.devices.get('AT-LAPTOP')).toMatchObject({ status: 'returned', assignedTo: EMPLOYEE, returnedFor: request.requestId });
    expect(devices.devices.get('AT-OTHER')).toMatchObject({ status: 'assigned', assignedTo: 'E2' });
  });

  it('verifies a leaver who holds nothing: nothing is left assigned', async () => {
    const { outbox, service } = await setUp();
    const request = sampleRequest('offboarding', { subject: { employeeId: 'E3', email: 'e3@acme.test', displayName: 'E Three' } });
    await service.onRequested([request]);
    expect(outbox.eventsOf(ReturnLoggedV1)[0]?.payload).toMatchObject({ employeeId: 'E3', assets: [], stillAssigned: [] });
  });

  it('reports a return asset management said yes to and did not log, and a retry logs what is missing', async () => {
    const { devices, outbox, service } = await setUp();
    devices.ignoreReturns = true;
    const request = leaver();
    await service.onRequested([request]);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({
      step: 'device-return',
      attempt: 1,
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: asset AT-LAPTOP is assigned (E1), not returned; asset AT-PHONE is assigned (E1), not returned; AT-LAPTOP, AT-PHONE still assigned to E1',
    });

    devices.ignoreReturns = false;
    devices.hand('AT-NEW', 'tablet-1', EMPLOYEE);
    await service.onRetryRequested([retryRequested(request, DEVICE_RETURN, 2)]);
    expect(outbox.eventsOf(ReturnLoggedV1)[0]?.payload.assets.map((a) => a.assetTag)).toEqual(['AT-LAPTOP', 'AT-NEW', 'AT-PHONE'].sort());
  });

  it('logs nothing as returned when the assets held cannot be read first, and says so', async () => {
    const { devices, outbox, service } = await setUp();
    devices.refuse = true;
    const request = leaver();
    await service.onRequested([request]);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({ step: 'device-return', code: 'PROVISIONING_FAILED', reason: expect.stringContaining('could not be read before the return') });
    expect(devices.devices.get('AT-LAPTOP')).toMatchObject({ status: 'assigned' });
  });
});

describe('the ITSM closure of an offboarding', () => {
  it('closes the record only once all four steps before it are verified, whatever their order, and reads it back', async () => {
    const { itsm, outbox, service } = await setUp();
    const request = leaver();
    await othersVerified(service, request, [BadgeRevokedV1, AccountDisabledV1]);
    await service.onRequested([request]);
    expect(outbox.topics()).toEqual([ReturnLoggedV1.topic]);
    expect(itsm.records.get(RECORD)?.state).toBe('open');

    const last = verifiedBy(AccessRevokedV1, request);
    await service.onPredecessorVerified(AccessRevokedV1.topic, [last]);
    expect(outbox.topics()).toEqual([ReturnLoggedV1.topic, ItsmRecordClosedV1.topic]);
    expect(outbox.eventsOf(ItsmRecordClosedV1)[0]).toMatchObject({ causationId: last.eventId, payload: { itsmRecordId: RECORD, state: 'closed', closedAt: TEST_TIME.toISOString() } });
    expect(itsm.records.get(RECORD)?.state).toBe('closed');

    await othersVerified(service, request);
    expect(outbox.topics()).toEqual([ReturnLoggedV1.topic, ItsmRecordClosedV1.topic]);
  });

  it('waits for its own return: the three other owners’ steps alone close nothing, and the return verified last opens it', async () => {
    const { devices, itsm, outbox, service } = await setUp();
    devices.ignoreReturns = true;
    const request = leaver();
    await service.onRequested([request]);
    await othersVerified(service, request);
    expect(outbox.topics()).toEqual([ComplianceFailedV1.topic]);
    expect(itsm.records.get(RECORD)?.state).toBe('open');

    devices.ignoreReturns = false;
    await service.onRetryRequested([retryRequested(request, DEVICE_RETURN, 2)]);
    expect(outbox.topics()).toEqual([ComplianceFailedV1.topic, ReturnLoggedV1.topic, ItsmRecordClosedV1.topic]);
  });

  it('fails on an ITSM record the ITSM system does not have, opening none, and a retry closes it once it is there', async () => {
    const { itsm, outbox, service } = await setUp();
    const request = sampleRequest('offboarding', { itsmRecordId: 'RITM0029999' });
    await service.onRequested([request]);
    await othersVerified(service, request);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({
      step: 'itsm-closure',
      attempt: 1,
      code: 'PROVISIONING_FAILED',
      reason: "the ITSM system has no record RITM0029999: there is nothing to close, and none is opened to close it; the service desk must find the leaver's record",
    });
    expect(itsm.records.has('RITM0029999')).toBe(false);

    await itsm.updateRecord('RITM0029999', { state: 'open', assignedAssetTag: null, retiredAssetTag: null });
    await service.onRetryRequested([retryRequested(request, ITSM_CLOSURE, 2)]);
    expect(outbox.eventsOf(ItsmRecordClosedV1)[0]?.payload).toMatchObject({ itsmRecordId: 'RITM0029999', state: 'closed' });
  });

  it('keeps the record open when a step before it was verified for someone else', async () => {
    const { itsm, outbox, service } = await setUp();
    const request = leaver();
    await service.onRequested([request]);
    await othersVerified(service, request, [AccountDisabledV1, AccessRevokedV1]);
    await service.onPredecessorVerified(BadgeRevokedV1.topic, [verifiedBy(BadgeRevokedV1, request, 'E2')]);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({ step: 'itsm-closure', code: 'VERIFICATION_MISMATCH', reason: 'badge was verified for E2, not for the leaver E1: the ITSM record RITM0020001 is not closed' });
    expect(itsm.records.get(RECORD)?.state).toBe('open');
  });

  it('on a retry, counts what assurance’s evidence shows verified, and still refuses to close before all four are in', async () => {
    const { itsm, outbox, service } = await setUp();
    const request = leaver();
    await service.onRequested([request]);
    await othersVerified(service, request, [AccountDisabledV1]);
    await service.onRetryRequested([retryRequested(request, ITSM_CLOSURE, 2, { [AccessRevokedV1.topic]: { employeeId: EMPLOYEE } })]);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({ step: 'itsm-closure', attempt: 2, reason: expect.stringContaining('not yet: badge') });
    expect(itsm.records.get(RECORD)?.state).toBe('open');

    await service.onRetryRequested([retryRequested(request, ITSM_CLOSURE, 3, { [BadgeRevokedV1.topic]: { fixedBy: 'ops-ada', manual: true } })]);
    expect(outbox.eventsOf(ItsmRecordClosedV1)).toHaveLength(1);
    expect(itsm.records.get(RECORD)?.state).toBe('closed');
  });

  it('reports an ITSM system that said yes and left the record open, with the attempt', async () => {
    const { itsm, outbox, service } = await setUp();
    itsm.ignoreUpdates = true;
    const request = leaver();
    await service.onRequested([request]);
    await othersVerified(service, request);
    expect(outbox.eventsOf(ComplianceFailedV1)[0]?.payload).toMatchObject({ step: 'itsm-closure', attempt: 1, code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the ITSM record RITM0020001 is open, not closed' });
  });
});

describe('the compensation of an offboarding', () => {
  it('assigns the returned assets to the employee again, read back, confirms with the step’s name; then the closure never starts', async () => {
    const { devices, itsm, outbox, service } = await setUp();
    const request = leaver();
    await service.onRequested([request]);
    outbox.clear();

    await service.compensate([compensationRequested(request, DEVICE_RETURN)]);
    expect(outbox.eventsOf(ReturnCompensatedV1).map((e) => e.payload)).toEqual([
      { step: 'device-return', undone: `AT-LAPTOP, AT-PHONE assigned to ${EMPLOYEE} again`, compensatedAt: TEST_TIME.toISOString() },
    ]);
    for (const tag of ['AT-LAPTOP', 'AT-PHONE']) expect(devices.devices.get(tag)).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE, returnedFor: null });

    outbox.clear();
    await othersVerified(service, request);
    await service.onRetryRequested([retryRequested(request, DEVICE_RETURN, 2)]);
    expect(outbox.sent).toEqual([]);
    expect(itsm.records.get(RECORD)?.state).toBe('open');
  });

  it('gives back only what this journey returned, and confirms an undo of nothing as such', async () => {
    const { devices, outbox, service } = await setUp();
    const first = leaver();
    await service.onRequested([first]);
    const second = leaver();
    await service.compensate([compensationRequested(second, DEVICE_RETURN)]);
    expect(outbox.eventsOf(ReturnCompensatedV1)[0]?.payload.undone).toBe('nothing to undo: no asset was logged as returned');
    expect(devices.devices.get('AT-LAPTOP')).toMatchObject({ status: 'returned', returnedFor: first.requestId });
  });

  it('does not confirm an undo asset management refuses: assurance asks again', async () => {
    const { devices, outbox, service } = await setUp();
    const request = leaver();
    await service.onRequested([request]);
    outbox.clear();
    devices.refuse = true;
    await service.compensate([compensationRequested(request, DEVICE_RETURN)]);
    expect(outbox.sent).toEqual([]);

    devices.refuse = false;
    await service.compensate([compensationRequested(request, DEVICE_RETURN)]);
    expect(outbox.topics()).toEqual([ReturnCompensatedV1.topic]);
    expect(devices.devices.get('AT-PHONE')).toMatchObject({ status: 'assigned', assignedTo: EMPLOYEE });
  });
});
