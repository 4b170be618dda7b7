import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import {
  AccessCompensatedV1,
  AccessFailedV1,
  AccessRevokedV1,
  AccessVerifiedV1,
  AccountVerifiedV1,
  buildEvent,
  CompensationRequestedV1,
  type JourneyRequestedPayload,
  JourneyRequestedV1,
  StepRetryRequestedV1,
} from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, publish, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { SaasConfigSchema } from '../../src/config/saas.config';

/**
 * The SaaS step of an offboarding, in-process on Kafka and PostgreSQL, against the service's own
 * SCIM simulator. The leaver's apps come two ways: one granted by a new hire of this service
 * (found through its records), one put into the simulator through its SCIM API as another tool
 * would (found because SAAS_APPS names the app).
 */
const kafka = testKafka('saas-offboarding-int');
const TOKEN = 'integration-simulator-token';
const SEATS = 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User';
/** An app in use that no journey of this service granted; its name is this run's (the simulator's data outlives a run). */
const NOTION = `notion-${randomUUID().slice(0, 6)}`;
let app: INestApplication;
let idp: TestIdentityProvider;
let admin: { authorization: string };

const newEmployee = () => `E-${randomUUID().slice(0, 8)}`;
const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId });
const identity = () => ({ eventId: randomUUID(), occurredAt: new Date() });
const requested = (payload: JourneyRequestedPayload) => buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, identity());
type Requested = ReturnType<typeof requested>;
const leaver = (employeeId: string) =>
  requested({ type: 'offboarding', requestedBy: 'hr@acme.test', subject: subject(employeeId), lastDay: '2026-12-31', itsmRecordId: 'RITM0030001', definitionVersion: 1, requestedAt: new Date().toISOString() });
