import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import {
  BadgeCompensatedV1,
  BadgeFailedV1,
  BadgeGrantedV1,
  BadgeRevokedV1,
  buildEvent,
  CompensationRequestedV1,
  definitionDocument,
  JourneyRequestedPayloadSchema,
  JourneyRequestedV1,
  NEW_HIRE_V2,
  ownerTopics,
  type RequestedOf,
  SAMPLE_PAYLOADS,
  StepRetryRequestedV1,
} from '@closeloop/contracts';
import { KafkaBatchServer } from '@closeloop/messaging';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, eventually, publish, readTopic, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { FacilitiesConfigSchema } from '../../src/config/facilities.config';

/** facilities-domain in-process, as main.ts builds it, against the test broker and database. */
const kafka = testKafka('facilities-domain-int');
let app: INestApplication;
/** The simulator's fault switch is an admin's: a token of the test identity provider. */
let idp: TestIdentityProvider;
let admin: { authorization: string };
/** The events its consumer handed to a handler and committed, as they come. */
const handled: { topic: string; requestId: string }[] = [];

const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId });
const newEmployee = () => `E-${randomUUID().slice(0, 8)}`;
const identity = () => ({ eventId: randomUUID(), occurredAt: new Date() });

const requested = (payload: RequestedOf<'new-hire'> | RequestedOf<'offboarding'>) =>
  buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, identity());
type Requested = ReturnType<typeof requested>;

/** A new hire; of version 2 (with the badge step) the request carries its definition, as intake sends it. */
const newHire = (employeeId: string, groups: string[], version: 1 | 2 = 2) =>
  requested({
    type: 'new-hire',
    requestedBy: 'manager@acme.test',
    subject: subject(employeeId),
    groups,
    apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
    device: { model: 'laptop-14' },
    requestedAt: new Date().toISOString(),
    ...(version === 2 ? { definitionVersion: 2, definition: definitionDocument(NEW_HIRE_V2) } : { definitionVersion: 1 }),
  });
const leaver = (employeeId: string) =>
  requested({ type: 'offboarding', requestedBy: 'hr@acme.test', subject: subject(employeeId), lastDay: '2026-12-31', itsmRecordId: 'RITM0030001', definitionVersion: 1, requestedAt: new Date().toISOString() });

