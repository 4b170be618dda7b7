import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { buildEvent, JourneyRequestedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, distinctEventIds, eventually, newHireRequest, publish, readTopic, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { IntakeConfigSchema } from '../../src/config/intake.config';

const kafka = testKafka('intake-int');
let app: INestApplication;
let idp: TestIdentityProvider;
/** A requester's Authorization header. */
let manager: { authorization: string };

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  manager = await idp.headers({ sub: 'manager@acme.test', roles: ['requester'] });
  app = await createServiceApp(AppModule.register(parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
});

describe('intake', () => {
  it('accepts a journey, publishes journey.requested through the outbox, and shows the confirmed verdict', async () => {
    const body = newHireRequest();
    const accepted = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(202);
    const requestId: string = accepted.body.requestId;
    expect(accepted.headers['location']).toBe(`/journeys/${requestId}`);

    const [published] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect(published?.value).toMatchObject({ requestId, producer: 'intake', journeyType: 'new-hire', payload: { subject: body.subject, definitionVersion: 1 } });
    expect(JourneyRequestedV1.schema.safeParse(published?.value).success).toBe(true);

    const now = new Date();
    const verdict = buildEvent(
      OutcomeConfirmedV1,
      { requestId, journeyType: 'new-hire', producer: 'assurance' },
      { definitionVersion: 1, signals: [{ signal: 'identity.account.verified.v1', eventId: randomUUID(), at: now.toISOString(), evidence: {} }], startedAt: now.toISOString(), confirmedAt: now.toISOString(), durationMs: 0 },
      { eventId: randomUUID(), occurredAt: now },
    );
    await publish(kafka, OutcomeConfirmedV1.topic, [{ key: requestId, value: JSON.stringify(verdict) }]);
    await eventually(async () => {
      const response = await request(app.getHttpServer()).get(`/journeys/${requestId}`).set(manager).expect(200);
      expect(response.body).toMatchObject({ status: 'confirmed', outcome: { definitionVersion: 1 } });
    });
  });

  it('starts one journey for concurrent retries with the same Idempotency-Key', async () => {
    const body = newHireRequest();
    const key = `retry-${randomUUID()}`;
    const responses = await Promise.all([1, 2, 3, 4].map(() => request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', key).send(body)));
    expect(new Set(responses.map((r) => r.body.requestId)).size).toBe(1);
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    expect(await sql('SELECT 1 FROM intake.journeys WHERE idempotency_key = $1', [key])).toHaveLength(1);
    const requested = await readTopic(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === responses[0]?.body.requestId);
    expect(distinctEventIds(requested).size).toBe(1);
  });

  it('refuses a second live new-hire journey for the same employee with 409', async () => {
    const body = newHireRequest();
    await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(202);
    const second = await request(app.getHttpServer()).post('/journeys').set(manager).send({ ...body, groups: ['other'] }).expect(409);
    expect(second.body.message).toBe(`employee ${body.subject.employeeId} already has a new-hire journey in flight or confirmed`);
  });

  it('answers 400 naming each bad field, and never starts a journey for it', async () => {
    const response = await request(app.getHttpServer())
      .post('/journeys')
      .set(manager)
      .send({ ...newHireRequest(), device: { model: 42 }, subject: { employeeId: 'E1', email: 'nope', displayName: 'X' } })
      .expect(400);
    expect(response.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['device.model', 'subject.email']);
    await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', 'has spaces').send(newHireRequest()).expect(400);
    const reserved = await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', 'workday:EVT-1').send(newHireRequest()).expect(400);
    expect(reserved.body.message).toContain('reserved for the upstream consumers');
  });

  it('answers a replayed new hire with its journey, although it also collides with its own live journey', async () => {
    const body = newHireRequest();
    const first = await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', `hire-${body.subject.employeeId}`).send(body).expect(202);
    const replay = await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', `hire-${body.subject.employeeId}`).send(body).expect(200);
    expect(replay.body).toMatchObject({ requestId: first.body.requestId, replayed: true });
  });
});
