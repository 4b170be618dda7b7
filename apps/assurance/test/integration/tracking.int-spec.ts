import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import {
  AccessVerifiedV1,
  AccountVerifiedV1,
  buildEvent,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  type EventContract,
  type EventEnvelope,
  JourneyRequestedV1,
  OutcomeConfirmedV1,
  type PayloadOf,
  StepRetryRequestedV1,
} from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, distinctEventIds, eventually, publish, readTopic, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { AssuranceConfigSchema } from '../../src/config/assurance.config';

const kafka = testKafka('assurance-int');
let app: INestApplication;
/** Assurance answers auditors and operators only: an auditor's token of the test identity provider. */
let idp: TestIdentityProvider;
let auditor: { authorization: string };

const event = <C extends EventContract>(contract: C, requestId: string, payload: PayloadOf<C>): EventEnvelope =>
  buildEvent(contract, { requestId, journeyType: 'new-hire', producer: 'test' }, payload, { eventId: randomUUID(), occurredAt: new Date() });

const journeyEvents = (requestId: string) => {
  const now = new Date().toISOString();
  return {
    requested: event(JourneyRequestedV1, requestId, {
      type: 'new-hire',
      requestedBy: 'manager@acme.test',
      subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
      groups: ['staff'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: now,
    }),
    account: event(AccountVerifiedV1, requestId, { accountId: 'u-E1', employeeId: 'E1', enabled: true, groups: ['staff'], verifiedAt: now }),
    access: event(AccessVerifiedV1, requestId, { accountId: 'u-E1', grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: now }),
    device: event(ComplianceVerifiedV1, requestId, { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', enrolled: true, compliant: true, checkedAt: now }),
  };
};

const send = (e: EventEnvelope) => publish(kafka, `${e.eventType}.v${e.version}`, [{ key: e.requestId, value: JSON.stringify(e) }]);

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  auditor = await idp.headers({ sub: 'auditor@acme.test', roles: ['auditor'] });
  const config = parseConfig(AssuranceConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' });
  app = await createServiceApp(AppModule.register(config));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('assurance tracks journeys from real topics', () => {
  it('confirms a journey whose events arrive out of order and twice, exactly once', async () => {
    const requestId = randomUUID();
    const e = journeyEvents(requestId);
    for (const next of [e.device, e.access, e.device, e.account, e.requested, e.account]) await send(next);

    const outcome = await eventually(async () => {
      const response = await request(app.getHttpServer()).get(`/journeys/${requestId}/outcome`).set(auditor).expect(200);
      return response.body;
    });
    expect(outcome.signals.map((s: { eventId: string }) => s.eventId)).toEqual([e.account.eventId, e.access.eventId, e.device.eventId]);

    await send(e.access); // one more late duplicate
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitForGroupToCatchUp(admin, 'closeloop.assurance', [AccessVerifiedV1.topic, ComplianceVerifiedV1.topic, AccountVerifiedV1.topic, JourneyRequestedV1.topic]);
    } finally {
      await admin.disconnect();
    }
    expect(await sql('SELECT 1 FROM assurance.outcomes WHERE request_id = $1', [requestId])).toHaveLength(1);
    const confirmed = await consumeUntil(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect(confirmed[0]?.value).toMatchObject({ requestId, causationId: expect.any(String), payload: { definitionVersion: 1 } });
    expect(distinctEventIds(await readTopic(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId)).size).toBe(1);
  });

  it('answers a failed step with a retry request to its owner, carrying the request, and does not confirm meanwhile', async () => {
    const requestId = randomUUID();
    const e = journeyEvents(requestId);
    await send(e.requested);
    await send(event(ComplianceFailedV1, requestId, { step: 'device', attempt: 1, code: 'NOT_COMPLIANT', reason: 'disk not encrypted', failedAt: new Date().toISOString() }));
    await send(e.account);
    await send(e.access);

    const [retry] = await consumeUntil(kafka, StepRetryRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect(retry?.value).toMatchObject({
      payload: { step: 'device', owner: 'device', attempt: 2, reason: 'STEP_FAILED', request: { subject: { employeeId: 'E1' } } },
    });
    const journey = await eventually(async () => {
      const response = await request(app.getHttpServer()).get(`/journeys/${requestId}`).set(auditor).expect(200);
      expect(Object.keys(response.body.signals)).toHaveLength(2);
      expect(response.body.steps.device).toMatchObject({ status: 'open', attempt: 2 });
      return response.body;
    });
    expect(journey.status).toBe('open');
    expect(journey.failures).toEqual([expect.objectContaining({ step: 'device', attempt: 1, code: 'NOT_COMPLIANT' })]);
    await request(app.getHttpServer()).get(`/journeys/${requestId}/outcome`).set(auditor).expect(404);
  });

  it('keeps a hash-chained audit trail of the journey, and detects a tampered entry', async () => {
    const requestId = randomUUID();
    const e = journeyEvents(requestId);
    for (const next of [e.requested, e.account, e.access, e.device]) await send(next);
    await eventually(() => request(app.getHttpServer()).get(`/journeys/${requestId}/outcome`).set(auditor).expect(200));

    const { body: timeline } = await request(app.getHttpServer()).get(`/journeys/${requestId}/timeline`).set(auditor).expect(200);
    const actions = timeline.entries.map((entry: { action: string }) => entry.action);
    expect(actions).toHaveLength(5);
    expect(actions[0]).toBe('intake.journey.requested');
    expect(actions[4]).toBe('journey.confirmed');
    expect(timeline.entries.map((entry: { seq: number }) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(timeline.entries[4]).toMatchObject({ actor: 'assurance', reason: 'every verification signal of the definition of done arrived' });
    await request(app.getHttpServer()).get(`/journeys/${requestId}/timeline/verify`).set(auditor).expect(200, { requestId, intact: true, entries: 5 });

    await sql("UPDATE assurance.audit_entries SET reason = 'nothing happened' WHERE request_id = $1 AND seq = 3", [requestId]);
    const { body: check } = await request(app.getHttpServer()).get(`/journeys/${requestId}/timeline/verify`).set(auditor).expect(200);
    expect(check).toEqual({ requestId, intact: false, entries: 5, brokenAt: 3, problem: 'content was changed after it was written' });
  });

  it('answers 400 for an id that is not a UUID and 404 for an unknown journey', async () => {
    await request(app.getHttpServer()).get('/journeys/xyz/outcome').set(auditor).expect(400);
    await request(app.getHttpServer()).get(`/journeys/${randomUUID()}`).set(auditor).expect(404);
  });
});
