import { randomUUID } from 'node:crypto';

import { AccessCompensatedV1, CompensationRequestedV1, OutcomeConfirmedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import {
  dropDatabase,
  e2eDatabaseUrl,
  eventually,
  http,
  newHireRequest,
  readTopic,
  type RunningService,
  servicePorts,
  SERVICES,
  sql,
  startService,
  startTestIdentityProvider,
  stopService,
  testEnv,
  type TestIdentityProvider,
  testKafka,
} from '@closeloop/testing';
import type { Kafka } from 'kafkajs';

/**
 * The access change, device replacement and SaaS licensing journeys, end to end: each one's
 * happy path to a confirmed outcome, and an exception path through retries, escalation, the
 * work queue and compensation, read back in the simulators. The subject of each journey is
 * onboarded first by a new-hire journey, as in life: a change needs an existing account and
 * device. The request values fall under the shipped policy's automatic rules (no privileged
 * group, standard device, cheap licence), so no person approves beforehand.
 */
const DATABASE_URL = e2eDatabaseUrl('closeloop_journeys');
const PORTS = servicePorts(3500);
const INTAKE = `http://127.0.0.1:${PORTS('intake')}`;
const ASSURANCE = `http://127.0.0.1:${PORTS('assurance')}`;
const SAAS = `http://127.0.0.1:${PORTS('saas-domain')}`;
const DEVICE = `http://127.0.0.1:${PORTS('device-domain')}`;
/** The SaaS simulator's SCIM bearer token (the service's default). */
const SCIM_TOKEN = 'closeloop-local-scim-simulator-token';

let services: RunningService[] = [];
let kafka: Kafka;
let idp: TestIdentityProvider;
/** Operators, auditors and admins of assurance and the simulators' fault switches: a token of the test identity provider. */
let staff: { authorization: string };
/** An operator of the work queue, by name: the operator is the caller's token, never a body field. */
const ops = (sub: string) => idp.headers({ sub, roles: ['operator'] });
let manager: { authorization: string };

interface Signal {
  readonly signal: string;
  readonly evidence: Record<string, unknown>;
}
interface ScimUser {
  readonly active?: boolean;
  readonly roles?: ReadonlyArray<{ value: string }>;
  readonly entitlements?: ReadonlyArray<{ value: string; type?: string }>;
  readonly [extension: string]: unknown;
}

const db = <T = Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(text, values, DATABASE_URL);
const employee = () => `E-${randomUUID().slice(0, 8)}`;
const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: `Employee ${employeeId}` });

const submit = async (body: unknown): Promise<string> => {
  const response = await http('POST', `${INTAKE}/journeys`, body, manager);
  expect(response).toMatchObject({ status: 202, body: { status: 'requested' } });
  return response.body.requestId as string;
};

const intakeStatus = (requestId: string, status: string, timeoutMs = 40000) =>
  eventually(async () => {
    const response = await http('GET', `${INTAKE}/journeys/${requestId}`, undefined, manager);
    expect(response.body.status).toBe(status);
    return response.body;
  }, timeoutMs);

/** The confirmed-outcome record's signals, by topic, once assurance has confirmed the journey and intake shows it. */
const confirmed = async (requestId: string): Promise<Record<string, Signal>> => {
  const outcome = await eventually(async () => {
    const response = await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff);
    if (response.status !== 200) throw new Error(`outcome of ${requestId}: ${response.status}`);
    return response.body as { signals: Signal[] };
  }, 40000);
  await intakeStatus(requestId, 'confirmed');
  const published = await readTopic(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId);
  expect(published).not.toHaveLength(0);
  return Object.fromEntries(outcome.signals.map((s) => [s.signal, s]));
};

/** The escalation as intake shows it. */
const escalated = (requestId: string) => intakeStatus(requestId, 'escalated', 60000).then((j) => j.failure as { step: string; attempts: number; reason: string; escalateTo: string; history: Array<{ what: string }> });

/** An operator fails the escalated journey from assurance's work queue; assurance then compensates it. */
const operatorFails = async (requestId: string, comment: string) => {
  expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, await ops('ops-journeys'))).status).toBe(200);
  expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fail', comment }, await ops('ops-journeys'))).status).toBe(200);
  await intakeStatus(requestId, 'compensated', 60000);
  const asked = await readTopic(kafka, CompensationRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
  return asked.map((m) => (m.value as CompensationRequestedV1).payload.step);
};

