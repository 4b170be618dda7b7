import { randomUUID } from 'node:crypto';

import { CompensationRequestedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
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
 * The journeys the facilities team's service joined, end to end on the whole stack (the six
 * services of deploy/services.json): new hire version 2 (with the badge) activated while version 1
 * journeys run, each confirmed by its own definition; the leaver journey to its verified outcome,
 * every removal read back in the target systems; and a leaver cancelled in flight, compensated
 * step by step, with the ITSM closure handed to a person (it has no automatic undo).
 */
const DATABASE_URL = e2eDatabaseUrl('closeloop_offboarding');
const PORTS = servicePorts(3800);
const INTAKE = `http://127.0.0.1:${PORTS('intake')}`;
const ASSURANCE = `http://127.0.0.1:${PORTS('assurance')}`;
const IDENTITY = `http://127.0.0.1:${PORTS('identity-domain')}`;
const SAAS = `http://127.0.0.1:${PORTS('saas-domain')}`;
const DEVICE = `http://127.0.0.1:${PORTS('device-domain')}`;
const SCIM_TOKEN = 'closeloop-local-scim-simulator-token';

let services: RunningService[] = [];
let kafka: Kafka;
let idp: TestIdentityProvider;
let staff: { authorization: string };
let manager: { authorization: string };
let hr: { authorization: string };

interface Signal {
  readonly signal: string;
  readonly evidence: Record<string, unknown>;
}

const db = <T = Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(text, values, DATABASE_URL);
const employee = () => `E-${randomUUID().slice(0, 8)}`;
const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: `Employee ${employeeId}` });
const ritm = () => `RITM${randomUUID().replace(/\D/g, '').slice(0, 7).padEnd(7, '0')}`;
const APPS = [
  { app: 'asana', role: 'member' },
  { app: 'figma', role: 'editor', licence: 'professional' },
];

const submit = async (body: unknown, as = manager): Promise<string> => {
  const response = await http('POST', `${INTAKE}/journeys`, body, as);
  expect(response).toMatchObject({ status: 202, body: { status: 'requested' } });
  return response.body.requestId as string;
};

const intakeStatus = (requestId: string, status: string, timeoutMs = 60000) =>
  eventually(async () => {
    const response = await http('GET', `${INTAKE}/journeys/${requestId}`, undefined, staff);
    expect(response.body.status).toBe(status);
    return response.body;
  }, timeoutMs);

/** The confirmed outcome (its definition version and signals by topic), once intake shows it confirmed too. */
const confirmed = async (requestId: string): Promise<{ definitionVersion: number; signals: Record<string, Signal> }> => {
  const outcome = await eventually(async () => {
    const response = await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff);
    if (response.status !== 200) throw new Error(`outcome of ${requestId}: ${response.status}`);
    return response.body as { definitionVersion: number; signals: Signal[] };
  }, 60000);
  await intakeStatus(requestId, 'confirmed');
  expect(await readTopic(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId)).toHaveLength(1);
  return { definitionVersion: outcome.definitionVersion, signals: Object.fromEntries(outcome.signals.map((s) => [s.signal, s])) };
};

const scimUser = async (app: string, accountId: string) => {
  const filter = encodeURIComponent(`userName eq "${accountId}"`);
  const response = await http('GET', `${SAAS}/simulator/scim/${app}/v2/Users?filter=${filter}`, undefined, { authorization: `Bearer ${SCIM_TOKEN}` });
  expect(response.status).toBe(200);
  return (response.body.Resources?.[0] as { active?: boolean; roles?: Array<{ value: string }>; entitlements?: Array<{ value: string }> } | undefined) ?? null;
};
const directory = async (employeeId: string) => {
  const [user] = await db<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
  const groups = await db<{ group_name: string }>(
    'SELECT m.group_name FROM identity.sim_directory_group_members m JOIN identity.sim_directory_users u USING (account_id) WHERE u.employee_id = $1 ORDER BY 1',
    [employeeId],
  );
  return { enabled: user?.enabled ?? null, groups: groups.map((g) => g.group_name) };
};

