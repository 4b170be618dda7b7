import { join } from 'node:path';

import { ApprovalEscalatedV1, ApprovalReminderV1, ApprovalRequestedV1, CompensationRequestedV1, JourneyRequestedV1 } from '@closeloop/contracts';
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
  startService,
  startTestIdentityProvider,
  stopService,
  testEnv,
  type TestIdentityProvider,
  testKafka,
} from '@closeloop/testing';
import type { Kafka } from 'kafkajs';

/**
 * The three control patterns of the access policy, end to end: pre-action approval (with
 * separation of duties, a reminder, the fallback group and expiry), approval on exception, and
 * post-action attestation whose rejection compensates; and a policy change during the run.
 * The policy is apps/e2e/fixtures/test-policy.v1.json: short approval deadlines for the finance rule.
 */
const DATABASE_URL = e2eDatabaseUrl('closeloop_controls');
const PORTS = servicePorts(3700);
const INTAKE = `http://127.0.0.1:${PORTS('intake')}`;
const ASSURANCE = `http://127.0.0.1:${PORTS('assurance')}`;
const SAAS = `http://127.0.0.1:${PORTS('saas-domain')}`;

let services: RunningService[] = [];
let kafka: Kafka;
let idp: TestIdentityProvider;
/** Operators, auditors and admins of assurance and the simulators' fault switches: a token of the test identity provider. */
let staff: { authorization: string };
type Headers = { authorization: string };
const as: Record<string, Headers> = {};

const intake = (method: string, path: string, who: Headers, body?: unknown) => http(method, `${INTAKE}${path}`, body, who);
const submit = async (body: unknown) => {
  const response = await intake('POST', '/journeys', as['requester'] as Headers, body);
  expect(response.status).toBe(202);
  return response.body as { requestId: string; status: string };
};
const statusOf = async (requestId: string) => (await intake('GET', `/journeys/${requestId}`, as['auditor'] as Headers)).body;
const waitForStatus = (requestId: string, status: string, timeoutMs = 40000) =>
  eventually(async () => {
    const journey = await statusOf(requestId);
    expect(journey.status).toBe(status);
    return journey;
  }, timeoutMs);
const openTask = (who: Headers, requestId: string, kind: string, timeoutMs = 30000) =>
  eventually(async () => {
    const response = await intake('GET', '/approvals', who);
    expect(response.status).toBe(200);
    const task = response.body.tasks.find((t: { requestId: string; kind: string }) => t.requestId === requestId && t.kind === kind);
    expect(task).toBeDefined();
    return task as { taskId: string; assigneeGroup: string; escalated: boolean; policyVersion: number; rule: string; context: Record<string, unknown> };
  }, timeoutMs);
const eventsOf = (topic: string, requestId: string) => readTopic(kafka, topic, (m) => (m.value as { requestId?: string }).requestId === requestId, 10000);

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  kafka = testKafka('e2e-controls');
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  const person = (sub: string, roles: string[], groups: string[] = []) => idp.headers({ sub, roles, groups, expiresIn: '2h' });
  as['requester'] = await person('hiring.manager@acme.test', ['requester']);
  // Holds the approver role in the right group, but asked for the journeys itself.
  as['requesterApprover'] = await person('hiring.manager@acme.test', ['requester', 'approver'], ['iam-approvers']);
  as['iam'] = await person('iam.approver@acme.test', ['approver'], ['iam-approvers']);
  as['finance'] = await person('finance.approver@acme.test', ['approver'], ['finance-approvers']);
  as['cfo'] = await person('cfo.office@acme.test', ['approver'], ['cfo-office']);
  as['onboarding'] = await person('onboarding.lead@acme.test', ['approver'], ['onboarding-leads']);
  as['owner'] = await person('app.owner@acme.test', ['approver'], ['app-owners']);
  as['eus'] = await person('eus.approver@acme.test', ['approver'], ['eus-approvers']);
  as['auditor'] = await person('auditor@acme.test', ['auditor']);
  as['admin'] = await person('admin@acme.test', ['admin']);
  // Issues API keys, and is an IAM approver too.
  as['keyAdmin'] = await person('key.admin@acme.test', ['admin', 'approver'], ['iam-approvers']);
  const env = {
    DATABASE_URL,
    KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
    ...idp.env,
    POLICY_FILE: join(__dirname, '../fixtures/test-policy.v1.json'),
    APPROVAL_SCAN_MS: '200',
  };
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env, 'controls'));
}, 180000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await idp?.stop();
});