const faults = async (service: string, settings: Record<string, unknown>) => expect((await http('PUT', `${service}/simulator/faults`, settings, staff)).status).toBe(200);

/** Onboards the subject with a new-hire journey; returns the asset tag of the device it got. */
const onboard = async (employeeId: string, apps: Array<{ app: string; role: string; licence?: string }>, groups = ['staff', 'sales']): Promise<string> => {
  const requestId = await submit(newHireRequest({ subject: subject(employeeId), groups, apps }));
  const signals = await confirmed(requestId);
  return signals['device.compliance.verified.v1']?.evidence['assetTag'] as string;
};

/** A user of a SaaS app as the app's SCIM API reports it; null when the app has no such user. */
const scimUser = async (app: string, accountId: string): Promise<ScimUser | null> => {
  const filter = encodeURIComponent(`userName eq "${accountId}"`);
  const response = await http('GET', `${SAAS}/simulator/scim/${app}/v2/Users?filter=${filter}`, undefined, { authorization: `Bearer ${SCIM_TOKEN}` });
  expect(response.status).toBe(200);
  return (response.body.Resources?.[0] as ScimUser | undefined) ?? null;
};
const licenceOf = (user: ScimUser | null) => user?.entitlements?.find((e) => e.type === 'licence')?.value ?? null;

const directoryGroups = async (employeeId: string) =>
  (
    await db<{ group_name: string }>(
      'SELECT m.group_name FROM identity.sim_directory_group_members m JOIN identity.sim_directory_users u USING (account_id) WHERE u.employee_id = $1 ORDER BY 1',
      [employeeId],
    )
  ).map((r) => r.group_name);

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  kafka = testKafka('e2e-journeys');
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  manager = await idp.headers({ sub: 'line.manager@acme.test', roles: ['requester'], expiresIn: '2h' });
  const env = { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, OUTBOX_POLL_MS: '500', ...idp.env };
  // Sequentially on first start: each service creates the database, its schema and topics.
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env, 'journeys'));
}, 180000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await idp?.stop();
});

/** Moves from sales to engineering: the sales group and Salesforce go, the engineering group and Figma come. */
const moveToEngineering = (employeeId: string) => ({
  type: 'access-change',
  requestedBy: 'line.manager@acme.test',
  subject: subject(employeeId),
  remove: { groups: ['sales'], apps: ['salesforce'] },
  grant: { groups: ['engineering'], apps: [{ app: 'figma', role: 'editor', licence: 'professional' }] },
});
const SALES_APPS = [
  { app: 'asana', role: 'member' },
  { app: 'salesforce', role: 'user', licence: 'standard' },
];

describe('access change', () => {
  it('removes the old access and grants the new one, confirmed only by both read-backs', async () => {
    const employeeId = employee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, SALES_APPS);
    const requestId = await submit(moveToEngineering(employeeId));

    const signals = await confirmed(requestId);
    expect(Object.keys(signals).sort()).toEqual(['identity.access.changed.v1', 'saas.access.changed.v1']);
    expect(signals['identity.access.changed.v1']?.evidence).toMatchObject({ accountId, removedGroups: ['sales'], grantedGroups: ['engineering'], groups: ['engineering', 'staff'] });
    expect(signals['saas.access.changed.v1']?.evidence).toMatchObject({ accountId, removedApps: ['salesforce'], grants: [{ app: 'figma', role: 'editor', licence: 'professional', active: true }] });

    // The target systems hold what the signals claim.
    expect(await directoryGroups(employeeId)).toEqual(['engineering', 'staff']);
    expect(await scimUser('salesforce', accountId)).toBeNull();
    const figma = await scimUser('figma', accountId);
    expect(figma).toMatchObject({ active: true, roles: [expect.objectContaining({ value: 'editor' })] });
    expect(licenceOf(figma)).toBe('professional');
    expect(await scimUser('asana', accountId)).toMatchObject({ active: true });
  });

  it('retries a SaaS tool that refuses, escalates it, and when an operator fails the journey restores the old access everywhere', async () => {
    const employeeId = employee();
    const accountId = `u-${employeeId}`;
    await onboard(employeeId, SALES_APPS);
    await faults(SAAS, { failProvisioning: true, onlyFor: [employeeId] });
    try {
      const requestId = await submit(moveToEngineering(employeeId));
      const escalation = await escalated(requestId);
      expect(escalation).toMatchObject({ step: 'app-access', attempts: 3, escalateTo: 'saas-administration' });
      expect(escalation.reason).toContain('PROVISIONING_FAILED: figma refused');
      expect(escalation.reason).toContain('simulated provisioning fault');
      const whats = escalation.history.map((h) => h.what);
      expect(whats.filter((w) => w.startsWith('app-access'))).toEqual(['app-access attempt 1 failed', 'app-access attempt 2 failed', 'app-access attempt 3 failed']);
      const retries = await readTopic(kafka, StepRetryRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
      expect(retries.map((r) => (r.value as StepRetryRequestedV1).payload)).toEqual([
        expect.objectContaining({ step: 'app-access', owner: 'saas', attempt: 2 }),
        expect.objectContaining({ step: 'app-access', owner: 'saas', attempt: 3 }),
      ]);
      // Meanwhile the directory change went through, and Salesforce was already revoked.
      expect(await directoryGroups(employeeId)).toEqual(['engineering', 'staff']);
      expect(await scimUser('salesforce', accountId)).toBeNull();

      // The SaaS tool is repaired, but the move is called off: the operator fails the journey.
      await faults(SAAS, {});
      expect(await operatorFails(requestId, 'the move to engineering was called off')).toEqual(['app-access', 'directory-access']);
      expect(await directoryGroups(employeeId)).toEqual(['sales', 'staff']);
      const salesforce = await scimUser('salesforce', accountId);
      expect(salesforce).toMatchObject({ active: true, roles: [expect.objectContaining({ value: 'user' })] });
      expect(licenceOf(salesforce)).toBe('standard');
      expect(await scimUser('figma', accountId)).toBeNull();
      // Restored, not disabled as a new hire's account would be.
      const [account] = await db<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
      expect(account?.enabled).toBe(true);
      expect((await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff)).status).toBe(404);
    } finally {
      await faults(SAAS, {});
    }
  });
});

