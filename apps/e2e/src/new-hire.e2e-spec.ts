import {
  AccountVerifiedV1,
  CompensationRequestedV1,
  ComplianceVerifiedV1,
  deadLetterTopic,
  EVENT_CONTRACTS,
  JourneyCompensatedV1,
  JourneyEscalatedV1,
  JourneyFailedV1,
  JourneyRequestedV1,
  OutcomeConfirmedV1,
  ownerTopics,
  StepRetryRequestedV1,
  StepStalledV1,
} from '@closeloop/contracts';
import {
  consumeUntil,
  distinctEventIds,
  dropDatabase,
  e2eDatabaseUrl,
  eventually,
  http,
  newHireRequest,
  publish,
  readTopic,
  type RunningService,
  serviceList,
  servicePorts,
  SERVICES,
  sql,
  startService,
  startTestIdentityProvider,
  stopService,
  testEnv,
  type TestIdentityProvider,
  testKafka,
  waitForGroupToCatchUp,
} from '@closeloop/testing';
import type { Admin, Kafka } from 'kafkajs';

const DATABASE_URL = e2eDatabaseUrl('closeloop_e2e');
const PORTS = servicePorts(3100);
const INTAKE = `http://127.0.0.1:${PORTS('intake')}`;
const ASSURANCE = `http://127.0.0.1:${PORTS('assurance')}`;
const SAAS = `http://127.0.0.1:${PORTS('saas-domain')}`;
const IDENTITY = `http://127.0.0.1:${PORTS('identity-domain')}`;
const DEVICE = `http://127.0.0.1:${PORTS('device-domain')}`;

/** Each consumer group and the topics it subscribes to: a domain service's follow from the journey definitions. */
const SUBSCRIPTIONS: Record<string, readonly string[]> = {
  ...Object.fromEntries(serviceList().filter((s) => s.kind === 'domain').map((s) => [s.consumerGroup, ownerTopics(s.owner)])),
  'closeloop.assurance': EVENT_CONTRACTS.filter((c) => c.owner !== 'assurance').map((c) => c.topic),
  'closeloop.intake': [OutcomeConfirmedV1.topic, JourneyEscalatedV1.topic, JourneyFailedV1.topic, JourneyCompensatedV1.topic],
};
/** Every service but intake reads the journey requests (deploy/services.json). */
const GROUPS_READING_REQUESTS = serviceList().filter((s) => s.kind !== 'intake').map((s) => s.consumerGroup);

let services: RunningService[] = [];
let kafka: Kafka;
let admin: Admin;
let idp: TestIdentityProvider;
/** Operators, auditors and admins of assurance and the simulators' fault switches: a token of the test identity provider. */
let staff: { authorization: string };
/** An operator of the work queue, by name: the operator is the caller's token, never a body field. */
const ops = (sub: string) => idp.headers({ sub, roles: ['operator'] });
/** The hiring manager's token (a requester); intake answers nobody without one. */
let manager: { authorization: string };

/** A call to intake, as the hiring manager unless other headers say otherwise. */
const intake = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => http(method, `${INTAKE}${path}`, body, { ...manager, ...headers });

const db = <T = Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(text, values, DATABASE_URL);

const submit = async (body: unknown, headers: Record<string, string> = {}) => {
  const response = await intake('POST', '/journeys', body, headers);
  expect(response.status).toBe(202);
  return response.body.requestId as string;
};

const confirmedOutcome = (requestId: string, timeoutMs = 30000) =>
  eventually(async () => {
    const response = await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff);
    if (response.status !== 200) throw new Error(`outcome of ${requestId}: ${response.status}`);
    return response.body;
  }, timeoutMs);

/** Every service has handled everything published so far. */
const settled = async () => {
  for (const [group, topics] of Object.entries(SUBSCRIPTIONS)) await waitForGroupToCatchUp(admin, group, topics);
};

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  kafka = testKafka('e2e');
  admin = kafka.admin();
  await admin.connect();
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  manager = await idp.headers({ sub: 'manager@acme.test', roles: ['requester'], expiresIn: '2h' });
  const env = { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, OUTBOX_POLL_MS: '500', ...idp.env };
  // Sequentially on first start: each service creates the database, its schema and topics.
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env));
}, 180000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await admin?.disconnect();
  await idp?.stop();
});

