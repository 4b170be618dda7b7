import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import {
  AccessRevokedV1,
  AccountDisabledV1,
  BadgeRevokedV1,
  buildEvent,
  CompensationRequestedV1,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  type EventContract,
  ItsmRecordClosedV1,
  type JourneyRequestedPayload,
  JourneyRequestedV1,
  type PayloadOf,
  ReturnCompensatedV1,
  ReturnLoggedV1,
  SAMPLE_PAYLOADS,
} from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, eventually, publish, sql, testEnv, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';

import { AppModule } from '../../src/app.module';
import { DeviceConfigSchema } from '../../src/config/device.config';
import { ITSM_CONNECTOR, type ItsmConnector } from '../../src/itsm/itsm.connector';

/**
 * The device steps of a leaver's offboarding, in-process on Kafka and PostgreSQL, against the
 * service's simulated asset management and ITSM system; the other owners' verified steps
 * (identity's account, saas's app access, facilities' badge) are published by the test.
 */
const kafka = testKafka('device-offboarding-int');
let app: INestApplication;

const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId });
const newEmployee = () => `E-${randomUUID().slice(0, 8)}`;
const newRecordId = () => `RITM-${randomUUID().slice(0, 8)}`;
const meta = () => ({ definitionVersion: 1, requestedAt: new Date().toISOString() });
const identity = () => ({ eventId: randomUUID(), occurredAt: new Date() });

const requested = (payload: JourneyRequestedPayload) => buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, identity());
type Requested = ReturnType<typeof requested>;