describe('pre-action approval', () => {
  it('runs nothing until an approver other than the requester approves, then the journey is verified', async () => {
    const { requestId, status } = await submit(newHireRequest({ groups: ['staff', 'prod-admins'] }));
    expect(status).toBe('awaiting-approval');
    expect((await statusOf(requestId)).policy).toEqual({ policyVersion: 1, rule: 'privileged-groups', control: 'pre-approval', approverGroup: 'iam-approvers' });

    const task = await openTask(as['iam'] as Headers, requestId, 'pre-approval');
    expect(task.context).toMatchObject({ request: { groups: ['staff', 'prod-admins'] } });
    // Separation of duties: the requester cannot approve, even holding the role in the group.
    const own = await intake('POST', `/approvals/${task.taskId}/approve`, as['requesterApprover'] as Headers, { comment: 'looks fine to me' });
    expect(own).toMatchObject({ status: 403, body: { reason: 'OWN_REQUEST' } });
    expect(own.body.message).toContain('separation of duties');
    // Someone outside the assignee group cannot decide it either; a decision needs a comment.
    expect(await intake('POST', `/approvals/${task.taskId}/approve`, as['owner'] as Headers, { comment: 'ok' })).toMatchObject({ status: 403, body: { reason: 'NOT_ASSIGNEE' } });
    const denials = await intake('GET', '/access-denials?limit=2', as['auditor'] as Headers);
    expect(denials.body.items.map((d: { reason: string }) => d.reason)).toEqual(['NOT_ASSIGNEE', 'OWN_REQUEST']);
    expect((await intake('POST', `/approvals/${task.taskId}/approve`, as['iam'] as Headers, { comment: ' ' })).status).toBe(400);
    // The task's event left in the journey's own transaction: had a journey.requested been
    // written with it, it would be on its topic by now.
    await eventually(async () => expect(await eventsOf(ApprovalRequestedV1.topic, requestId)).toHaveLength(1));
    expect(await eventsOf(JourneyRequestedV1.topic, requestId)).toHaveLength(0);

    const approved = await intake('POST', `/approvals/${task.taskId}/approve`, as['iam'] as Headers, { comment: 'prod access agreed with the team lead' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', decidedBy: 'iam.approver@acme.test' } });
    expect((await intake('POST', `/approvals/${task.taskId}/reject`, as['iam'] as Headers, { comment: 'changed my mind' })).status).toBe(409);
    await waitForStatus(requestId, 'confirmed');
    const [requested] = await eventsOf(JourneyRequestedV1.topic, requestId);
    expect((requested?.value as JourneyRequestedV1).payload.policy).toMatchObject({ policyVersion: 1, rule: 'privileged-groups' });

    const timeline = await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline`, undefined, staff);
    expect(timeline.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'approver:iam.approver@acme.test', action: 'approval.pre-approval.approved' })]));
  });

  it('reminds before the deadline, moves to the fallback group after it, and expires into a rejection when nobody decides', async () => {
    const costly = { apps: [{ app: 'salesforce', role: 'user', licence: 'enterprise' }] };
    const waiting = await submit(newHireRequest(costly));
    const expiring = await submit(newHireRequest(costly));
    expect((await statusOf(waiting.requestId)).policy).toMatchObject({ rule: 'costly-licence', control: 'pre-approval', approverGroup: 'finance-approvers' });

    await eventually(async () => expect(await eventsOf(ApprovalReminderV1.topic, waiting.requestId)).not.toHaveLength(0), 15000);
    const escalated = await eventually(async () => {
      const events = await eventsOf(ApprovalEscalatedV1.topic, waiting.requestId);
      expect(events).toHaveLength(1);
      return events[0]?.value as ApprovalEscalatedV1;
    }, 15000);
    expect(escalated.payload).toMatchObject({ fromGroup: 'finance-approvers', assigneeGroup: 'cfo-office' });

    const task = await openTask(as['cfo'] as Headers, waiting.requestId, 'pre-approval');
    expect(task.escalated).toBe(true);
    expect((await intake('POST', `/approvals/${task.taskId}/approve`, as['cfo'] as Headers, { comment: 'approved by the fallback' })).status).toBe(200);
    await waitForStatus(waiting.requestId, 'confirmed');

    // Nobody decided the other one: past the fallback's deadline too it is rejected, and nothing ran.
    const rejected = await waitForStatus(expiring.requestId, 'rejected', 20000);
    expect(rejected.failure.reason).toContain('expired');
    expect((await eventsOf(ApprovalEscalatedV1.topic, expiring.requestId)).map((m) => (m.value as ApprovalEscalatedV1).payload.assigneeGroup)).toEqual(['cfo-office']);
    expect(await eventsOf(JourneyRequestedV1.topic, expiring.requestId)).toHaveLength(0);
  });

  it('a rejection ends the journey before anything runs, and frees the employee for a corrected request', async () => {
    const request = newHireRequest({ groups: ['prod-admins'] });
    const { requestId } = await submit(request);
    const task = await openTask(as['iam'] as Headers, requestId, 'pre-approval');
    expect((await intake('POST', `/approvals/${task.taskId}/reject`, as['iam'] as Headers, { comment: 'no production access for interns' })).status).toBe(200);
    const journey = await waitForStatus(requestId, 'rejected');
    expect(journey.failure.reason).toContain('no production access for interns');
    expect(await eventsOf(JourneyRequestedV1.topic, requestId)).toHaveLength(0);
    const corrected = await submit({ ...request, groups: ['staff'] });
    expect(corrected.status).toBe('requested');
  });
});

describe('approval on exception', () => {
  it('runs automatically; when a step fails for good the approver group decides, and a rejection compensates', async () => {
    const request = newHireRequest();
    const employeeId = request.subject.employeeId;
    expect((await http('PUT', `${SAAS}/simulator/faults`, { failProvisioning: true, onlyFor: [employeeId] }, staff)).status).toBe(200);
    try {
      const { requestId, status } = await submit(request);
      expect(status).toBe('requested');
      expect((await statusOf(requestId)).policy).toMatchObject({ rule: 'paid-apps', control: 'exception-approval' });
      const task = await openTask(as['onboarding'] as Headers, requestId, 'exception');
      expect(task.context).toMatchObject({ escalation: { step: 'saas', attempts: 3 } });
      expect((await intake('POST', `/approvals/${task.taskId}/reject`, as['onboarding'] as Headers, { comment: 'start date moved; undo it' })).status).toBe(200);
      await waitForStatus(requestId, 'compensated');
      const undo = await eventsOf(CompensationRequestedV1.topic, requestId);
      expect(undo.map((m) => (m.value as CompensationRequestedV1).payload.step)).toEqual(['device', 'saas', 'identity']);
    } finally {
      await http('PUT', `${SAAS}/simulator/faults`, {}, staff);
    }
  });
});

describe('post-action attestation', () => {
  it('runs automatically; the owner attests afterwards, and a rejected attestation compensates the verified journey', async () => {
    const attested = await submit(newHireRequest({ apps: [{ app: 'wiki', role: 'editor' }] }));
    const rejected = await submit(newHireRequest({ apps: [{ app: 'wiki', role: 'editor' }] }));
    for (const { requestId } of [attested, rejected]) await waitForStatus(requestId, 'confirmed');
    expect((await statusOf(attested.requestId)).policy).toMatchObject({ rule: 'default', control: 'post-attestation' });

    const keep = await openTask(as['owner'] as Headers, attested.requestId, 'attestation');
    expect(keep.context).toMatchObject({ outcome: { definitionVersion: 1 } });
    expect((await intake('POST', `/approvals/${keep.taskId}/approve`, as['owner'] as Headers, { comment: 'access is right' })).status).toBe(200);

    const undo = await openTask(as['owner'] as Headers, rejected.requestId, 'attestation');
    expect((await intake('POST', `/approvals/${undo.taskId}/reject`, as['owner'] as Headers, { comment: 'not in the wiki team' })).status).toBe(200);
    await waitForStatus(rejected.requestId, 'compensated');
    const steps = await eventsOf(CompensationRequestedV1.topic, rejected.requestId);
    expect(steps.map((m) => (m.value as CompensationRequestedV1).payload.step)).toEqual(['device', 'saas', 'identity']);
    // The approved attestation reached assurance too, and changed nothing.
    await eventually(async () => {
      const timeline = await http('GET', `${ASSURANCE}/journeys/${attested.requestId}/timeline`, undefined, staff);
      expect(timeline.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'approval.attestation.approved', actor: 'approver:app.owner@acme.test' })]));
    });
    expect((await statusOf(attested.requestId)).status).toBe('confirmed');
    expect(await eventsOf(CompensationRequestedV1.topic, attested.requestId)).toHaveLength(0);
  });
});

describe('domain rules that protect people', () => {
  it('refuses a new hire for an employee whose account another journey created, naming that journey, and leaves it alone', async () => {
    const request = newHireRequest({ apps: [{ app: 'wiki', role: 'editor' }] });
    const { requestId } = await submit(request);
    await waitForStatus(requestId, 'confirmed');
    const takeover = await intake('POST', '/journeys', as['requester'] as Headers, { ...request, groups: ['staff', 'prod-admins'] });
    expect(takeover).toMatchObject({ status: 409, body: { ownerRequestId: requestId } });
    expect(takeover.body.message).toBe(
      `employee ${request.subject.employeeId} already has an account owned by new-hire journey ${requestId} (confirmed): a journey never takes over what another journey created; follow or cancel that journey instead`,
    );
    expect((await statusOf(requestId)).status).toBe('confirmed');
  });

  it('never runs an app admin role without approval, and refuses a role the app does not have', async () => {
    const admin = await submit(newHireRequest({ apps: [{ app: 'github', role: 'admin' }] }));
    expect(admin.status).toBe('awaiting-approval');
    expect((await statusOf(admin.requestId)).policy).toEqual({ policyVersion: 1, rule: 'privileged-roles', control: 'pre-approval', approverGroup: 'iam-approvers' });
    expect(await eventsOf(JourneyRequestedV1.topic, admin.requestId)).toHaveLength(0);
    const unknown = await intake('POST', '/journeys', as['requester'] as Headers, newHireRequest({ apps: [{ app: 'github', role: 'superadmin' }] }));
    expect(unknown).toMatchObject({ status: 400, body: { issues: [{ field: 'apps.0.role', message: 'role superadmin is not a role of app github (its roles: developer, admin)' }] } });
  });

  it('keeps the cost rule when a licence is named like an inherited property', async () => {
    const steered = await submit(newHireRequest({ apps: [{ app: 'salesforce', role: 'user', licence: 'enterprise' }, { app: 'asana', role: 'member', licence: 'constructor' }] }));
    expect(steered.status).toBe('awaiting-approval');
    expect((await statusOf(steered.requestId)).policy).toMatchObject({ rule: 'costly-licence', control: 'pre-approval' });
  });

  it('does not let the admin who created an API key approve a journey requested with it', async () => {
    const created = await intake('POST', '/api-keys', as['keyAdmin'] as Headers, { name: `hr-${Date.now().toString(36)}`, roles: ['requester'] });
    expect(created.status).toBe(201);
    const submitted = await http('POST', `${INTAKE}/journeys`, newHireRequest({ groups: ['staff', 'prod-admins'] }), { authorization: `ApiKey ${created.body.key}` });
    expect(submitted).toMatchObject({ status: 202, body: { status: 'awaiting-approval' } });
    const requestId: string = submitted.body.requestId;
    const task = await openTask(as['iam'] as Headers, requestId, 'pre-approval');
    const own = await intake('POST', `/approvals/${task.taskId}/approve`, as['keyAdmin'] as Headers, { comment: 'the HR system is mine, so is this' });
    expect(own).toMatchObject({ status: 403, body: { reason: 'OWN_REQUEST' } });
    expect(own.body.message).toContain(`key.admin@acme.test created the API key ${created.body.name} that requested this`);
    expect((await intake('POST', `/approvals/${task.taskId}/approve`, as['iam'] as Headers, { comment: 'agreed with HR' })).status).toBe(200);
    const [requested] = await eventually(async () => {
      const events = await eventsOf(JourneyRequestedV1.topic, requestId);
      expect(events).toHaveLength(1);
      return events;
    });
    expect((requested?.value as JourneyRequestedV1).payload.requestedVia).toEqual({ apiKeyId: created.body.id, apiKeyName: created.body.name, createdBy: 'key.admin@acme.test' });
  });
});

describe('a policy change during the run', () => {
  it('applies to new journeys; a journey in flight keeps the version it started with', async () => {
    const workstation = { device: { model: 'workstation-9000' } };
    const inFlight = await submit(newHireRequest(workstation));
    expect(inFlight.status).toBe('awaiting-approval');
    expect((await statusOf(inFlight.requestId)).policy).toMatchObject({ policyVersion: 1, rule: 'non-standard-device', control: 'pre-approval' });

    // Version 2: devices outside the catalogue no longer need approval first.
    const current = (await intake('GET', '/policy', as['admin'] as Headers)).body;
    const v2 = {
      ...current,
      version: 2,
      rules: current.rules.map((r: { id: string }) => (r.id === 'non-standard-device' ? { ...r, control: 'exception-approval', approvers: 'onboarding' } : r)),
    };
    const sameVersion = await intake('PUT', '/policy', as['admin'] as Headers, { ...v2, version: 1 });
    expect(sameVersion.status).toBe(400);
    expect(sameVersion.body.message).toContain('policy version 1 is already recorded with different rules');
    const badRule = await intake('PUT', '/policy', as['admin'] as Headers, { ...v2, rules: [{ ...v2.rules[0], control: 'ask-later' }, ...v2.rules.slice(1)] });
    expect(badRule.status).toBe(400);
    expect(badRule.body.message).toContain("rule 'privileged-groups' (rules[0]).control");
    expect((await intake('PUT', '/policy', as['requester'] as Headers, v2)).status).toBe(403);

    // A journey under approval on exception whose step fails for good only after version 2 is
    // active: its task must still go to the approvers of version 1.
    const failing = newHireRequest();
    expect((await http('PUT', `${SAAS}/simulator/faults`, { failProvisioning: true, onlyFor: [failing.subject.employeeId] }, staff)).status).toBe(200);
    try {
      const escalating = await submit(failing);
      const v2WithOtherApprovers = { ...v2, rules: v2.rules.map((r: { id: string }) => (r.id === 'paid-apps' ? { ...r, approvers: 'app-owners' } : r)) };
      expect((await intake('PUT', '/policy', as['admin'] as Headers, v2WithOtherApprovers)).status).toBe(200);
      const activatedAt = Date.now();
      const exception = await openTask(as['onboarding'] as Headers, escalating.requestId, 'exception');
      expect(exception).toMatchObject({ policyVersion: 1, rule: 'paid-apps', assigneeGroup: 'onboarding-leads' });
      expect(Date.parse((exception as unknown as { createdAt: string }).createdAt)).toBeGreaterThan(activatedAt - 1000);
      expect((await intake('POST', `/approvals/${exception.taskId}/reject`, as['onboarding'] as Headers, { comment: 'not needed after all' })).status).toBe(200);
    } finally {
      await http('PUT', `${SAAS}/simulator/faults`, {}, staff);
    }

    const after = await submit(newHireRequest(workstation));
    expect(after.status).toBe('requested');
    expect((await statusOf(after.requestId)).policy).toMatchObject({ policyVersion: 2, rule: 'non-standard-device', control: 'exception-approval' });
    await waitForStatus(after.requestId, 'confirmed');

    // The journey in flight is still on version 1: it still waits for the approvers of version 1.
    expect((await statusOf(inFlight.requestId)).status).toBe('awaiting-approval');
    const task = await openTask(as['eus'] as Headers, inFlight.requestId, 'pre-approval');
    expect(task).toMatchObject({ policyVersion: 1, rule: 'non-standard-device' });
    expect((await intake('POST', `/approvals/${task.taskId}/approve`, as['eus'] as Headers, { comment: 'agreed under version 1' })).status).toBe(200);
    await waitForStatus(inFlight.requestId, 'confirmed');
    const [requested] = await eventsOf(JourneyRequestedV1.topic, inFlight.requestId);
    expect((requested?.value as JourneyRequestedV1).payload.policy).toMatchObject({ policyVersion: 1 });
  });
});