const fromAssurance = (of: Requested) => ({ requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' });
const step = { step: 'app-access', owner: 'saas' };

const send = async (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
const first = async (topic: string, requestId: string) => (await consumeUntil(kafka, topic, (m) => m.message.key?.toString() === requestId))[0]?.value as { payload: Record<string, unknown> };

const scim = () => ({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' });
/** What the app's SCIM API reports the user holds; null when it has no such user. */
const heldIn = async (appName: string, accountId: string) => {
  const response = await request(app.getHttpServer()).get(`/simulator/scim/${appName}/v2/Users`).query({ filter: `userName eq "${accountId}"` }).set(scim()).expect(200);
  const user = response.body.Resources?.[0] as Record<string, unknown> | undefined;
  if (!user) return null;
  const groups = ((user['groups'] ?? []) as Array<{ display: string }>).map((g) => g.display).sort();
  return { active: user['active'], roles: user['roles'] ?? [], entitlements: user['entitlements'] ?? [], seats: user[SEATS] ?? null, groups };
};

/** A new hire of this service grants the app: the way most app users come to be. */
const onboard = async (employeeId: string, apps: Array<{ app: string; role: string; licence: string }>) => {
  const hire = requested({ type: 'new-hire', requestedBy: 'manager@acme.test', subject: subject(employeeId), groups: ['staff'], apps, device: { model: 'laptop-14' }, definitionVersion: 1, requestedAt: new Date().toISOString() });
  await send(JourneyRequestedV1.topic, hire);
  const verified = { accountId: `u-${employeeId}`, employeeId, enabled: true as const, groups: ['staff'], verifiedAt: new Date().toISOString() };
  await send(AccountVerifiedV1.topic, buildEvent(AccountVerifiedV1, { requestId: hire.requestId, journeyType: hire.journeyType, producer: 'identity-domain' }, verified, identity()));
  await first(AccessVerifiedV1.topic, hire.requestId);
};

/** A user another tool made in the app, through its SCIM API: a role, a licence, seats, and a group. */
const seedUser = async (appName: string, employeeId: string) => {
  const created = await request(app.getHttpServer())
    .post(`/simulator/scim/${appName}/v2/Users`)
    .set(scim())
    .send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', SEATS],
      userName: `u-${employeeId}`,
      externalId: employeeId,
      active: true,
      roles: [{ value: 'admin', primary: true }],
      entitlements: [{ value: 'enterprise', type: 'licence', primary: true }],
      [SEATS]: { licenceType: 'organization', seats: 3 },
    })
    .expect(201);
  await request(app.getHttpServer())
    .post(`/simulator/scim/${appName}/v2/Groups`)
    .set(scim())
    .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `admins-${employeeId}`, members: [{ value: created.body.id }] })
    .expect(201);
};

const faults = async (settings: Record<string, unknown>) => request(app.getHttpServer()).put('/simulator/faults').set(admin).send(settings).expect(200);

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: 'simulator-admin@acme.test', roles: ['admin'] });
  const env = { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn', SAAS_SCIM_SIMULATOR_TOKEN: TOKEN, SAAS_APPS: NOTION };
  app = await createServiceApp(AppModule.register(parseConfig(SaasConfigSchema, env)));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('offboarding, the app-access step', () => {
  it('takes back every app the leaver has a user in, as the apps read back, and gives it all back on compensation', async () => {
    const employeeId = newEmployee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, [{ app: 'asana', role: 'member', licence: 'standard' }]);
    await seedUser(NOTION, employeeId);
    const asanaBefore = await heldIn('asana', accountId);
    const notionBefore = await heldIn(NOTION, accountId);
    expect(asanaBefore).toMatchObject({ active: true, groups: ['member'] });
    expect(notionBefore).toMatchObject({ active: true, seats: { licenceType: 'organization', seats: 3 }, groups: [`admins-${employeeId}`] });

    const offboarding = leaver(employeeId);
    await send(JourneyRequestedV1.topic, offboarding);
    const revoked = await first(AccessRevokedV1.topic, offboarding.requestId);
    expect(revoked.payload).toMatchObject({
      employeeId,
      apps: [
        { app: 'asana', active: false, roles: [], reclaimedLicences: ['standard'] },
        { app: NOTION, active: false, roles: [], reclaimedLicences: ['enterprise', 'organization (3 seats)'] },
      ],
    });
    // The evidence is what the apps report: the users are there, and hold nothing.
    const nothing = { active: false, roles: [], entitlements: [], seats: null, groups: [] };
    expect(await heldIn('asana', accountId)).toEqual(nothing);
    expect(await heldIn(NOTION, accountId)).toEqual(nothing);

    await send(CompensationRequestedV1.topic, buildEvent(CompensationRequestedV1, fromAssurance(offboarding), { ...step, attempt: 1, reason: 'the employee stays', request: offboarding.payload, evidence: {} }, identity()));
    const compensated = await first(AccessCompensatedV1.topic, offboarding.requestId);
    expect(compensated.payload).toMatchObject({ step: 'app-access', undone: `app access of ${employeeId} restored: asana as before, ${NOTION} as before` });
    expect(await heldIn('asana', accountId)).toEqual(asanaBefore);
    expect(await heldIn(NOTION, accountId)).toEqual(notionBefore);
  });

  it('reports a leaver without any app user verified with an empty list', async () => {
    const employeeId = newEmployee();
    const offboarding = leaver(employeeId);
    await send(JourneyRequestedV1.topic, offboarding);
    const revoked = await first(AccessRevokedV1.topic, offboarding.requestId);
    expect(revoked.payload).toMatchObject({ employeeId, apps: [] });
  });

  it('fails when an app keeps the licences it acknowledged taking back, and a retry takes them', async () => {
    const employeeId = newEmployee();
    await seedUser(NOTION, employeeId);
    const offboarding = leaver(employeeId);
    await faults({ readBackDisagrees: true, onlyFor: [employeeId] });
    try {
      await send(JourneyRequestedV1.topic, offboarding);
      const failed = await first(AccessFailedV1.topic, offboarding.requestId);
      expect(failed.payload).toMatchObject({
        step: 'app-access',
        attempt: 1,
        code: 'VERIFICATION_MISMATCH',
        reason: `read-back disagrees: ${NOTION}: entitlements licence enterprise left; ${NOTION}: seats 3 organization left`,
      });
    } finally {
      await faults({});
    }
    await send(StepRetryRequestedV1.topic, buildEvent(StepRetryRequestedV1, fromAssurance(offboarding), { ...step, attempt: 2, reason: 'STEP_FAILED', request: offboarding.payload, evidence: {} }, identity()));
    const revoked = await first(AccessRevokedV1.topic, offboarding.requestId);
    expect(revoked.payload).toMatchObject({ apps: [{ app: NOTION, active: false, roles: [], reclaimedLicences: ['enterprise', 'organization (3 seats)'] }] });
    expect(await heldIn(NOTION, `u-${employeeId}`)).toMatchObject({ entitlements: [], seats: null });
  });
});
