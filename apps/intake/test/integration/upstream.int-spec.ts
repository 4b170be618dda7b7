import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { deadLetterTopic, JourneyRequestedV1, SERVICENOW_REQUEST_ITEMS_TOPIC, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import {
  consumeUntil,
  distinctEventIds,
  eventually,
  publish,
  readTopic,
  sql,
  startTestIdentityProvider,
  testEnv,
  type TestIdentityProvider,
  testKafka,
  waitForGroupToCatchUp,
} from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import type { Admin } from 'kafkajs';

import { AppModule } from '../../src/app.module';
import { IntakeConfigSchema } from '../../src/config/intake.config';

const kafka = testKafka('intake-upstream-int');
let app: INestApplication;
let idp: TestIdentityProvider;
let admin: Admin;

const hex32 = () => randomUUID().replace(/-/g, '');

const position = (jobProfile: string) => ({
  positionId: `P-${hex32().slice(0, 6)}`,
  jobProfile: { id: jobProfile, descriptor: jobProfile },
  supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
  location: { id: 'LOC-LON', descriptor: 'London' },
});

const worker = (jobProfile = 'JP-ENG-SWE') => {
  const id = hex32().slice(0, 8);
  return { workerId: `W-${id}`, workerType: 'Employee', name: { firstName: 'Grace', lastName: `Hopper ${id}` }, email: `grace.${id}@acme.test`, position: position(jobProfile) };
};

const hired = (w = worker()) => ({ eventType: 'Worker_Hired', eventId: hex32(), tenant: 'acme', effectiveDate: '2026-03-02', completedAt: '2026-02-20T10:00:00Z', worker: w });

const requestItem = (catalogueItem: string, variables: Record<string, string>) => {
  const employee = hex32().slice(0, 8);
  return {
    sys_id: hex32(),
    number: `RITM${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    request: { sys_id: hex32(), number: 'REQ0010040' },
    cat_item: { sys_id: hex32(), name: catalogueItem },
    requested_for: { sys_id: hex32(), user_name: `u.${employee}`, name: `User ${employee}`, email: `u.${employee}@acme.test`, employee_number: `E-${employee}` },
    approval: 'approved',
    sys_updated_on: '2026-02-20 10:00:00',
    variables,
  };
};

const send = (topic: string, key: string, value: unknown) => publish(kafka, topic, [{ key, value: typeof value === 'string' ? value : JSON.stringify(value) }]);

interface JourneyRow {
  request_id: string;
  journey_type: string;
  requested_by: string;
  request: Record<string, unknown>;
}

const journeyOf = (idempotencyKey: string) =>
  eventually(async () => {
    const [row] = await sql<JourneyRow>('SELECT request_id, journey_type, requested_by, request FROM intake.journeys WHERE idempotency_key = $1', [idempotencyKey]);
    if (!row) throw new Error(`no journey for ${idempotencyKey} yet`);
    return row;
  });

const journeysOfEmployee = (employeeId: string) => sql<JourneyRow>("SELECT request_id FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [employeeId]);

/** Intake has consumed everything published to the upstream topics so far. */
const caughtUp = () => waitForGroupToCatchUp(admin, 'closeloop.intake', [WORKDAY_WORKER_EVENTS_TOPIC, SERVICENOW_REQUEST_ITEMS_TOPIC]);

const deadLetters = (topic: string, key: string, count = 1) => consumeUntil(kafka, deadLetterTopic(topic), (m) => m.message.key?.toString() === key, { count });

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  app = await createServiceApp(AppModule.register(parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await app?.close();
  await admin?.disconnect();
  await idp?.stop();
});

describe('intake, from upstream HR and ITSM systems', () => {
  it('starts a new-hire journey for a Workday hire event, with the access of the job profile', async () => {
    const event = hired();
    await send(WORKDAY_WORKER_EVENTS_TOPIC, event.worker.workerId, event);

    const journey = await journeyOf(`workday:${event.eventId}`);
    expect(journey).toMatchObject({ journey_type: 'new-hire', requested_by: 'workday' });
    expect(journey.request).toEqual({
      type: 'new-hire',
      requestedBy: 'workday',
      subject: { employeeId: event.worker.workerId, email: event.worker.email, displayName: `Grace ${event.worker.name.lastName}` },
      groups: ['staff', 'engineering'],
      apps: [
        { app: 'slack', role: 'member', licence: 'pro' },
        { app: 'github', role: 'developer', licence: 'standard' },
        { app: 'asana', role: 'member', licence: 'standard' },
      ],
      device: { model: 'laptop-16' },
    });
    const [requested] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === journey.request_id);
    expect(requested?.value).toMatchObject({ producer: 'intake', journeyType: 'new-hire', payload: { requestedBy: 'workday', subject: { employeeId: event.worker.workerId } } });
  });

  it('starts nothing new for a redelivered event, nor for a republished request item', async () => {
    const event = hired();
    await send(WORKDAY_WORKER_EVENTS_TOPIC, event.worker.workerId, event);
    const journey = await journeyOf(`workday:${event.eventId}`);
    const item = requestItem('Laptop Replacement', { asset_tag: 'P1000123', replacement_reason: 'broken', model: '' });
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, item.sys_id, item);
    const replacement = await journeyOf(`servicenow:${item.sys_id}`);

    // The same event again (a redelivery), and the item republished after an update that does not change what it asks for.
    await send(WORKDAY_WORKER_EVENTS_TOPIC, event.worker.workerId, event);
    await send(WORKDAY_WORKER_EVENTS_TOPIC, event.worker.workerId, event);
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, item.sys_id, { ...item, sys_updated_on: '2026-02-21 08:30:00' });
    await caughtUp();

    expect(await journeysOfEmployee(event.worker.workerId)).toEqual([{ request_id: journey.request_id }]);
    expect(await journeysOfEmployee(item.requested_for.employee_number)).toEqual([{ request_id: replacement.request_id }]);
    for (const requestId of [journey.request_id, replacement.request_id]) {
      expect(distinctEventIds(await readTopic(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === requestId)).size).toBe(1);
    }
    expect(await readTopic(kafka, deadLetterTopic(WORKDAY_WORKER_EVENTS_TOPIC), (m) => m.message.key?.toString() === event.worker.workerId)).toEqual([]);
  });

  it('starts an access change for a Workday role change: the old profile’s access removed, the new one’s granted', async () => {
    const w = worker('JP-SAL-AE');
    const event = { ...hired({ ...w, position: position('JP-ENG-SWE') }), eventType: 'Worker_Role_Changed', previousPosition: position('JP-SAL-AE') };
    await send(WORKDAY_WORKER_EVENTS_TOPIC, w.workerId, event);
    const journey = await journeyOf(`workday:${event.eventId}`);
    expect(journey).toMatchObject({ journey_type: 'access-change', requested_by: 'workday' });
    expect(journey.request).toMatchObject({
      remove: { groups: ['sales'], apps: ['salesforce'] },
      grant: { groups: ['engineering'], apps: [{ app: 'github', role: 'developer', licence: 'standard' }] },
    });
  });

  it('starts a device replacement and a SaaS licensing journey for ServiceNow request items', async () => {
    const replacement = requestItem('Laptop Replacement', { asset_tag: 'P1000777', replacement_reason: 'end_of_life', model: 'laptop-16' });
    const licence = requestItem('Software Licence Request', { application: 'figma', licence_type: 'professional', seats: '3' });
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, replacement.sys_id, replacement);
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, licence.sys_id, licence);

    expect(await journeyOf(`servicenow:${replacement.sys_id}`)).toMatchObject({
      journey_type: 'device-replacement',
      requested_by: 'servicenow',
      request: { itsmRecordId: replacement.number, retiredAssetTag: 'P1000777', reason: 'end-of-life', device: { model: 'laptop-16' }, subject: { employeeId: replacement.requested_for.employee_number } },
    });
    expect(await journeyOf(`servicenow:${licence.sys_id}`)).toMatchObject({
      journey_type: 'saas-licensing',
      requested_by: 'servicenow',
      request: { app: 'figma', licenceType: 'professional', seats: 3, subject: { email: licence.requested_for.email } },
    });
  });

  it('dead-letters malformed and unmappable records with the reason and their source, and goes on with the next one', async () => {
    const key = `bad-${hex32()}`;
    const unmappable = hired({ ...worker(), position: position('JP-AST-001') });
    const good = hired();
    // One key: one partition, in this order; the good one comes last.
    await publish(kafka, WORKDAY_WORKER_EVENTS_TOPIC, [
      { key, value: 'this is not JSON' },
      { key, value: JSON.stringify({ ...hired(), eventId: 'E-1', worker: { ...worker(), email: 'nope' } }) },
      { key, value: JSON.stringify({ ...hired(), eventType: 'Worker_Terminated' }) },
      { key, value: JSON.stringify(unmappable) },
      { key, value: null },
      { key, value: JSON.stringify(good) },
    ]);
    await journeyOf(`workday:${good.eventId}`);

    // The empty message is dead-lettered before the handler sees its batch, so the order may differ.
    const dead = await deadLetters(WORKDAY_WORKER_EVENTS_TOPIC, key, 5);
    const reasons = dead.map((d) => d.headers['dlq-reason']);
    expect(reasons).toHaveLength(5);
    expect(reasons).toEqual(expect.arrayContaining([
      expect.stringMatching(/^terminal error: not JSON: Unexpected token/),
      'terminal error: does not match hr.workday.worker-events.v1: eventId: a Workday ID (WID): 32 lower-case hex characters; worker.email: Invalid email address',
      "terminal error: does not match hr.workday.worker-events.v1: eventType: Invalid discriminator value. Expected 'Worker_Hired' | 'Worker_Role_Changed'",
      `terminal error: Workday Worker_Hired ${unmappable.eventId}: worker.position.jobProfile.id JP-AST-001 (JP-AST-001) is not in the job-profile mapping (workday.jobProfiles, version 1)`,
      'empty message value',
    ]));
    expect(dead.find((d) => d.headers['dlq-reason']?.includes('not JSON'))?.value).toBe('this is not JSON');
    for (const d of dead) {
      expect(d.headers).toMatchObject({ 'dlq-source-topic': WORKDAY_WORKER_EVENTS_TOPIC, 'dlq-consumer-group': 'closeloop.intake' });
      expect(d.headers['dlq-source-offset']).toMatch(/^\d+$/);
    }
    expect(await journeysOfEmployee(unmappable.worker.workerId)).toEqual([]);

    const itemKey = `bad-${hex32()}`;
    const chair = requestItem('Office Chair', {});
    const unapproved = { ...requestItem('Laptop Replacement', { asset_tag: 'P1', replacement_reason: 'lost' }), approval: 'requested' };
    const noSeats = requestItem('Software Licence Request', { application: 'figma', licence_type: 'professional', seats: '' });
    await publish(kafka, SERVICENOW_REQUEST_ITEMS_TOPIC, [chair, unapproved, noSeats].map((item) => ({ key: itemKey, value: JSON.stringify(item) })));
    const deadItems = await deadLetters(SERVICENOW_REQUEST_ITEMS_TOPIC, itemKey, 3);
    expect(deadItems.map((d) => d.headers['dlq-reason'])).toEqual([
      `terminal error: ServiceNow ${chair.number} (${chair.sys_id}): catalogue item "Office Chair" is not in the catalogue mapping (servicenow.catalogueItems, version 1)`,
      `terminal error: ServiceNow ${unapproved.number} (${unapproved.sys_id}): not ready for fulfilment (approval: requested)`,
      `terminal error: ServiceNow ${noSeats.number} (${noSeats.sys_id}): the variables of catalogue item "Software Licence Request" are invalid: variables.seats: a whole number of seats`,
    ]);
  });

  it('dead-letters a valid record whose request intake refuses, with intake’s reason', async () => {
    const w = worker();
    const first = hired(w);
    await send(WORKDAY_WORKER_EVENTS_TOPIC, w.workerId, first);
    const owner = await journeyOf(`workday:${first.eventId}`);
    // A second hire of the same worker (another business process event): the first journey owns the account.
    const second = hired(w);
    await send(WORKDAY_WORKER_EVENTS_TOPIC, w.workerId, second);
    const [dead] = await deadLetters(WORKDAY_WORKER_EVENTS_TOPIC, w.workerId);
    expect(dead?.headers['dlq-reason']).toBe(
      `terminal error: Workday Worker_Hired ${second.eventId}: intake refused the journey request (SUBJECT_ALREADY_ONBOARDING): employee ${w.workerId} already has an account owned by new-hire journey ${owner.request_id} (requested): a journey never takes over what another journey created; follow or cancel that journey instead`,
    );

    // A request item changed after its journey started: the change is not applied, and says so.
    const item = requestItem('Laptop Replacement', { asset_tag: 'P1000888', replacement_reason: 'broken', model: '' });
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, item.sys_id, item);
    await journeyOf(`servicenow:${item.sys_id}`);
    await send(SERVICENOW_REQUEST_ITEMS_TOPIC, item.sys_id, { ...item, variables: { ...item.variables, model: 'laptop-16' } });
    const [changed] = await deadLetters(SERVICENOW_REQUEST_ITEMS_TOPIC, item.sys_id);
    expect(changed?.headers['dlq-reason']).toBe(
      `terminal error: ServiceNow ${item.number} (${item.sys_id}): already started a journey with a different request; changes to a record after its journey started are not applied (IDEMPOTENCY_KEY_REUSED)`,
    );
    expect(await journeysOfEmployee(w.workerId)).toHaveLength(1);
    expect(await journeysOfEmployee(item.requested_for.employee_number)).toHaveLength(1);
  });

  it('starts nothing, and dead-letters nothing, for a role change between profiles that give the same access', async () => {
    const w = worker();
    const event = { ...hired(w), eventType: 'Worker_Role_Changed', previousPosition: position('JP-ENG-SWE') };
    await send(WORKDAY_WORKER_EVENTS_TOPIC, w.workerId, event);
    await caughtUp();
    expect(await journeysOfEmployee(w.workerId)).toEqual([]);
    expect(await readTopic(kafka, deadLetterTopic(WORKDAY_WORKER_EVENTS_TOPIC), (m) => m.message.key?.toString() === w.workerId)).toEqual([]);
  });
});
