import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { buildEvent, JourneyCompensatedV1, JourneyFailedV1, JourneyRequestedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
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
/** Another requester. */
let recruiter: { authorization: string };

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  manager = await idp.headers({ sub: 'manager@acme.test', roles: ['requester'] });
  recruiter = await idp.headers({ sub: 'recruiter@acme.test', roles: ['requester'] });
  app = await createServiceApp(AppModule.register(parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
});

/** Assurance's verdicts on a new hire, as assurance publishes them. */
const byAssurance = (requestId: string) => ({ requestId, journeyType: 'new-hire' as const, producer: 'assurance' });
const fresh = () => ({ eventId: randomUUID(), occurredAt: new Date() });
const publishVerdict = (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);

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

  it('refuses a new hire for an employee whose account another new hire owns with 409 naming that journey, also from another requester', async () => {
    const body = newHireRequest();
    const first = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(202);
    const second = await request(app.getHttpServer()).post('/journeys').set(recruiter).send({ ...body, groups: ['other'] }).expect(409);
    expect(second.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      ownerRequestId: first.body.requestId,
      message: `employee ${body.subject.employeeId} already has an account owned by new-hire journey ${first.body.requestId} (requested): a journey never takes over what another journey created; follow or cancel that journey instead`,
    });
  });

  it('keeps the account with a failed new hire until its compensation is confirmed; then a new hire may start', async () => {
    const body = newHireRequest();
    const first = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(202);
    const requestId: string = first.body.requestId;
    const failedAt = new Date().toISOString();
    await publishVerdict(JourneyFailedV1.topic, buildEvent(JourneyFailedV1, byAssurance(requestId), { step: 'identity', code: 'PROVISIONING_FAILED', reason: 'failed by an operator', failedAt }, fresh()));
    await eventually(async () => expect((await request(app.getHttpServer()).get(`/journeys/${requestId}`).set(manager).expect(200)).body.status).toBe('failed'));
    const whileUndoing = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(409);
    expect(whileUndoing.body).toMatchObject({ ownerRequestId: requestId, message: expect.stringContaining(`owned by new-hire journey ${requestId} (failed)`) });

    const compensatedAt = new Date().toISOString();
    await publishVerdict(JourneyCompensatedV1.topic, buildEvent(JourneyCompensatedV1, byAssurance(requestId), { steps: ['device', 'saas', 'identity'], reason: 'failed by an operator', compensatedAt }, fresh()));
    await eventually(async () => expect((await request(app.getHttpServer()).get(`/journeys/${requestId}`).set(manager).expect(200)).body.status).toBe('compensated'));
    const rehire = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(202);
    expect(rehire.body.requestId).not.toBe(requestId);
  });

  it('scopes an Idempotency-Key to its caller: the same key from another caller is another journey, and each caller replays its own', async () => {
    const key = `shared-${randomUUID()}`;
    const mine = await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', key).send(newHireRequest()).expect(202);
    const theirs = await request(app.getHttpServer()).post('/journeys').set(recruiter).set('Idempotency-Key', key).send(newHireRequest()).expect(202);
    expect(theirs.body.requestId).not.toBe(mine.body.requestId);
    const theirJourney = await request(app.getHttpServer()).get(`/journeys/${theirs.body.requestId}`).set(recruiter).expect(200);
    expect(theirJourney.body.requestedBy).toBe('recruiter@acme.test');

    const [mineAgain] = await sql<{ request: object }>('SELECT request FROM intake.journeys WHERE request_id = $1', [mine.body.requestId]);
    const replay = await request(app.getHttpServer()).post('/journeys').set(manager).set('Idempotency-Key', key).send(mineAgain?.request).expect(200);
    expect(replay.body).toMatchObject({ requestId: mine.body.requestId, replayed: true });
    // Someone else's key with another body is not a reuse of the key: a new journey, not a 409.
    const third = await request(app.getHttpServer()).post('/journeys').set(await idp.headers({ sub: 'hr.partner@acme.test', roles: ['requester'] })).set('Idempotency-Key', key).send(newHireRequest()).expect(202);
    expect([mine.body.requestId, theirs.body.requestId]).not.toContain(third.body.requestId);
  });

  it('refuses groups or apps named twice, and apps or roles outside the catalogue, with 400 naming each, starting nothing', async () => {
    const body = newHireRequest({ groups: ['staff', 'sales', 'staff'], apps: [{ app: 'slack', role: 'member' }, { app: 'slack', role: 'admin' }] });
    const duplicates = await request(app.getHttpServer()).post('/journeys').set(manager).send(body).expect(400);
    expect(duplicates.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'groups.2: group staff is listed more than once (first at groups.0): name each group once; apps.1: app slack is listed more than once (first at apps.0): name each app once',
      issues: [
        { field: 'groups.2', message: 'group staff is listed more than once (first at groups.0): name each group once' },
        { field: 'apps.1', message: 'app slack is listed more than once (first at apps.0): name each app once' },
      ],
    });
    const move = { type: 'access-change', subject: newHireRequest().subject, remove: { groups: ['sales'], apps: ['asana', 'asana'] }, grant: { groups: ['eng', 'eng'], apps: [] } };
    const twice = await request(app.getHttpServer()).post('/journeys').set(manager).send(move).expect(400);
    expect(twice.body.issues.map((i: { field: string }) => i.field)).toEqual(['remove.apps.1', 'grant.groups.1']);

    const outside = newHireRequest({ apps: [{ app: 'myspace', role: 'member' }, { app: 'asana', role: 'superuser' }] });
    const refused = await request(app.getHttpServer()).post('/journeys').set(manager).send(outside).expect(400);
    expect(refused.body.issues).toEqual([
      { field: 'apps.0.app', message: expect.stringContaining('app myspace is not in the app catalogue of policy version 3') },
      { field: 'apps.1.role', message: 'role superuser is not a role of app asana (its roles: guest, member, admin)' },
    ]);
    const licence = await request(app.getHttpServer()).post('/journeys').set(manager).send({ type: 'saas-licensing', subject: newHireRequest().subject, app: 'constructor', licenceType: 'toString', seats: 1 }).expect(400);
    expect(licence.body.message).toContain('app: app constructor is not in the app catalogue');
    for (const employeeId of [body.subject.employeeId, outside.subject.employeeId]) {
      expect(await sql("SELECT 1 FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [employeeId])).toHaveLength(0);
    }
  });

  it('never runs an admin role without approval: it waits for the approvers of privileged roles', async () => {
    const accepted = await request(app.getHttpServer()).post('/journeys').set(manager).send(newHireRequest({ apps: [{ app: 'github', role: 'admin' }] })).expect(202);
    expect(accepted.body.status).toBe('awaiting-approval');
    const journey = await request(app.getHttpServer()).get(`/journeys/${accepted.body.requestId}`).set(manager).expect(200);
    expect(journey.body.policy).toEqual({ policyVersion: 3, rule: 'privileged-roles', control: 'pre-approval', approverGroup: 'iam-approvers' });
  });

  it('records the API key a journey came with and who created it; that admin may not approve it, another approver may', async () => {
    const creator = `key.admin-${randomUUID().slice(0, 8)}@acme.test`;
    const asCreator = await idp.headers({ sub: creator, roles: ['admin', 'approver'], groups: ['iam-approvers'] });
    const name = `hr-system-${randomUUID().slice(0, 8)}`;
    const created = await request(app.getHttpServer()).post('/api-keys').set(asCreator).send({ name, roles: ['requester'] }).expect(201);
    const { id, key } = created.body as { id: string; key: string };

    const since = new Date();
    const accepted = await request(app.getHttpServer()).post('/journeys').set({ authorization: `ApiKey ${key}` }).send(newHireRequest({ apps: [{ app: 'github', role: 'admin' }] })).expect(202);
    const requestId: string = accepted.body.requestId;
    const tasks = await request(app.getHttpServer()).get(`/journeys/${requestId}/approvals`).set(asCreator).expect(200);
    const taskId: string = tasks.body.tasks[0].taskId;

    const own = await request(app.getHttpServer()).post(`/approvals/${taskId}/approve`).set(asCreator).send({ comment: 'my key, my call' }).expect(403);
    expect(own.body).toMatchObject({ reason: 'OWN_REQUEST', message: `separation of duties: ${creator} created the API key ${name} that requested this and cannot approve or reject it; another approver must decide` });
    const [denial] = await sql<{ reason: string; principal_id: string }>('SELECT reason, principal_id FROM intake.access_denials WHERE path = $1 AND at >= $2', [`/approvals/${taskId}/approve`, since]);
    expect(denial).toEqual({ reason: 'OWN_REQUEST', principal_id: creator });

    const other = await idp.headers({ sub: 'iam.approver@acme.test', roles: ['approver'], groups: ['iam-approvers'] });
    await request(app.getHttpServer()).post(`/approvals/${taskId}/approve`).set(other).send({ comment: 'agreed with the HR system owner' }).expect(200);
    const [published] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect((published?.value as JourneyRequestedV1).payload).toMatchObject({ requestedBy: `api-key:${name}`, requestedVia: { apiKeyId: id, apiKeyName: name, createdBy: creator } });
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