/** The service desk raises the leaver's ITSM record (the journey closes it; it never opens one). */
const raiseRecord = async (itsmRecordId: string) => expect((await http('PUT', `${DEVICE}/simulator/itsm/records/${itsmRecordId}`, undefined, staff)).body).toMatchObject({ state: 'open' });
const badges = (employeeIds: string[]) => db<{ employee_id: string; active: boolean }>('SELECT employee_id, active FROM facilities.sim_badges WHERE employee_id = ANY($1) ORDER BY 1', [employeeIds]);

const leaver = (employeeId: string, itsmRecordId: string) => ({
  type: 'offboarding',
  requestedBy: 'hr.partner@acme.test',
  subject: subject(employeeId),
  lastDay: '2026-12-31',
  itsmRecordId,
});

/** Onboards the subject on the new-hire version new journeys start on; returns the outcome. */
const onboard = async (employeeId: string) => confirmed(await submit(newHireRequest({ subject: subject(employeeId), groups: ['staff', 'engineering'], apps: APPS })));

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  kafka = testKafka('e2e-offboarding');
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  manager = await idp.headers({ sub: 'line.manager@acme.test', roles: ['requester'], expiresIn: '2h' });
  hr = await idp.headers({ sub: 'hr.partner@acme.test', roles: ['requester'], expiresIn: '2h' });
  const env = { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, OUTBOX_POLL_MS: '500', ...idp.env };
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env, 'offboarding'));
}, 240000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await idp?.stop();
});

describe('definition versions', () => {
  it('activates new hire v2 while v1 journeys run; each journey is confirmed by the definition it started with', async () => {
    const definitions = await http('GET', `${INTAKE}/definitions`, undefined, staff);
    expect(definitions.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'new-hire', version: 1, active: true }),
        expect.objectContaining({ type: 'new-hire', version: 2, active: false }),
        expect.objectContaining({ type: 'offboarding', version: 1, active: true }),
      ]),
    );
    // v1 journeys held in flight: the directory answers them slowly.
    const early = [employee(), employee()];
    await http('PUT', `${IDENTITY}/simulator/faults`, { latencyMs: 3000, onlyFor: early }, staff);
    try {
      const onV1 = await Promise.all(early.map((id) => submit(newHireRequest({ subject: subject(id), apps: APPS }))));
      expect((await http('POST', `${INTAKE}/definitions/new-hire/2/activate`, {}, staff)).status).toBe(200);
      const later = employee();
      const onV2 = await submit(newHireRequest({ subject: subject(later), apps: APPS }));
      const pinned = await submit(newHireRequest({ subject: subject(employee()), apps: APPS, definitionVersion: 1 }));
      // The v1 journeys were still open when v2 became active.
      for (const requestId of onV1) expect((await http('GET', `${INTAKE}/journeys/${requestId}`, undefined, staff)).body.status).toBe('requested');

      const v1Topics = ['device.compliance.verified.v1', 'identity.account.verified.v1', 'saas.access.verified.v1'];
      for (const requestId of [...onV1, pinned]) {
        const outcome = await confirmed(requestId);
        expect({ version: outcome.definitionVersion, signals: Object.keys(outcome.signals).sort() }).toEqual({ version: 1, signals: v1Topics });
      }
      const v2 = await confirmed(onV2);
      expect({ version: v2.definitionVersion, signals: Object.keys(v2.signals).sort() }).toEqual({ version: 2, signals: [...v1Topics, 'facilities.badge.granted.v1'].sort() });
      expect(v2.signals['facilities.badge.granted.v1']?.evidence).toMatchObject({ employeeId: later, active: true, zones: expect.arrayContaining(['main-entrance']) });
      // The access control system holds the v2 hire's badge, and none for the v1 hires: their definition has no badge step.
      expect(await badges([...early, later])).toEqual([{ employee_id: later, active: true }]);
    } finally {
      await http('PUT', `${IDENTITY}/simulator/faults`, {}, staff);
    }
  });
});

