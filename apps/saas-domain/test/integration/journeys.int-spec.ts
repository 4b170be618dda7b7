import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import {
  AccessCompensatedV1,
  AccessFailedV1,
  AccessVerifiedV1,
  AccountVerifiedV1,
  AppAccessChangedV1,
  buildEvent,
  CompensationRequestedV1,
  DirectoryAccessChangedV1,
  type JourneyRequestedPayload,
  JourneyRequestedV1,
  LicenceActivatedV1,
  StepRetryRequestedV1,
} from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, publish, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { SaasConfigSchema } from '../../src/config/saas.config';

/**
 * The SaaS steps of access change and SaaS licensing, in-process on Kafka and PostgreSQL, against
 * the service's own SCIM simulator; the identity events they wait for are published by the test.
 */
const kafka = testKafka('saas-journeys-int');
const TOKEN = 'integration-simulator-token';
let app: INestApplication;
/** The simulator's fault switch is an admin's: a token of the test identity provider. */
let idp: TestIdentityProvider;
let admin: { authorization: string };

const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId });
const newEmployee = () => `E-${randomUUID().slice(0, 8)}`;
const meta = () => ({ definitionVersion: 1, requestedAt: new Date().toISOString() });
const identity = () => ({ eventId: randomUUID(), occurredAt: new Date() });

const requested = (payload: JourneyRequestedPayload) => buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, identity());
type Requested = ReturnType<typeof requested>;
const fromIdentity = (of: Requested) => ({ requestId: of.requestId, journeyType: of.journeyType, producer: 'identity-domain', causationId: of.eventId });
const accountVerified = (of: Requested, employeeId: string) =>
  buildEvent(AccountVerifiedV1, fromIdentity(of), { accountId: `u-${employeeId}`, employeeId, enabled: true, groups: ['staff'], verifiedAt: new Date().toISOString() }, identity());
