import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { buildEvent, ComplianceFailedV1, type EventContract, type EventEnvelope, JourneyRequestedV1, type PayloadOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, eventually, publish, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { AssuranceConfigSchema } from '../../src/config/assurance.config';

const kafka = testKafka('assurance-work-queue-int');
let app: INestApplication;
let idp: TestIdentityProvider;

const REQUESTER = 'line.manager@acme.test';
const KEY_CREATOR = 'key.admin@acme.test';

const event = <C extends EventContract>(contract: C, requestId: string, payload: PayloadOf<C>): EventEnvelope =>
  buildEvent(contract, { requestId, journeyType: 'new-hire', producer: 'test' }, payload, { eventId: randomUUID(), occurredAt: new Date() });
const send = (e: EventEnvelope) => publish(kafka, `${e.eventType}.v${e.version}`, [{ key: e.requestId, value: JSON.stringify(e) }]);
const operator = (sub: string, extra: Record<string, unknown> = {}) => idp.headers({ sub, roles: ['operator'], extra });
const http = () => request(app.getHttpServer());

/** A new hire submitted by an upstream system's API key, whose device step fails three times: escalated to the work queue. */
const escalatedJourney = async (): Promise<{ requestId: string; employeeId: string }> => {
  const requestId = randomUUID();
  const employeeId = `E-${randomUUID().slice(0, 8)}`;
  await send(
    event(JourneyRequestedV1, requestId, {
      type: 'new-hire',
      requestedBy: REQUESTER,
      requestedVia: { apiKeyId: '0123456789abcdef', apiKeyName: 'workday', createdBy: KEY_CREATOR },
      subject: { employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId },
      groups: ['staff'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: new Date().toISOString(),
    }),
  );
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    if (attempt > 1) {
      await consumeUntil(kafka, StepRetryRequestedV1.topic, (m) => m.message.key?.toString() === requestId && (m.value as { payload?: { attempt?: number } }).payload?.attempt === attempt);
    }
    await send(event(ComplianceFailedV1, requestId, { step: 'device', attempt, code: 'NOT_COMPLIANT', reason: 'disk not encrypted', failedAt: new Date().toISOString() }));
  }
  const auditor = await idp.headers({ sub: 'auditor@acme.test', roles: ['auditor'] });
  await eventually(async () => expect((await http().get(`/journeys/${requestId}`).set(auditor).expect(200)).body.status).toBe('escalated'));
  return { requestId, employeeId };
};

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  app = await createServiceApp(AppModule.register(parseConfig(AssuranceConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('the work queue: who may act is who authenticated, and never on their own journey', () => {
  it('refuses an anonymous resolve, an operator named in the body, the requester, the subject and the creator of the requesting API key; lets another operator act', async () => {
    const { requestId, employeeId } = await escalatedJourney();
    const evidence = { action: 'fixed', comment: 'checked by hand', evidence: { compliant: true } };

    expect((await http().post(`/work-queue/${requestId}/resolve`).send(evidence).expect(401)).body.reason).toBe('MISSING_CREDENTIALS');
    expect((await http().post(`/work-queue/${requestId}/claim`).set(await idp.headers({ sub: 'reader@acme.test', roles: ['auditor'] })).send({}).expect(403)).body.reason).toBe('MISSING_ROLE');
    const named = await http().post(`/work-queue/${requestId}/claim`).set(await operator('ops-ada@acme.test')).send({ operator: 'someone.else@acme.test' }).expect(400);
    expect(named.body.message).toContain('the operator is the authenticated caller');

    const refusals = [
      { who: await operator(REQUESTER), says: 'requested this journey' },
      { who: await operator(employeeId), says: 'is the subject of this journey' },
      { who: await operator('u-7781', { email: `${employeeId.toLowerCase()}@acme.test` }), says: 'is the subject of this journey' },
      { who: await operator(KEY_CREATOR), says: 'created the API key that requested this journey' },
    ];
    for (const { who, says } of refusals) {
      for (const path of ['claim', 'resolve']) {
        const refused = await http().post(`/work-queue/${requestId}/${path}`).set(who).send(path === 'claim' ? {} : evidence).expect(403);
        expect(refused.body).toMatchObject({ reason: 'OWN_REQUEST', message: expect.stringContaining(says) });
      }
    }
    const denied = await sql<{ principal_id: string; reason: string }>("SELECT principal_id, reason FROM assurance.access_denials WHERE path = $1 AND reason = 'OWN_REQUEST'", [`/work-queue/${requestId}/claim`]);
    expect(denied.map((d) => d.principal_id).sort()).toEqual([REQUESTER, employeeId, 'u-7781', KEY_CREATOR].sort());

    const ops = await operator('ops-bob@acme.test');
    expect((await http().post(`/work-queue/${requestId}/claim`).set(ops).send({}).expect(200)).body).toEqual({ requestId, claimedBy: 'ops-bob@acme.test' });
    expect((await http().post(`/work-queue/${requestId}/resolve`).set(ops).send({ action: 'fail', comment: 'model withdrawn' }).expect(200)).body).toMatchObject({ requestId });
    const actors = await sql<{ actor: string; action: string }>('SELECT actor, action FROM assurance.audit_entries WHERE request_id = $1 ORDER BY seq', [requestId]);
    expect(actors).toEqual(expect.arrayContaining([{ actor: 'operator:ops-bob@acme.test', action: 'operator.claimed' }, { actor: 'operator:ops-bob@acme.test', action: 'operator.fail' }]));
  });

  it('pages the queue with a cursor and refuses a cursor it did not make', async () => {
    await escalatedJourney();
    await escalatedJourney();
    const ops = await operator('ops-cy@acme.test');
    const first = await http().get('/work-queue?limit=1').set(ops).expect(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await http().get(`/work-queue?limit=1&after=${first.body.next}`).set(ops).expect(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].requestId).not.toBe(first.body.items[0].requestId);
    expect((await http().get('/work-queue?limit=1000').set(ops).expect(400)).body.message).toContain('limit');
    expect((await http().get('/work-queue?after=bm90LWEtY3Vyc29y').set(ops).expect(400)).body.message).toContain('not a cursor of this work queue');
  });
});