const replacement = (employeeId: string, retiredAssetTag: string, itsmRecordId: string) => ({
  type: 'device-replacement',
  requestedBy: 'line.manager@acme.test',
  subject: subject(employeeId),
  itsmRecordId,
  retiredAssetTag,
  reason: 'broken',
  device: { model: 'laptop-14' },
});
const ritm = () => `RITM${randomUUID().replace(/\D/g, '').slice(0, 7).padEnd(7, '0')}`;

describe('device replacement', () => {
  it('assigns a compliant replacement, retires the old asset, and reconciles the ITSM record with asset management', async () => {
    const employeeId = employee();
    const oldTag = await onboard(employeeId, [{ app: 'asana', role: 'member' }]);
    const itsmRecordId = ritm();
    const requestId = await submit(replacement(employeeId, oldTag, itsmRecordId));

    const signals = await confirmed(requestId);
    expect(Object.keys(signals).sort()).toEqual(['device.asset.retired.v1', 'device.compliance.verified.v1', 'device.records.reconciled.v1']);
    const newTag = signals['device.compliance.verified.v1']?.evidence['assetTag'] as string;
    expect(newTag).not.toBe(oldTag);
    expect(signals['device.compliance.verified.v1']?.evidence).toMatchObject({ model: 'laptop-14', enrolled: true, compliant: true });
    expect(signals['device.asset.retired.v1']?.evidence).toMatchObject({ assetTag: oldTag, state: 'retired', reason: 'broken' });
    expect(signals['device.records.reconciled.v1']?.evidence).toMatchObject({ itsmRecordId, assignedAssetTag: newTag, retiredAssetTag: oldTag, agree: true });

    const [itsm] = await db('SELECT state, assigned_asset_tag, retired_asset_tag FROM device.sim_itsm_records WHERE record_id = $1', [itsmRecordId]);
    expect(itsm).toEqual({ state: 'fulfilled', assigned_asset_tag: newTag, retired_asset_tag: oldTag });
    const assets = await db('SELECT asset_tag, status, assigned_to, retired_reason FROM device.sim_devices WHERE asset_tag = ANY($1) ORDER BY asset_tag = $2 DESC', [[oldTag, newTag], oldTag]);
    expect(assets).toEqual([
      { asset_tag: oldTag, status: 'retired', assigned_to: employeeId, retired_reason: 'broken' },
      { asset_tag: newTag, status: 'assigned', assigned_to: employeeId, retired_reason: null },
    ]);
  });

  it('escalates an ITSM record whose read-back disagrees with asset management, and compensation puts the old device back in service', async () => {
    const employeeId = employee();
    const oldTag = await onboard(employeeId, [{ app: 'asana', role: 'member' }]);
    const itsmRecordId = ritm();
    // Only the ITSM system misbehaves: it answers the update with success and keeps the record as it was.
    await faults(DEVICE, { readBackDisagrees: true, onlyFor: [itsmRecordId] });
    try {
      const requestId = await submit(replacement(employeeId, oldTag, itsmRecordId));
      const escalation = await escalated(requestId);
      expect(escalation).toMatchObject({ step: 'reconciliation', attempts: 3, escalateTo: 'service-desk' });
      expect(escalation.reason).toContain(`VERIFICATION_MISMATCH: read-back disagrees: ${itsmRecordId} names no asset as assigned`);
      const whats = escalation.history.map((h) => h.what);
      expect(whats.filter((w) => w.startsWith('reconciliation'))).toEqual(['reconciliation attempt 1 failed', 'reconciliation attempt 2 failed', 'reconciliation attempt 3 failed']);
      expect(whats.filter((w) => w === 'verified')).toHaveLength(2); // the replacement and the retirement
      const assurance = await http('GET', `${ASSURANCE}/journeys/${requestId}`, undefined, staff);
      expect(assurance.body.steps).toMatchObject({ replacement: { status: 'verified' }, retirement: { status: 'verified' }, reconciliation: { status: 'escalated' } });

      expect(await operatorFails(requestId, 'the ITSM record cannot be reconciled; the order is withdrawn')).toEqual(['reconciliation', 'retirement', 'replacement']);
      const [old] = await db('SELECT status, assigned_to, retired_reason FROM device.sim_devices WHERE asset_tag = $1', [oldTag]);
      expect(old).toEqual({ status: 'assigned', assigned_to: employeeId, retired_reason: null });
      expect(await db("SELECT asset_tag FROM device.sim_devices WHERE assigned_to = $1 AND status = 'assigned'", [employeeId])).toEqual([{ asset_tag: oldTag }]);
      const [itsm] = await db('SELECT state, assigned_asset_tag FROM device.sim_itsm_records WHERE record_id = $1', [itsmRecordId]);
      expect(itsm).toEqual({ state: 'open', assigned_asset_tag: null });
    } finally {
      await faults(DEVICE, {});
    }
  });
});

