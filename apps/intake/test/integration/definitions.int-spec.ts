import { parseConfig } from '@closeloop/config';
import { definitionDocument, JourneyRequestedV1, SAAS_LICENSING_V1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { IntakeConfigSchema } from '../../src/config/intake.config';

const kafka = testKafka('intake-definitions-int');
let app: INestApplication;
let idp: TestIdentityProvider;
let admin: { authorization: string };
let operator: { authorization: string };
let requester: { authorization: string };

/** A version no earlier run registered (the database outlives a run). */
const VERSION = 2 + Math.floor(Math.random() * 900_000);
const v2 = { ...definitionDocument(SAAS_LICENSING_V1), version: VERSION, description: 'licences with a longer deadline for the seat step' };
v2.steps = v2.steps.map((s) => (s.name === 'licence' ? { ...s, deadlineMs: 30_000 } : s));

const licence = (extra: Record<string, unknown> = {}) => ({
  type: 'saas-licensing',
  requestedBy: 'ignored',
  subject: { employeeId: `E-${Math.random().toString(36).slice(2, 10)}`, email: 'ada@acme.test', displayName: 'Ada' },
  app: 'figma',
  licenceType: 'editor',
  seats: 1,
  ...extra,
});

const http = () => request(app.getHttpServer());

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: 'platform-admin@acme.test', roles: ['admin'] });
  operator = await idp.headers({ sub: 'operator@acme.test', roles: ['operator'] });
  requester = await idp.headers({ sub: 'manager@acme.test', roles: ['requester'] });
  app = await createServiceApp(AppModule.register(parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  // The shipped version stays what other suites start licences on.
  await sql("UPDATE intake.journey_definitions SET active = (version = 1) WHERE journey_type = 'saas-licensing'");
  await app?.close();
  await idp?.stop();
});

const startedOn = async (requestId: string) => {
  const [event] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
  const payload = (event?.value as JourneyRequestedV1).payload;
  return { version: payload.definitionVersion, definition: payload.definition };
};

describe('the journey definition registry', () => {
  it('lists the shipped definitions, active, to operators, auditors and admins only', async () => {
    const { body } = await http().get('/definitions').set(operator).expect(200);
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'new-hire', version: 1, active: true, source: 'shipped' })]));
    await http().get('/definitions').set(requester).expect(403);
    const one = await http().get('/definitions/new-hire/1').set(admin).expect(200);
    expect(one.body.document.steps.map((s: { name: string }) => s.name)).toEqual(['identity', 'saas', 'device']);
  });

  it('registers a version once: the same document again is a no-op, another document under it is refused', async () => {
    const created = await http().post('/definitions').set(admin).send(v2).expect(201);
    expect(created.body).toMatchObject({ type: 'saas-licensing', version: VERSION, active: false, registeredBy: 'platform-admin@acme.test', source: 'api' });
    await http().post('/definitions').set(admin).send(v2).expect(200);
    const changed = await http()
      .post('/definitions')
      .set(admin)
      .send({ ...v2, steps: v2.steps.map((s) => ({ ...s, deadlineMs: 60_000 })) })
      .expect(409);
    expect(changed.body.message).toBe(`saas-licensing v${VERSION} is already registered with another document; versions never change: register the change as a new version`);
    await http().post('/definitions').set(operator).send(v2).expect(403);
  });

  it('refuses an invalid document with every problem named', async () => {
    const broken = { ...v2, version: VERSION + 1, steps: v2.steps.map((s) => (s.name === 'licence' ? { ...s, completedBy: 'saas.licence.granted.v1', after: ['nobody'] } : s)) };
    const { body } = await http().post('/definitions').set(admin).send(broken).expect(400);
    expect(body.problems).toEqual([
      'steps.1.after: no step is named nobody',
      'steps.1.completedBy: no event contract has the topic saas.licence.granted.v1',
      'doneWhen.1: saas.licence.activated.v1 completes no step of the definition',
    ]);
    expect((await http().post('/definitions').set(admin).send({ type: 'saas-licensing' }).expect(400)).body.problems.length).toBeGreaterThan(0);
    expect(await sql('SELECT 1 FROM intake.journey_definitions WHERE journey_type = $1 AND version = $2', ['saas-licensing', VERSION + 1])).toHaveLength(0);
  });

  it('starts new journeys on the newest active version, carrying its definition; a named version must be active', async () => {
    const early = await http().post('/journeys').set(requester).send(licence({ definitionVersion: VERSION })).expect(409);
    expect(early.body.message).toBe(`definitionVersion: saas-licensing v${VERSION} is not an active definition (active: v1)`);

    const activated = await http().post(`/definitions/saas-licensing/${VERSION}/activate`).set(admin).expect(200);
    expect(activated.body).toMatchObject({ active: true, changedBy: 'platform-admin@acme.test' });

    const onNewest = await http().post('/journeys').set(requester).send(licence()).expect(202);
    expect(await startedOn(onNewest.body.requestId)).toEqual({ version: VERSION, definition: v2 });
    const onV1 = await http().post('/journeys').set(requester).send(licence({ definitionVersion: 1 })).expect(202);
    expect(await startedOn(onV1.body.requestId)).toEqual({ version: 1, definition: definitionDocument(SAAS_LICENSING_V1) });
  });

  it('stops new journeys on a retired version, and on a type with none active, with a clear 409', async () => {
    await http().post('/definitions/saas-licensing/1/retire').set(admin).expect(200);
    const retired = await http().post('/journeys').set(requester).send(licence({ definitionVersion: 1 })).expect(409);
    expect(retired.body.message).toBe(`definitionVersion: saas-licensing v1 is not an active definition (active: v${VERSION})`);
    await http().post(`/definitions/saas-licensing/${VERSION}/retire`).set(admin).expect(200);
    const none = await http().post('/journeys').set(requester).send(licence()).expect(409);
    expect(none.body.message).toBe('no saas-licensing journey definition is active: an admin activates one (POST /definitions/saas-licensing/<version>/activate)');
    await http().post('/definitions/saas-licensing/1/activate').set(admin).expect(200);
    await http().post('/journeys').set(requester).send(licence()).expect(202);
  });

  it('answers 404 for a version never registered and 400 for a path that names none', async () => {
    expect((await http().post('/definitions/saas-licensing/999999/activate').set(admin).expect(404)).body.message).toBe(
      'saas-licensing v999999 was never registered: register it first (POST /definitions)',
    );
    expect((await http().get('/definitions/moon-landing/1').set(admin).expect(400)).body.issues[0].field).toBe('type');
    expect((await http().get('/definitions/new-hire/0').set(admin).expect(400)).body.issues[0]).toEqual({ field: 'version', message: 'a version is a positive whole number' });
  });
});