describe('new-hire journey, end to end', () => {
  it('goes from POST /journeys to a confirmed-outcome record with every verification signal', async () => {
    const request = newHireRequest({ apps: [{ app: 'asana', role: 'member' }, { app: 'slack', role: 'member', licence: 'pro' }] });
    const started = Date.now();
    const requestId = await submit(request);

    const outcome = await confirmedOutcome(requestId);
    const elapsed = Date.now() - started;
    process.stdout.write(`new-hire journey ${requestId}: request to confirmed outcome ${elapsed} ms (record says ${outcome.durationMs} ms)\n`);

    expect(outcome).toMatchObject({ requestId, journeyType: 'new-hire', definitionVersion: 1 });
    const bySignal = Object.fromEntries(outcome.signals.map((s: { signal: string }) => [s.signal, s]));
    expect(Object.keys(bySignal).sort()).toEqual(['device.compliance.verified.v1', 'identity.account.verified.v1', 'saas.access.verified.v1']);
    expect(bySignal['identity.account.verified.v1'].evidence).toMatchObject({ enabled: true, groups: request.groups, employeeId: request.subject.employeeId });
    expect(bySignal['saas.access.verified.v1'].evidence.grants).toEqual([
      { app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true },
      { app: 'slack', role: 'member', licence: 'pro', active: true, licensed: true },
    ]);
    expect(bySignal['device.compliance.verified.v1'].evidence).toMatchObject({ model: 'laptop-14', enrolled: true, compliant: true });

    const journey = await eventually(async () => {
      const response = await intake('GET', `/journeys/${requestId}`);
      expect(response.body.status).toBe('confirmed');
      return response.body;
    });
    expect(journey.outcome).toMatchObject({ definitionVersion: 1 });

    // The target systems hold what the signals claim.
    const [user] = await db<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [request.subject.employeeId]);
    expect(user?.enabled).toBe(true);
    const published = await consumeUntil(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect(published[0]?.value).toMatchObject({ eventType: 'assurance.outcome.confirmed', requestId, producer: 'assurance' });
  });

  it('answers a retried request with the same Idempotency-Key with the same journey, and rejects bad input precisely', async () => {
    const request = newHireRequest();
    const first = await intake('POST', '/journeys', request, { 'Idempotency-Key': `onboard-${request.subject.employeeId}` });
    const retry = await intake('POST', '/journeys', request, { 'Idempotency-Key': `onboard-${request.subject.employeeId}` });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ requestId: first.body.requestId, replayed: true });
    const reused = await intake('POST', '/journeys', { ...request, groups: ['other'] }, { 'Idempotency-Key': `onboard-${request.subject.employeeId}` });
    expect(reused.status).toBe(409);

    const bad = await intake('POST', '/journeys', { ...newHireRequest(), subject: { employeeId: 'E1', email: 'not-an-email', displayName: 'X' }, apps: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('subject.email');
    expect(bad.body.message).toContain('apps');
    expect((await intake('POST', '/journeys', '{"type":')).status).toBe(400);
    expect((await intake('GET', '/journeys/not-a-uuid')).status).toBe(400);

    await confirmedOutcome(first.body.requestId);
    await settled();
    const rows = await db('SELECT 1 FROM intake.journeys WHERE idempotency_key = $1', [`onboard-${request.subject.employeeId}`]);
    expect(rows).toHaveLength(1);
  });

  it('answers only authenticated callers: 401 without a token or with one of another key, 403 without the role, each audited by intake', async () => {
    const body = newHireRequest();
    expect(await http('POST', `${INTAKE}/journeys`, body)).toMatchObject({ status: 401, body: { reason: 'MISSING_CREDENTIALS' } });
    const forged = await idp.tokenSignedByUnknownKey({ sub: 'manager@acme.test', roles: ['admin'] });
    expect(await intake('POST', '/journeys', body, { authorization: `Bearer ${forged}` })).toMatchObject({ status: 401, body: { reason: 'BAD_SIGNATURE' } });
    const auditor = await idp.headers({ sub: 'auditor@acme.test', roles: ['auditor'] });
    expect(await intake('POST', '/journeys', body, auditor)).toMatchObject({ status: 403, body: { reason: 'MISSING_ROLE', message: 'missing role requester or admin for POST /journeys (auditor@acme.test has auditor)' } });
    const denials = await intake('GET', '/access-denials?limit=3', undefined, auditor);
    expect(denials.body.items.map((d: { reason: string; principalId: string | null }) => [d.reason, d.principalId])).toEqual([
      ['MISSING_ROLE', 'auditor@acme.test'],
      ['BAD_SIGNATURE', null],
      ['MISSING_CREDENTIALS', null],
    ]);
    expect(await db("SELECT 1 FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [body.subject.employeeId])).toHaveLength(0);
  });

  it('confirms exactly once when an event is delivered twice', async () => {
    const request = newHireRequest();
    const employeeId = request.subject.employeeId;
    // Hold the SaaS step back so the duplicates arrive while the journey is still open.
    expect((await http('PUT', `${SAAS}/simulator/faults`, { latencyMs: 1500, onlyFor: [employeeId] }, staff)).status).toBe(200);
    try {
      const requestId = await submit(request);
      const [device] = await consumeUntil(kafka, ComplianceVerifiedV1.topic, (m) => m.message.key?.toString() === requestId);
      const [requested] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
      for (const original of [device, requested]) {
        if (!original) throw new Error('original event not found');
        await publish(kafka, original.topic, [{ key: requestId, value: original.message.value, headers: original.message.headers }]);
      }
      await confirmedOutcome(requestId);
      const [account] = await consumeUntil(kafka, AccountVerifiedV1.topic, (m) => m.message.key?.toString() === requestId);
      await publish(kafka, AccountVerifiedV1.topic, [{ key: requestId, value: account?.message.value ?? null }]);
      await settled();

      expect(await db('SELECT 1 FROM assurance.outcomes WHERE request_id = $1', [requestId])).toHaveLength(1);
      expect(await db('SELECT 1 FROM identity.accounts WHERE request_id = $1', [requestId])).toHaveLength(1);
      expect(await db('SELECT 1 FROM device.sim_devices WHERE assigned_to = $1', [employeeId])).toHaveLength(1);
      expect(distinctEventIds(await readTopic(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId)).size).toBe(1);
    } finally {
      await http('PUT', `${SAAS}/simulator/faults`, {}, staff);
    }
  });

  it('dead-letters a malformed event with its reason and source, and journeys go on', async () => {
    const marker = `malformed-${Date.now()}`;
    await publish(kafka, JourneyRequestedV1.topic, [
      { key: marker, value: 'this is not JSON' },
      { key: marker, value: JSON.stringify({ eventType: 'intake.journey.requested', version: 1, requestId: 'nope', payload: {} }) },
    ]);
    const requestId = await submit(newHireRequest());
    await confirmedOutcome(requestId);

    const dead = await consumeUntil(kafka, deadLetterTopic(JourneyRequestedV1.topic), (m) => m.message.key?.toString() === marker, { count: 2 * GROUPS_READING_REQUESTS.length });
    const reasons = dead.map((d) => d.headers['dlq-reason']);
    expect(reasons.some((r) => r?.startsWith('value is not JSON'))).toBe(true);
    expect(reasons.some((r) => r?.includes('requestId') && r.includes('payload.type'))).toBe(true);
    const groups = new Set(dead.map((d) => d.headers['dlq-consumer-group']));
    expect(groups).toEqual(new Set(GROUPS_READING_REQUESTS));
    for (const d of dead) {
      expect(d.headers['dlq-source-topic']).toBe(JourneyRequestedV1.topic);
      expect(Number(d.headers['dlq-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(d.headers['dlq-source-partition']).toMatch(/^\d+$/);
    }
  });

  it('retries a verification failure (the account exists but is disabled), then escalates it with its history, never confirming it', async () => {
    const request = newHireRequest();
    expect((await http('PUT', `${IDENTITY}/simulator/faults`, { readBackDisagrees: true, onlyFor: [request.subject.employeeId] }, staff)).status).toBe(200);
    try {
      const requestId = await submit(request);
      const journey = await eventually(async () => {
        const response = await intake('GET', `/journeys/${requestId}`);
        expect(response.body.status).toBe('escalated');
        return response.body;
      });
      expect(journey.failure).toMatchObject({ step: 'identity', attempts: 3, escalateTo: 'iam-operations' });
      expect(journey.failure.reason).toContain('disabled');
      const whats: string[] = journey.failure.history.map((h: { what: string }) => h.what);
      expect(whats[0]).toBe('requested');
      expect(whats.filter((w) => w.startsWith('identity'))).toEqual(['identity attempt 1 failed', 'identity attempt 2 failed', 'identity attempt 3 failed']);
      expect(whats).toContain('verified'); // the device step, which went on meanwhile
      const retries = await readTopic(kafka, StepRetryRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
      expect(retries.map((r) => (r.value as StepRetryRequestedV1).payload)).toEqual([
        expect.objectContaining({ step: 'identity', owner: 'identity', attempt: 2, reason: 'STEP_FAILED' }),
        expect.objectContaining({ step: 'identity', owner: 'identity', attempt: 3, reason: 'STEP_FAILED' }),
      ]);
      await settled();
      expect((await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff)).status).toBe(404);

      // The work queue: an operator claims it, the directory is repaired, and the operator retries now.
      const queue = await http('GET', `${ASSURANCE}/work-queue`, undefined, staff);
      expect(queue.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ requestId, escalatedSteps: [{ step: 'identity', attempts: 3, lastEnd: 'STEP_FAILED' }] })]));
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, await ops('ops-ada'))).status).toBe(200);
      const taken = await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, await ops('ops-bob'));
      expect(taken).toMatchObject({ status: 409, body: { message: `journey ${requestId} is claimed by ops-ada` } });
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fixed', comment: 'x', evidence: {} }, await ops('ops-ada'))).status).toBe(400);
      // Nobody forges an outcome: no credential is a 401, an operator named in the body is refused, a requester is no operator.
      expect(await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fixed', comment: 'x', evidence: { checked: 'by hand' } })).toMatchObject({ status: 401, body: { reason: 'MISSING_CREDENTIALS' } });
      const named = await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { operator: 'ops-ada', action: 'retry', comment: 'x' }, await ops('ops-ada'));
      expect(named).toMatchObject({ status: 400, body: { message: expect.stringContaining('the operator is the authenticated caller') } });
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'retry', comment: 'x' }, manager)).body).toMatchObject({ reason: 'MISSING_ROLE' });
      await http('PUT', `${IDENTITY}/simulator/faults`, {}, staff);
      const resolved = await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'retry', comment: 'directory repaired, trying again' }, await ops('ops-ada'));
      expect(resolved).toMatchObject({ status: 200, body: { status: 'open' } });
      await confirmedOutcome(requestId);
      await eventually(async () => expect((await intake('GET', `/journeys/${requestId}`)).body.status).toBe('confirmed'));

      const timeline = await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline`, undefined, staff);
      const actions = timeline.body.entries.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
      expect(actions).toEqual(expect.arrayContaining(['assurance journey.escalated', 'operator:ops-ada operator.claimed', 'operator:ops-ada operator.retry', 'assurance journey.confirmed']));
      expect((await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline/verify`, undefined, staff)).body).toMatchObject({ intact: true });
      const kpis = await http('GET', `${ASSURANCE}/kpis`, undefined, staff);
      const newHire = kpis.body.byJourneyType.find((k: { journeyType: string }) => k.journeyType === 'new-hire');
      expect(newHire.humanTouchpointsPerJourney).toBeGreaterThan(0);
      expect(newHire.exceptionRate).toBeGreaterThan(0);
      expect(newHire.firstTimeRightRate).toBeLessThan(1);
      expect((await http('GET', `${ASSURANCE}/kpis?from=yesterday`, undefined, staff)).status).toBe(400);
    } finally {
      await http('PUT', `${IDENTITY}/simulator/faults`, {}, staff);
    }
  });

  it('detects a stalled SaaS step no later than its deadline plus one second, even across a SIGKILL of assurance, retries it, and confirms once', async () => {
    const saas = services.find((s) => s.name === 'saas-domain') as RunningService;
    await stopService(saas);
    try {
      const requestId = await submit(newHireRequest());
      // The SaaS step's deadline is set once identity is verified; then assurance dies and comes back.
      await consumeUntil(kafka, AccountVerifiedV1.topic, (m) => m.message.key?.toString() === requestId);
      await eventually(async () => expect((await http('GET', `${ASSURANCE}/journeys/${requestId}`, undefined, staff)).body.steps.saas.status).toBe('open'));
      const assurance = services.find((s) => s.name === 'assurance') as RunningService;
      await stopService(assurance, 'SIGKILL');
      const revived = await startService('assurance', PORTS('assurance'), { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, ...idp.env });
      services = services.map((s) => (s.name === 'assurance' ? revived : s));

      const [stalled] = await consumeUntil(kafka, StepStalledV1.topic, (m) => m.message.key?.toString() === requestId, { timeoutMs: 40000 });
      const payload = (stalled?.value as StepStalledV1).payload;
      expect(payload).toMatchObject({ step: 'saas', attempt: 1 });
      expect(Date.parse(payload.detectedAt) - Date.parse(payload.deadlineAt)).toBeLessThanOrEqual(1000);
      const [account] = await consumeUntil(kafka, AccountVerifiedV1.topic, (m) => m.message.key?.toString() === requestId);
      const deadlineFromVerification = Date.parse(payload.deadlineAt) - Date.parse((account?.value as { occurredAt: string }).occurredAt);
      expect(deadlineFromVerification).toBeGreaterThanOrEqual(14000); // the SaaS deadline (15 s) starts once identity is verified
      const [retry] = await consumeUntil(kafka, StepRetryRequestedV1.topic, (m) => m.message.key?.toString() === requestId, { timeoutMs: 10000 });
      expect((retry?.value as StepRetryRequestedV1).payload).toMatchObject({ step: 'saas', owner: 'saas', attempt: 2, reason: 'DEADLINE_MISSED' });
      expect((retry?.value as StepRetryRequestedV1).payload.evidence[AccountVerifiedV1.topic]).toMatchObject({ accountId: expect.any(String) });

      const restarted = await startService('saas-domain', PORTS('saas-domain'), { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, ...idp.env });
      services = services.map((s) => (s.name === 'saas-domain' ? restarted : s));
      const outcome = await confirmedOutcome(requestId);
      expect(outcome.signals.map((s: { signal: string }) => s.signal)).toContain('saas.access.verified.v1');
      await settled();
      expect(distinctEventIds(await readTopic(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId)).size).toBe(1);
      // Attempt 1 stalled once; a slow restart may stall attempt 2 as well, but never attempt 1 twice.
      const stalls = await readTopic(kafka, StepStalledV1.topic, (m) => m.message.key?.toString() === requestId);
      const attempts = [...new Map(stalls.map((m) => [(m.value as StepStalledV1).eventId, (m.value as StepStalledV1).payload.attempt])).values()];
      expect(attempts.filter((a) => a === 1)).toHaveLength(1);
    } finally {
      if (!services.some((s) => s.name === 'saas-domain' && s.process.exitCode === null && s.process.signalCode === null)) {
        const restarted = await startService('saas-domain', PORTS('saas-domain'), { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, ...idp.env });
        services = services.map((s) => (s.name === 'saas-domain' ? restarted : s));
      }
    }
  });

  it('compensates a journey an operator failed: every step undone in reverse order, each confirmed, the journey ends compensated', async () => {
    const request = newHireRequest();
    const employeeId = request.subject.employeeId;
    expect((await http('PUT', `${DEVICE}/simulator/faults`, { failProvisioning: true, onlyFor: [employeeId] }, staff)).status).toBe(200);
    try {
      const requestId = await submit(request);
      await eventually(async () => expect((await intake('GET', `/journeys/${requestId}`)).body.status).toBe('escalated'));
      await eventually(async () => expect((await http('GET', `${ASSURANCE}/journeys/${requestId}`, undefined, staff)).body.steps.saas.status).toBe('verified'));
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, await ops('ops-cy'))).status).toBe(200);
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fail', comment: 'model discontinued' }, await ops('ops-cy'))).status).toBe(200);

      await eventually(async () => expect((await intake('GET', `/journeys/${requestId}`)).body.status).toBe('compensated'), 30000);
      const asked = await readTopic(kafka, CompensationRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
      expect(asked.map((m) => (m.value as CompensationRequestedV1).payload.step)).toEqual(['device', 'saas', 'identity']);
      const [account] = await db<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
      expect(account?.enabled).toBe(false);
      expect(await db('SELECT 1 FROM identity.sim_directory_group_members m JOIN identity.sim_directory_users u USING (account_id) WHERE u.employee_id = $1', [employeeId])).toHaveLength(0);
      expect(await db("SELECT 1 FROM saas.sim_scim_users WHERE user_name = 'u-' || $1", [employeeId])).toHaveLength(0);
      expect(await db("SELECT 1 FROM device.sim_devices WHERE assigned_to = $1 AND status = 'assigned'", [employeeId])).toHaveLength(0);
      const timeline = await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline`, undefined, staff);
      const actions: string[] = timeline.body.entries.map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['operator.fail', 'journey.failed', 'compensation.requested', 'identity.account.compensated', 'journey.compensated']));
    } finally {
      await http('PUT', `${DEVICE}/simulator/faults`, {}, staff);
    }
  });

  it('cancels a journey in flight and compensates it; a confirmed journey cannot be cancelled', async () => {
    const request = newHireRequest();
    expect((await http('PUT', `${SAAS}/simulator/faults`, { latencyMs: 2000, onlyFor: [request.subject.employeeId] }, staff)).status).toBe(200);
    try {
      const requestId = await submit(request);
      const cancel = await intake('POST', `/journeys/${requestId}/cancel`, { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' });
      expect(cancel).toMatchObject({ status: 202, body: { status: 'cancelling' } });
      expect((await intake('POST', `/journeys/${requestId}/cancel`, { requestedBy: 'manager@acme.test', reason: 'again' })).status).toBe(409);
      await eventually(async () => expect((await intake('GET', `/journeys/${requestId}`)).body.status).toBe('compensated'), 40000);
      await settled();
      expect(await db("SELECT 1 FROM saas.sim_scim_users WHERE user_name = 'u-' || $1", [request.subject.employeeId])).toHaveLength(0);
      expect((await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff)).status).toBe(404);
    } finally {
      await http('PUT', `${SAAS}/simulator/faults`, {}, staff);
    }
    const done = await submit(newHireRequest());
    await confirmedOutcome(done);
    await eventually(async () => expect((await intake('GET', `/journeys/${done}`)).body.status).toBe('confirmed'));
    expect((await intake('POST', `/journeys/${done}/cancel`, { requestedBy: 'm', reason: 'late' })).status).toBe(409);
    expect((await intake('POST', '/journeys/00000000-0000-4000-8000-000000000000/cancel', { requestedBy: 'm', reason: 'x' })).status).toBe(404);
    expect((await intake('POST', `/journeys/${done}/cancel`, { reason: '' })).status).toBe(400);
  });
});