const licensing = (employeeId: string, seats: number) => ({
  type: 'saas-licensing',
  requestedBy: 'line.manager@acme.test',
  subject: subject(employeeId),
  app: 'figma',
  licenceType: 'organization',
  seats,
});
const SEATS = 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User';

describe('SaaS licensing', () => {
  it('confirms the licence only when the SaaS admin tool reports the seats active', async () => {
    const employeeId = employee();
    await onboard(employeeId, [{ app: 'figma', role: 'editor', licence: 'professional' }]);
    const requestId = await submit(licensing(employeeId, 3));

    const signals = await confirmed(requestId);
    expect(Object.keys(signals).sort()).toEqual(['identity.account.verified.v1', 'saas.licence.activated.v1']);
    expect(signals['identity.account.verified.v1']?.evidence).toMatchObject({ accountId: `u-${employeeId}`, enabled: true });
    expect(signals['saas.licence.activated.v1']?.evidence).toMatchObject({ app: 'figma', accountId: `u-${employeeId}`, licenceType: 'organization', seats: 3, active: true });
    expect((await scimUser('figma', `u-${employeeId}`))?.[SEATS]).toMatchObject({ licenceType: 'organization', seats: 3 });
  });

  it('fails the account check of an employee the directory does not know, escalates it, and compensation has nothing to undo', async () => {
    const employeeId = employee();
    const requestId = await submit(licensing(employeeId, 1));
    const escalation = await escalated(requestId);
    expect(escalation).toMatchObject({ step: 'account-check', attempts: 3, escalateTo: 'iam-operations' });
    expect(escalation.reason).toContain(`PROVISIONING_FAILED: the directory has no account for employee ${employeeId}`);
    const assurance = await http('GET', `${ASSURANCE}/journeys/${requestId}`, undefined, staff);
    expect(assurance.body.steps).toMatchObject({ 'account-check': { status: 'escalated' }, licence: { status: 'waiting' } });

    expect(await operatorFails(requestId, 'no such employee')).toEqual(['licence', 'account-check']);
    const compensations = await readTopic(kafka, AccessCompensatedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect((compensations[0]?.value as { payload: { step: string; undone: string } }).payload).toMatchObject({ step: 'licence', undone: 'nothing to undo: no seats were assigned' });
    expect(await db('SELECT 1 FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId])).toHaveLength(0);
  });
});