const fromAssurance = (of: Requested) => ({ requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' });
const badgeStep = { step: 'badge', owner: 'facilities' };
const compensationOf = (of: Requested) => buildEvent(CompensationRequestedV1, fromAssurance(of), { ...badgeStep, attempt: 1, reason: 'cancelled by hr@acme.test', request: of.payload, evidence: {} }, identity());
const retryOf = (of: Requested, attempt: number) => buildEvent(StepRetryRequestedV1, fromAssurance(of), { ...badgeStep, attempt, reason: 'STEP_FAILED', request: of.payload, evidence: {} }, identity());

const send = async (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
const first = async (topic: string, requestId: string) => (await consumeUntil(kafka, topic, (m) => m.message.key?.toString() === requestId))[0]?.value as { payload: Record<string, unknown> };

/** The employee's badges, as the simulated access control system holds them. */
const badgesOf = (employeeId: string) =>
  sql<{ badge_id: string; zones: string[]; active: boolean; issued_for: string | null }>(
    'SELECT badge_id, zones, active, issued_for FROM facilities.sim_badges WHERE employee_id = $1 ORDER BY badge_id',
    [employeeId],
  );

const waitUntilCommitted = async (topic: string, requestId: string) => {
  await eventually(() => expect(handled).toContainEqual({ topic, requestId }), 30000, 200);
  const admin_ = kafka.admin();
  await admin_.connect();
  try {
    await waitForGroupToCatchUp(admin_, 'closeloop.facilities-domain', [topic]);
  } finally {
    await admin_.disconnect();
  }
};

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: 'simulator-admin@acme.test', roles: ['admin'] });
  app = await createServiceApp(AppModule.register(parseConfig(FacilitiesConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
  app.get(KafkaBatchServer).onHandled((topic, events) => handled.push(...events.map((e) => ({ topic, requestId: e.requestId }))));
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('facilities-domain', () => {
  it('is ready: PostgreSQL, Kafka and its consumer answer', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it('keeps its tables in its own schema, facilities: the outbox, the inbox, the steps it runs and its simulated access control system', async () => {
    const tables = await sql<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', ['facilities']);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['outbox_messages', 'inbox_messages', 'journey_steps', 'sim_badges']));
  });

  it('consumes as closeloop.facilities-domain what the journey definitions say its owner facilities hears of', () => {
    const server = app.get(KafkaBatchServer);
    expect(server.groupId).toBe('closeloop.facilities-domain');
    expect(server.subscribedTopics().sort()).toEqual(ownerTopics('facilities').sort());
  });

  it('consumes journey requests: its handler gets them and its group commits past them', async () => {
    const payload = JourneyRequestedPayloadSchema.parse(SAMPLE_PAYLOADS[JourneyRequestedV1.topic]);
    const event = buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, identity());
    await send(JourneyRequestedV1.topic, event);
    await waitUntilCommitted(JourneyRequestedV1.topic, event.requestId);
  });
});

describe('the badge steps, on the simulated access control system', () => {
  it('gives a new hire of version 2 a badge, revokes it when they leave, and undoes each on compensation, read back every time', async () => {
    const employeeId = newEmployee();
    const hire = newHire(employeeId, ['staff', 'engineering']);
    await send(JourneyRequestedV1.topic, hire);
    const granted = await first(BadgeGrantedV1.topic, hire.requestId);
    const [badge] = await badgesOf(employeeId);
    expect(badge).toMatchObject({ active: true, issued_for: hire.requestId });
    expect(granted.payload).toMatchObject({ badgeId: badge?.badge_id, employeeId, active: true, zones: ['lab', 'main-entrance'] });
    expect(badge?.zones.sort()).toEqual(granted.payload['zones']);

    const leaving = leaver(employeeId);
    await send(JourneyRequestedV1.topic, leaving);
    const revoked = await first(BadgeRevokedV1.topic, leaving.requestId);
    expect(revoked.payload).toMatchObject({ employeeId, revokedBadges: [badge?.badge_id], activeBadges: [] });
    expect(await badgesOf(employeeId)).toEqual([expect.objectContaining({ badge_id: badge?.badge_id, active: false })]);

    await send(CompensationRequestedV1.topic, compensationOf(leaving));
    const given = await first(BadgeCompensatedV1.topic, leaving.requestId);
    expect(given.payload).toMatchObject({ step: 'badge', undone: `badge(s) ${badge?.badge_id} of ${employeeId} active again` });
    expect(await badgesOf(employeeId)).toEqual([expect.objectContaining({ badge_id: badge?.badge_id, active: true })]);

    await send(CompensationRequestedV1.topic, compensationOf(hire));
    const withdrawn = await first(BadgeCompensatedV1.topic, hire.requestId);
    expect(withdrawn.payload).toMatchObject({ step: 'badge', undone: `badge ${badge?.badge_id} deactivated` });
    expect(await badgesOf(employeeId)).toEqual([expect.objectContaining({ badge_id: badge?.badge_id, active: false })]);
  });

  it('leaves a new hire of version 1 alone: that definition has no badge step', async () => {
    const employeeId = newEmployee();
    const hire = newHire(employeeId, ['engineering'], 1);
    await send(JourneyRequestedV1.topic, hire);
    await waitUntilCommitted(JourneyRequestedV1.topic, hire.requestId);
    expect(await badgesOf(employeeId)).toEqual([]);
    expect(await sql('SELECT 1 FROM facilities.journey_steps WHERE request_id = $1', [hire.requestId])).toEqual([]);
    for (const topic of [BadgeGrantedV1.topic, BadgeFailedV1.topic]) expect(await readTopic(kafka, topic, (m) => m.message.key?.toString() === hire.requestId)).toEqual([]);
  });

  it('reports a badge the system said it issued but left inactive, and a retry activates it', async () => {
    const employeeId = newEmployee();
    await request(app.getHttpServer()).put('/simulator/faults').set(admin).send({ readBackDisagrees: true, onlyFor: [employeeId] }).expect(200);
    const hire = newHire(employeeId, ['finance']);
    try {
      await send(JourneyRequestedV1.topic, hire);
      const failed = await first(BadgeFailedV1.topic, hire.requestId);
      expect(failed.payload).toMatchObject({ step: 'badge', attempt: 1, code: 'VERIFICATION_MISMATCH', reason: expect.stringMatching(/^read-back disagrees: badge B-[0-9A-F]+ is inactive$/) });
    } finally {
      await request(app.getHttpServer()).put('/simulator/faults').set(admin).send({}).expect(200);
    }
    await send(StepRetryRequestedV1.topic, retryOf(hire, 2));
    const granted = await first(BadgeGrantedV1.topic, hire.requestId);
    expect(granted.payload).toMatchObject({ employeeId, zones: ['finance-floor', 'main-entrance'] });
    expect(await badgesOf(employeeId)).toEqual([expect.objectContaining({ badge_id: granted.payload['badgeId'], active: true })]);
  });
});