describe('offboarding', () => {
  it('takes everything back, reads each removal back, and closes the ITSM record last', async () => {
    const employeeId = employee();
    const onboarded = await onboard(employeeId);
    const assetTag = onboarded.signals['device.compliance.verified.v1']?.evidence['assetTag'] as string;
    const accountId = `u-${employeeId}`;
    const itsmRecordId = ritm();
    await raiseRecord(itsmRecordId);

    const requestId = await submit(leaver(employeeId, itsmRecordId), hr);
    const { definitionVersion, signals } = await confirmed(requestId);
    expect(definitionVersion).toBe(1);
    expect(Object.keys(signals).sort()).toEqual(['device.itsm-record.closed.v1', 'device.return.logged.v1', 'facilities.badge.revoked.v1', 'identity.account.disabled.v1', 'saas.access.revoked.v1']);
    expect(signals['identity.account.disabled.v1']?.evidence).toMatchObject({ accountId, enabled: false, groups: [], activeSessions: 0, removedGroups: ['engineering', 'staff'] });
    expect(signals['saas.access.revoked.v1']?.evidence).toMatchObject({ employeeId, apps: expect.arrayContaining([expect.objectContaining({ app: 'asana', active: false }), expect.objectContaining({ app: 'figma', active: false })]) });
    expect(signals['device.return.logged.v1']?.evidence).toMatchObject({ employeeId, assets: [{ assetTag, state: 'returned' }], stillAssigned: [] });
    expect(signals['facilities.badge.revoked.v1']?.evidence).toMatchObject({ employeeId, activeBadges: [] });
    expect(signals['device.itsm-record.closed.v1']?.evidence).toMatchObject({ itsmRecordId, state: 'closed' });

    // The target systems hold what the signals claim.
    expect(await directory(employeeId)).toEqual({ enabled: false, groups: [] });
    for (const { app } of APPS) expect((await scimUser(app, accountId))?.active ?? false).toBe(false);
    expect((await http('GET', `${DEVICE}/simulator/itsm/records/${itsmRecordId}`, undefined, staff)).body).toMatchObject({ state: 'closed' });
    expect(await badges([employeeId])).toEqual([{ employee_id: employeeId, active: false }]);
  });

  it('cancelled in flight: the ITSM closure goes to a person, then every owner gives back what it took', async () => {
    const employeeId = employee();
    await onboard(employeeId);
    const itsmRecordId = ritm();
    await raiseRecord(itsmRecordId);
    // The SaaS tools answer the leaver slowly: the journey is cancelled while its steps run.
    await http('PUT', `${SAAS}/simulator/faults`, { latencyMs: 4000, onlyFor: [employeeId] }, staff);
    let requestId: string;
    try {
      requestId = await submit(leaver(employeeId, itsmRecordId), hr);
      await eventually(async () => expect((await directory(employeeId)).enabled).toBe(false), 30000);
      const cancel = await http('POST', `${INTAKE}/journeys/${requestId}/cancel`, { requestedBy: 'x', reason: 'the employee stays' }, hr);
      expect(cancel).toMatchObject({ status: 202, body: { status: 'cancelling' } });
    } finally {
      await http('PUT', `${SAAS}/simulator/faults`, {}, staff);
    }
    // Undone in reverse order: first the ITSM closure, which no machine undoes.
    const escalation = (await intakeStatus(requestId, 'escalated')).failure as { step: string; escalateTo: string; reason: string };
    expect(escalation).toMatchObject({ step: 'compensate:itsm-closure', escalateTo: 'service-desk' });
    expect(escalation.reason).toContain('itsm-closure has no automatic undo');
    const ops = await idp.headers({ sub: 'service.desk@acme.test', roles: ['operator'] });
    expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, ops)).status).toBe(200);
    const fixed = await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fixed', comment: 'record never closed: nothing to reopen', evidence: { itsmRecordId, checked: 'state open' } }, ops);
    expect(fixed.status).toBe(200);

    await intakeStatus(requestId, 'compensated');
    const asked = await readTopic(kafka, CompensationRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect([...new Set(asked.map((m) => (m.value as CompensationRequestedV1).payload.step))]).toEqual(['device-return', 'badge', 'app-access', 'account']);
    // The employee stays: the account is enabled again, in its groups.
    expect(await directory(employeeId)).toEqual({ enabled: true, groups: ['engineering', 'staff'] });
    expect((await scimUser('asana', `u-${employeeId}`))?.active).toBe(true);
    expect(await badges([employeeId])).toEqual([{ employee_id: employeeId, active: true }]);
    expect((await http('GET', `${DEVICE}/simulator/itsm/records/${itsmRecordId}`, undefined, staff)).body).toMatchObject({ state: 'open' });
  });
});