const send = async (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
const first = async (topic: string, requestId: string, where: (payload: Record<string, unknown>) => boolean = () => true) =>
  (await consumeUntil(kafka, topic, (m) => m.message.key?.toString() === requestId && where((m.value as { payload: Record<string, unknown> }).payload)))[0]?.value as {
    payload: Record<string, unknown>;
  };

/** The employee's device, assigned the way it is in production: by an onboarding journey. */
const onboard = async (employeeId: string): Promise<string> => {
  const hire = requested({ type: 'new-hire', requestedBy: 'manager@acme.test', subject: subject(employeeId), groups: ['staff'], apps: [{ app: 'asana', role: 'member', licence: 'standard' }], device: { model: 'laptop-14' }, ...meta() });
  await send(JourneyRequestedV1.topic, hire);
  return (await first(ComplianceVerifiedV1.topic, hire.requestId)).payload['assetTag'] as string;
};

/** The requester raised the leaver's ITSM record before the journey: opened in the simulated ITSM system. */
const raiseItsmRecord = (recordId: string, employeeId: string) =>
  app.get<symbol, ItsmConnector>(ITSM_CONNECTOR, { strict: false }).updateRecord(recordId, { state: 'open', assignedAssetTag: null, retiredAssetTag: null }, employeeId);

const offboarding = (employeeId: string, itsmRecordId: string) =>
  requested({ type: 'offboarding', requestedBy: 'hr@acme.test', subject: subject(employeeId), lastDay: '2026-03-31', itsmRecordId, ...meta() });

/** Another owner's step verified for the journey: its contract's sample about the leaver, valid per the contract. */
const verifiedBy = <C extends EventContract>(contract: C, of: Requested) =>
  buildEvent(
    contract,
    { requestId: of.requestId, journeyType: of.journeyType, producer: `${contract.owner}-domain`, causationId: of.eventId },
    contract.payload.parse({ ...(SAMPLE_PAYLOADS[contract.topic] as object), employeeId: of.payload.subject.employeeId }) as PayloadOf<C>,
    identity(),
  );

const compensationOf = (of: Requested, step: string) =>
  buildEvent(
    CompensationRequestedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' },
    { step, owner: 'device', attempt: 1, reason: 'cancelled by hr: the employee stays', request: of.payload, evidence: {} },
    identity(),
  );

/** An employee with a device and a raised ITSM record, offboarded: the request sent, its return reported. */
const offboardWithDevice = async () => {
  const employeeId = newEmployee();
  const assetTag = await onboard(employeeId);
  const recordId = newRecordId();
  await raiseItsmRecord(recordId, employeeId);
  const leaver = offboarding(employeeId, recordId);
  await send(JourneyRequestedV1.topic, leaver);
  const logged = await first(ReturnLoggedV1.topic, leaver.requestId);
  return { employeeId, assetTag, recordId, leaver, logged };
};

const assetOf = async (assetTag: string) =>
  (await sql<{ status: string; assigned_to: string | null; returned_for: string | null }>('SELECT status, assigned_to, returned_for FROM device.sim_devices WHERE asset_tag = $1', [assetTag]))[0];
const itsmStateOf = async (recordId: string) => (await sql<{ state: string }>('SELECT state FROM device.sim_itsm_records WHERE record_id = $1', [recordId]))[0]?.state ?? null;

beforeAll(async () => {
  app = await createServiceApp(AppModule.register(parseConfig(DeviceConfigSchema, { ...testEnv(), PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
});

describe('offboarding, the device steps', () => {
  it('logs the leaver’s device as returned, read back, and closes the ITSM record once the account, app access and badge are verified too', async () => {
    const { employeeId, assetTag, recordId, leaver, logged } = await offboardWithDevice();
    expect(logged.payload).toMatchObject({ employeeId, assets: [{ assetTag, state: 'returned' }], stillAssigned: [] });
    expect(await assetOf(assetTag)).toEqual({ status: 'returned', assigned_to: employeeId, returned_for: leaver.requestId });
    expect(await itsmStateOf(recordId)).toBe('open');

    for (const contract of [AccountDisabledV1, AccessRevokedV1, BadgeRevokedV1]) await send(contract.topic, verifiedBy(contract, leaver));
    const closed = await first(ItsmRecordClosedV1.topic, leaver.requestId);
    expect(closed.payload).toMatchObject({ itsmRecordId: recordId, state: 'closed' });
    expect(await itsmStateOf(recordId)).toBe('closed');
  });

  it('keeps the ITSM record open with three of the four steps before it verified, and closes it when the fourth arrives', async () => {
    const { employeeId, recordId, leaver } = await offboardWithDevice();
    const account = verifiedBy(AccountDisabledV1, leaver);
    const badge = verifiedBy(BadgeRevokedV1, leaver);
    await send(AccountDisabledV1.topic, account);
    await send(BadgeRevokedV1.topic, badge);
    // Both handled (in the inbox), and the record still open: the app access is not verified yet.
    await eventually(async () => expect(await sql('SELECT 1 FROM device.inbox_messages WHERE event_id::text = ANY($1::text[])', [[account.eventId, badge.eventId]])).toHaveLength(2));
    const [journey] = await sql<{ predecessors: Record<string, string>; itsm_closure: { status: string } }>('SELECT predecessors, itsm_closure FROM device.offboardings WHERE request_id = $1', [leaver.requestId]);
    expect(journey).toEqual({ predecessors: { account: employeeId, badge: employeeId }, itsm_closure: { status: 'pending' } });
    expect(await itsmStateOf(recordId)).toBe('open');

    await send(AccessRevokedV1.topic, verifiedBy(AccessRevokedV1, leaver));
    await first(ItsmRecordClosedV1.topic, leaver.requestId);
    expect(await itsmStateOf(recordId)).toBe('closed');
  });

  it('fails the closure of an ITSM record the ITSM system does not have, saying so, and opens none', async () => {
    const recordId = newRecordId();
    const leaver = offboarding(newEmployee(), recordId);
    await send(JourneyRequestedV1.topic, leaver);
    await first(ReturnLoggedV1.topic, leaver.requestId);
    for (const contract of [AccountDisabledV1, AccessRevokedV1, BadgeRevokedV1]) await send(contract.topic, verifiedBy(contract, leaver));

    const failed = await first(ComplianceFailedV1.topic, leaver.requestId, (p) => p['step'] === 'itsm-closure');
    expect(failed.payload).toMatchObject({ step: 'itsm-closure', attempt: 1, code: 'PROVISIONING_FAILED', reason: expect.stringContaining(`the ITSM system has no record ${recordId}`) });
    expect(await itsmStateOf(recordId)).toBeNull();
  });

  it('compensates the return: the device assigned to the employee again, read back, and confirmed', async () => {
    const { employeeId, assetTag, leaver } = await offboardWithDevice();
    await send(CompensationRequestedV1.topic, compensationOf(leaver, 'device-return'));
    const compensated = await first(ReturnCompensatedV1.topic, leaver.requestId);
    expect(compensated.payload).toMatchObject({ step: 'device-return', undone: `${assetTag} assigned to ${employeeId} again` });
    expect(await assetOf(assetTag)).toEqual({ status: 'assigned', assigned_to: employeeId, returned_for: null });
  });
});