const fromAssurance = (of: Requested) => ({ requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' });
const compensationOf = (of: Requested, step: string) =>
  buildEvent(CompensationRequestedV1, fromAssurance(of), { step, owner: 'saas', attempt: 1, reason: 'failed by ops-ada', request: of.payload, evidence: {} }, identity());

const send = async (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
const first = async (topic: string, requestId: string) => (await consumeUntil(kafka, topic, (m) => m.message.key?.toString() === requestId))[0]?.value as { payload: Record<string, unknown> };

interface ScimUser {
  readonly active?: boolean;
  readonly roles?: ReadonlyArray<{ value: string }>;
  readonly entitlements?: ReadonlyArray<{ value: string; type?: string }>;
  readonly [extension: string]: unknown;
}
const SEATS = 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User';
/** The app's user as its SCIM API reports it; null when it has none. */
const scimUser = async (appName: string, accountId: string): Promise<ScimUser | null> => {
  const response = await request(app.getHttpServer())
    .get(`/simulator/scim/${appName}/v2/Users`)
    .query({ filter: `userName eq "${accountId}"` })
    .set('authorization', `Bearer ${TOKEN}`)
    .expect(200);
  return (response.body.Resources?.[0] as ScimUser | undefined) ?? null;
};
const licenceOf = (user: ScimUser | null) => user?.entitlements?.find((e) => e.type === 'licence')?.value ?? null;

/** The subject's app accounts, created the way they are in production: by an onboarding journey. */
const onboard = async (employeeId: string, apps: Array<{ app: string; role: string; licence: string }>) => {
  const event = requested({ type: 'new-hire', requestedBy: 'manager@acme.test', subject: subject(employeeId), groups: ['staff'], apps, device: { model: 'laptop-14' }, ...meta() });
  await send(JourneyRequestedV1.topic, event);
  await send(AccountVerifiedV1.topic, accountVerified(event, employeeId));
  await first(AccessVerifiedV1.topic, event.requestId);
  return event;
};

/** An access change of the subject's apps, both halves sent, until it is verified. */
const changeApps = async (employeeId: string, removeApps: string[], grantApps: Array<{ app: string; role: string; licence: string }>) => {
  const change = requested({ type: 'access-change', requestedBy: 'manager@acme.test', subject: subject(employeeId), remove: { groups: [], apps: removeApps }, grant: { groups: [], apps: grantApps }, ...meta() });
  const accountId = `u-${employeeId}`;
  await send(JourneyRequestedV1.topic, change);
  await send(DirectoryAccessChangedV1.topic, buildEvent(DirectoryAccessChangedV1, fromIdentity(change), { accountId, employeeId, removedGroups: [], grantedGroups: [], groups: ['staff'], verifiedAt: new Date().toISOString() }, identity()));
  await first(AppAccessChangedV1.topic, change.requestId);
  return change;
};

const faults = async (settings: Record<string, unknown>) => request(app.getHttpServer()).put('/simulator/faults').set(admin).send(settings).expect(200);

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: 'simulator-admin@acme.test', roles: ['admin'] });
  app = await createServiceApp(AppModule.register(parseConfig(SaasConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn', SAAS_SCIM_SIMULATOR_TOKEN: TOKEN })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('access change, the app step', () => {
  it('revokes the removed apps and grants the new ones once both halves arrived (identity first here), reads back, and restores the apps on compensation', async () => {
    const employeeId = newEmployee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, [
      { app: 'salesforce', role: 'user', licence: 'standard' },
      { app: 'figma', role: 'viewer', licence: 'starter' },
    ]);
    const change = requested({
      type: 'access-change',
      requestedBy: 'manager@acme.test',
      subject: subject(employeeId),
      remove: { groups: [], apps: ['salesforce'] },
      grant: { groups: [], apps: [{ app: 'figma', role: 'editor', licence: 'professional' }, { app: 'miro', role: 'member', licence: 'standard' }] },
      ...meta(),
    });
    const directoryChanged = buildEvent(
      DirectoryAccessChangedV1,
      fromIdentity(change),
      { accountId, employeeId, removedGroups: [], grantedGroups: [], groups: ['staff'], verifiedAt: new Date().toISOString() },
      identity(),
    );
    await send(DirectoryAccessChangedV1.topic, directoryChanged);
    await send(JourneyRequestedV1.topic, change);

    const changed = await first(AppAccessChangedV1.topic, change.requestId);
    expect(changed.payload).toMatchObject({
      accountId,
      removedApps: ['salesforce'],
      grants: [
        { app: 'figma', role: 'editor', licence: 'professional', active: true },
        { app: 'miro', role: 'member', licence: 'standard', active: true },
      ],
    });
    expect(await scimUser('salesforce', accountId)).toBeNull();
    expect(licenceOf(await scimUser('figma', accountId))).toBe('professional');

    await send(CompensationRequestedV1.topic, compensationOf(change, 'app-access'));
    const compensated = await first(AccessCompensatedV1.topic, change.requestId);
    expect(compensated.payload).toMatchObject({ step: 'app-access', undone: `app access of ${accountId} restored: salesforce back as user, figma back as viewer, miro revoked` });
    const salesforce = await scimUser('salesforce', accountId);
    expect(salesforce).toMatchObject({ active: true, roles: [expect.objectContaining({ value: 'user' })] });
    expect(licenceOf(salesforce)).toBe('standard');
    const figma = await scimUser('figma', accountId);
    expect(figma).toMatchObject({ roles: [expect.objectContaining({ value: 'viewer' })] });
    expect(licenceOf(figma)).toBe('starter');
    expect(await scimUser('miro', accountId)).toBeNull();
  });
});

describe('compensation undoes only what its journey did', () => {
  it('a new hire takes back the apps it granted, and sets back an app user it found already there instead of deleting it', async () => {
    const employeeId = newEmployee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, [{ app: 'slack', role: 'admin', licence: 'enterprise' }]);
    // A second new hire for the same account (intake and identity refuse one; this step must not count on it).
    const second = await onboard(employeeId, [
      { app: 'slack', role: 'member', licence: 'pro' },
      { app: 'asana', role: 'member', licence: 'standard' },
    ]);
    expect(await scimUser('slack', accountId)).toMatchObject({ roles: [expect.objectContaining({ value: 'member' })] });

    await send(CompensationRequestedV1.topic, compensationOf(second, 'saas'));
    const compensated = await first(AccessCompensatedV1.topic, second.requestId);
    expect(compensated.payload).toMatchObject({ step: 'saas', undone: `app access of ${accountId} restored: slack back as admin, asana revoked` });
    const slack = await scimUser('slack', accountId);
    expect(slack).toMatchObject({ active: true, roles: [expect.objectContaining({ value: 'admin' })] });
    expect(licenceOf(slack)).toBe('enterprise');
    expect(await scimUser('asana', accountId)).toBeNull();
  });

  it('answers a retry of a step it already verified with the same report (same event id), granting nothing again', async () => {
    const employeeId = newEmployee();
    const event = await onboard(employeeId, [{ app: 'asana', role: 'member', licence: 'standard' }]);
    const verified = (await consumeUntil(kafka, AccessVerifiedV1.topic, (m) => m.message.key?.toString() === event.requestId))[0]?.value as { eventId: string };
    const before = await scimUser('asana', `u-${employeeId}`);
    // The deadline passed while the report was on its way: assurance asks again.
    const retry = buildEvent(
      StepRetryRequestedV1,
      fromAssurance(event),
      { step: 'saas', owner: 'saas', attempt: 2, reason: 'DEADLINE_MISSED', request: event.payload, evidence: { [AccountVerifiedV1.topic]: { accountId: `u-${employeeId}` } } },
      identity(),
    );
    await send(StepRetryRequestedV1.topic, retry);
    const reports = await consumeUntil(kafka, AccessVerifiedV1.topic, (m) => m.message.key?.toString() === event.requestId, { count: 2 });
    expect(reports.map((r) => (r.value as { eventId: string }).eventId)).toEqual([verified.eventId, verified.eventId]);
    expect(await scimUser('asana', `u-${employeeId}`)).toEqual(before);
  });

  it('a new hire that never had an account changed no app: nothing to undo', async () => {
    const employeeId = newEmployee();
    const hire = requested({ type: 'new-hire', requestedBy: 'manager@acme.test', subject: subject(employeeId), groups: ['staff'], apps: [{ app: 'asana', role: 'member', licence: 'standard' }], device: { model: 'laptop-14' }, ...meta() });
    await send(JourneyRequestedV1.topic, hire);
    await send(CompensationRequestedV1.topic, compensationOf(hire, 'saas'));
    const compensated = await first(AccessCompensatedV1.topic, hire.requestId);
    expect(compensated.payload).toMatchObject({ undone: 'nothing to undo: this journey changed no app access' });
  });

  it('an access change never re-grants an app another journey revoked since, nor revokes one another journey granted since', async () => {
    const employeeId = newEmployee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, [
      { app: 'github', role: 'admin', licence: 'enterprise' },
      { app: 'salesforce', role: 'user', licence: 'standard' },
    ]);
    const move = await changeApps(employeeId, ['github', 'salesforce'], [{ app: 'figma', role: 'editor', licence: 'professional' }]);
    // Security revokes GitHub for good; another change grants Figma with the same role.
    const revoke = await changeApps(employeeId, ['github'], []);
    const design = await changeApps(employeeId, [], [{ app: 'figma', role: 'editor', licence: 'professional' }]);

    await send(CompensationRequestedV1.topic, compensationOf(move, 'app-access'));
    const compensated = await first(AccessCompensatedV1.topic, move.requestId);
    expect(compensated.payload['undone']).toBe(
      `app access of ${accountId} restored: salesforce back as user; left alone, changed by another journey since: github (${revoke.requestId}), figma (${design.requestId})`,
    );
    expect(await scimUser('github', accountId)).toBeNull();
    expect(await scimUser('salesforce', accountId)).toMatchObject({ active: true, roles: [expect.objectContaining({ value: 'user' })] });
    expect(licenceOf(await scimUser('figma', accountId))).toBe('professional');
  });
});

describe('SaaS licensing, the licence step', () => {
  const licensing = (employeeId: string, seats: number) =>
    requested({ type: 'saas-licensing', requestedBy: 'manager@acme.test', subject: subject(employeeId), app: 'figma', licenceType: 'organization', seats, ...meta() });

  it('assigns the seats after the account check, confirms them from the read-back, and removes them on compensation', async () => {
    const employeeId = newEmployee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, [{ app: 'figma', role: 'editor', licence: 'professional' }]);
    const event = licensing(employeeId, 4);
    await send(JourneyRequestedV1.topic, event);
    await send(AccountVerifiedV1.topic, accountVerified(event, employeeId));

    const activated = await first(LicenceActivatedV1.topic, event.requestId);
    expect(activated.payload).toMatchObject({ app: 'figma', accountId, licenceType: 'organization', seats: 4, active: true });
    expect((await scimUser('figma', accountId))?.[SEATS]).toMatchObject({ licenceType: 'organization', seats: 4 });
    // A new-hire step must not have taken the licensing journey's account for its own.
    expect(await sql('SELECT 1 FROM saas.access_requests WHERE request_id = $1', [event.requestId])).toEqual([]);

    await send(CompensationRequestedV1.topic, compensationOf(event, 'licence'));
    const compensated = await first(AccessCompensatedV1.topic, event.requestId);
    expect(compensated.payload).toMatchObject({ step: 'licence', undone: `4 organization seat(s) removed from ${accountId} in figma` });
    const figma = await scimUser('figma', accountId);
    expect(figma?.[SEATS]).toBeUndefined();
    expect(figma).toMatchObject({ active: true }); // the app access it had before stays
  });

  it('reports seats the tool acknowledged but did not store, and a retry assigns them', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, [{ app: 'figma', role: 'editor', licence: 'professional' }]);
    const event = licensing(employeeId, 2);
    await faults({ readBackDisagrees: true, onlyFor: [employeeId] });
    try {
      await send(JourneyRequestedV1.topic, event);
      await send(AccountVerifiedV1.topic, accountVerified(event, employeeId));
      const failed = await first(AccessFailedV1.topic, event.requestId);
      expect(failed.payload).toMatchObject({ step: 'licence', attempt: 1, code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: figma shows no seats for the account' });
    } finally {
      await faults({});
    }
    const retry = buildEvent(
      StepRetryRequestedV1,
      fromAssurance(event),
      { step: 'licence', owner: 'saas', attempt: 2, reason: 'STEP_FAILED', request: event.payload, evidence: { [AccountVerifiedV1.topic]: { accountId: `u-${employeeId}` } } },
      identity(),
    );
    await send(StepRetryRequestedV1.topic, retry);
    const activated = await first(LicenceActivatedV1.topic, event.requestId);
    expect(activated.payload).toMatchObject({ licenceType: 'organization', seats: 2 });
  });

  it('fails when the app does not know the user, saying so', async () => {
    const employeeId = newEmployee();
    const event = licensing(employeeId, 1);
    await send(JourneyRequestedV1.topic, event);
    await send(AccountVerifiedV1.topic, accountVerified(event, employeeId));
    const failed = await first(AccessFailedV1.topic, event.requestId);
    expect(failed.payload).toMatchObject({ step: 'licence', code: 'PROVISIONING_FAILED' });
    expect(failed.payload['reason']).toContain(`figma has no user u-${employeeId}`);
  });
});

it('leaves a device replacement alone: saas has no step in it', async () => {
  const event = requested({
    type: 'device-replacement',
    requestedBy: 'manager@acme.test',
    subject: subject(newEmployee()),
    itsmRecordId: 'RITM0000002',
    retiredAssetTag: 'AT-2',
    reason: 'lost',
    device: { model: 'laptop-14' },
    ...meta(),
  });
  await send(JourneyRequestedV1.topic, event);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitForGroupToCatchUp(admin, 'closeloop.saas-domain', [JourneyRequestedV1.topic]);
  } finally {
    await admin.disconnect();
  }
  expect(await sql('SELECT 1 FROM saas.inbox_messages WHERE event_id = $1', [event.eventId])).toEqual([]);
});
