#!/usr/bin/env node
// Submits five sample new-hire journeys to a running stack, waits until assurance confirms each
// outcome, and prints what was verified. Then an access change, a device replacement, a SaaS
// licence (attested afterwards by the app owner) and a new hire that needs approval first. Then three journeys with injected faults (a verification
// failure, a hard failure, a stalled step): prints the escalations, lets operators act through the
// work queue, and prints the outcomes and the KPI table. Plain Node 24 ESM, no dependencies.
//
//   node tools/demo/run-demo.mjs            (bash tools/demo.sh starts the stack first)
//
// Intake authenticates every caller: the demo's people carry tokens of the development identity
// provider (tools/auth/dev-identity.mjs, whose keys tools/stack.sh gave intake), and at the end an
// admin issues an API key to an upstream HR system, which submits a journey with it.
//
// Env: INTAKE_URL, IDENTITY_URL, DEVICE_URL, ASSURANCE_URL (http://127.0.0.1:<port>, each port
//      from deploy/services.json), DEMO_TIMEOUT_MS (60000 per journey), DEMO_POLL_MS (250)

import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { devToken } from '../auth/dev-identity.mjs';
import { readServiceList } from '../services/service-list.mjs';

/** Where a service of deploy/services.json listens on this machine (tools/stack.sh starts it there). */
const SERVICES = readServiceList(resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
const localUrl = (name) => `http://127.0.0.1:${SERVICES.find((s) => s.name === name).port}`;
const INTAKE_URL = process.env.INTAKE_URL ?? localUrl('intake');
const IDENTITY_URL = process.env.IDENTITY_URL ?? localUrl('identity-domain');
const DEVICE_URL = process.env.DEVICE_URL ?? localUrl('device-domain');
const ASSURANCE_URL = process.env.ASSURANCE_URL ?? localUrl('assurance');
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS ?? 60000);
const POLL_MS = Number(process.env.DEMO_POLL_MS ?? 250);

const SIGNAL_IDENTITY = 'identity.account.verified.v1';
const SIGNAL_SAAS = 'saas.access.verified.v1';
const SIGNAL_DEVICE = 'device.compliance.verified.v1';

// Unique per run, so every run creates new hires (and new accounts/devices) instead of replays.
const runId = Date.now().toString(36);

/** Authorization headers of the demo's people (tokens of the development identity provider). */
const bearer = async (sub, roles, groups = []) => ({ authorization: `Bearer ${await devToken({ sub, roles, groups })}` });
const MANAGER = await bearer('manager@acme.test', ['requester']);
/** Reads assurance (operator, auditor) and sets the simulators' fault switches (admin). */
const STAFF = await bearer('it.ops@acme.test', ['operator', 'auditor', 'admin']);
/** Operators of the work queue: who acts is who authenticated. */
const OPS_ADA = await bearer('ops-ada@acme.test', ['operator']);
const OPS_BOB = await bearer('ops-bob@acme.test', ['operator']);

const SAMPLES = [
  {
    employeeId: 'E1001',
    first: 'ada',
    displayName: 'Ada Lovelace',
    groups: ['staff', 'engineering'],
    apps: [
      { app: 'asana', role: 'member' },
      { app: 'slack', role: 'member', licence: 'pro' },
    ],
    model: 'laptop-14',
  },
  {
    employeeId: 'E1002',
    first: 'grace',
    displayName: 'Grace Hopper',
    groups: ['staff', 'engineering', 'platform'],
    apps: [
      // maintainer, not admin: an admin role in any app waits for an approver (rule privileged-roles).
      { app: 'github', role: 'maintainer', licence: 'enterprise' },
      { app: 'slack', role: 'member', licence: 'pro' },
      { app: 'jira', role: 'member' },
    ],
    model: 'laptop-16',
  },
  {
    employeeId: 'E1003',
    first: 'alan',
    displayName: 'Alan Turing',
    groups: ['staff', 'research'],
    apps: [
      { app: 'notion', role: 'editor' },
      { app: 'slack', role: 'member' },
    ],
    model: 'desktop-mini',
  },
  {
    employeeId: 'E1004',
    first: 'katherine',
    displayName: 'Katherine Johnson',
    groups: ['staff', 'finance'],
    apps: [
      { app: 'netsuite', role: 'accountant', licence: 'full' },
      { app: 'zoom', role: 'member', licence: 'pro' },
      { app: 'slack', role: 'member' },
    ],
    model: 'laptop-14',
  },
  {
    employeeId: 'E1005',
    first: 'linus',
    displayName: 'Linus Torvalds',
    groups: ['staff', 'support', 'on-call'],
    apps: [
      { app: 'zendesk', role: 'agent', licence: 'professional' },
      { app: 'slack', role: 'member', licence: 'pro' },
    ],
    model: 'laptop-16',
  },
];

const EXCEPTION_SAMPLES = [
  { employeeId: 'E2001', first: 'margaret', displayName: 'Margaret Hamilton', groups: ['staff', 'engineering'], apps: [{ app: 'asana', role: 'member' }], model: 'laptop-14', fault: 'verification failure' },
  { employeeId: 'E2002', first: 'edsger', displayName: 'Edsger Dijkstra', groups: ['staff', 'research'], apps: [{ app: 'slack', role: 'member' }], model: 'laptop-16', fault: 'hard failure' },
  { employeeId: 'E2003', first: 'barbara', displayName: 'Barbara Liskov', groups: ['staff', 'engineering'], apps: [{ app: 'jira', role: 'member' }], model: 'desktop-mini', fault: 'stall' },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const request = async (url, init) => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10000) });
  const text = await response.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
};

const submit = async (sample, index) => {
  const employeeId = `${sample.employeeId}-${runId}`;
  const body = {
    type: 'new-hire',
    requestedBy: 'manager@acme.test',
    subject: { employeeId, email: `${sample.first}.${runId}@acme.test`, displayName: sample.displayName },
    groups: sample.groups,
    apps: sample.apps,
    device: { model: sample.model },
  };
  const { status, body: answer } = await request(`${INTAKE_URL}/journeys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `demo-${runId}-${index + 1}`, ...MANAGER },
    body: JSON.stringify(body),
  });
  if (status !== 202 || !answer?.requestId) {
    throw new Error(`POST /journeys for ${employeeId} answered ${status}: ${JSON.stringify(answer)}`);
  }
  return { sample, employeeId, requestId: answer.requestId, submittedAt: Date.now() };
};

/** Polls assurance until the outcome is confirmed; stops early when intake reports a failure. */
const awaitOutcome = async (journey) => {
  const deadline = journey.submittedAt + TIMEOUT_MS;
  let polls = 0;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const outcome = await request(`${ASSURANCE_URL}/journeys/${journey.requestId}/outcome`, { headers: STAFF });
      if (outcome.status === 200) return { ...journey, status: 'confirmed', outcome: outcome.body };
      if (outcome.status !== 404) lastError = `outcome answered ${outcome.status}`;
      if (++polls % 8 === 0) {
        const state = await request(`${INTAKE_URL}/journeys/${journey.requestId}`, { headers: MANAGER });
        if (state.status === 200 && state.body?.status === 'failed') return { ...journey, status: 'failed', detail: state.body };
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_MS);
  }
  let status = 'timeout';
  try {
    const state = await request(`${INTAKE_URL}/journeys/${journey.requestId}`, { headers: MANAGER });
    if (state.status === 200 && state.body?.status) status = state.body.status === 'requested' ? 'timeout (requested)' : state.body.status;
  } catch {
    // keep "timeout"
  }
  return { ...journey, status, detail: lastError || `not confirmed within ${TIMEOUT_MS} ms` };
};

// ---------------------------------------------------------------- printing

const evidenceLines = (signals) =>
  (signals ?? []).map((s) => {
    const e = s.evidence ?? {};
    switch (s.signal) {
      case SIGNAL_IDENTITY:
        return `identity  account ${e.accountId}  enabled=${e.enabled}  groups: ${(e.groups ?? []).join(', ')}`;
      case SIGNAL_SAAS:
        return `saas      ${(e.grants ?? [])
          .map((g) => `${g.app} (${g.role}, ${g.licence}${g.active && g.licensed ? '' : ', NOT active/licensed'})`)
          .join('; ')}`;
      case SIGNAL_DEVICE:
        return `device    ${e.assetTag} ${e.model} serial ${e.serialNumber}  enrolled=${e.enrolled} compliant=${e.compliant}`;
      case 'facilities.badge.granted.v1':
        return `badge     ${e.badgeId}  active=${e.active}  zones: ${(e.zones ?? []).join(', ')}`;
      case 'identity.account.disabled.v1':
        return `identity  account ${e.accountId}  enabled=${e.enabled}  groups removed: ${(e.removedGroups ?? []).join(', ')}  sessions revoked: ${e.sessionsRevoked}`;
      case 'saas.access.revoked.v1':
        return `saas      ${(e.apps ?? []).map((a) => `${a.app} inactive${a.reclaimedLicences?.length ? `, licence ${a.reclaimedLicences.join('/')} reclaimed` : ''}`).join('; ') || 'no app access'}`;
      case 'facilities.badge.revoked.v1':
        return `badge     revoked: ${(e.revokedBadges ?? []).join(', ') || 'none held'}  active now: ${(e.activeBadges ?? []).length}`;
      case 'device.return.logged.v1':
        return `device    returned: ${(e.assets ?? []).map((a) => a.assetTag).join(', ') || 'none assigned'}`;
      case 'device.itsm-record.closed.v1':
        return `itsm      ${e.itsmRecordId} ${e.state}`;
      default:
        return `${s.signal}  ${JSON.stringify(e)}`;
    }
  });

const table = (headers, rows) => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  return [rule, line(headers), rule, ...rows.map(line), rule].join('\n');
};

const happyPath = async () => {
  console.log(`demo run ${runId}: submitting ${SAMPLES.length} new-hire journeys to ${INTAKE_URL}`);
  const t0 = Date.now();
  const submitted = [];
  for (const [index, sample] of SAMPLES.entries()) {
    const journey = await submit(sample, index);
    console.log(`  ${journey.requestId}  ${journey.employeeId}  ${sample.displayName}  (${sample.model}; ${sample.apps.map((a) => a.app).join(', ')})`);
    submitted.push(journey);
  }
  console.log(`waiting for confirmed outcomes at ${ASSURANCE_URL} (timeout ${TIMEOUT_MS / 1000} s each) ...`);
  const results = await Promise.all(submitted.map(awaitOutcome));

  const rows = results.map((r) => [
    r.requestId,
    `${r.employeeId} ${r.sample.displayName}`,
    r.status,
    r.status === 'confirmed' ? r.outcome.durationMs : '-',
    r.status === 'confirmed' ? r.outcome.signals.length : '-',
  ]);
  console.log();
  console.log(table(['requestId', 'employee', 'status', 'duration ms', 'signals'], rows));
  console.log();
  console.log('verified signals (evidence read back from the target systems):');
  for (const r of results) {
    console.log(`  ${r.requestId}  ${r.sample.displayName}`);
    if (r.status === 'confirmed') {
      for (const l of evidenceLines(r.outcome.signals)) console.log(`    ${l}`);
    } else {
      console.log(`    NOT CONFIRMED: ${r.status}  ${typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail)}`);
    }
  }
  const confirmed = results.filter((r) => r.status === 'confirmed').length;
  const durations = results.filter((r) => r.status === 'confirmed').map((r) => r.outcome.durationMs);
  console.log();
  console.log(
    `${confirmed}/${results.length} journeys confirmed in ${((Date.now() - t0) / 1000).toFixed(1)} s` +
      (durations.length ? ` (outcome duration min ${Math.min(...durations)} ms, max ${Math.max(...durations)} ms)` : ''),
  );
  return { ok: confirmed === results.length, results };
};

// ---------------------------------------------------------------- the other journeys, and people in the loop

const IAM_APPROVER = await bearer('iam.approver@acme.test', ['approver'], ['iam-approvers']);
const APP_OWNER = await bearer('app.owner@acme.test', ['approver'], ['saas-owners']);

/** POST /journeys as the manager (or `who`); the answer and the policy decision intake recorded. */
const start = async (body, who = MANAGER) => {
  const { status, body: answer } = await request(`${INTAKE_URL}/journeys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...who },
    body: JSON.stringify(body),
  });
  if (status !== 202) throw new Error(`POST /journeys (${body.type}) answered ${status}: ${JSON.stringify(answer)}`);
  const journey = (await request(`${INTAKE_URL}/journeys/${answer.requestId}`, { headers: who })).body;
  return { requestId: answer.requestId, type: body.type, status: answer.status, policy: journey.policy, submittedAt: Date.now() };
};

/** The open task of a journey in the approver's list, once intake has opened it. */
const taskOf = async (who, requestId, kind) => {
  let found;
  await until(`a ${kind} task for ${requestId}`, async () => {
    const { body } = await request(`${INTAKE_URL}/approvals`, { headers: who });
    found = body?.tasks?.find((t) => t.requestId === requestId && t.kind === kind);
    return Boolean(found);
  });
  return found;
};

const decideTask = async (who, task, verb, comment) => {
  const { status, body } = await request(`${INTAKE_URL}/approvals/${task.taskId}/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...who },
    body: JSON.stringify({ comment }),
  });
  if (status !== 200) throw new Error(`${verb} of task ${task.taskId} answered ${status}: ${JSON.stringify(body)}`);
  return body;
};

const moreJourneys = async (hires) => {
  console.log();
  console.log('the other journey types, each under the control pattern the access policy chose:');
  const [ada, grace] = hires.filter((h) => h.status === 'confirmed');
  if (!ada || !grace) {
    console.log('  skipped: needs two confirmed new hires');
    return false;
  }
  const subject = (h) => ({ employeeId: h.employeeId, email: `${h.sample.first}.${runId}@acme.test`, displayName: h.sample.displayName });
  const oldDevice = grace.outcome.signals.find((s) => s.signal === SIGNAL_DEVICE)?.evidence?.assetTag;
  const started = [
    await start({
      type: 'access-change',
      subject: subject(ada),
      remove: { groups: ['engineering'], apps: ['asana'] },
      grant: { groups: ['finance'], apps: [{ app: 'netsuite', role: 'analyst' }] },
    }),
    await start({ type: 'device-replacement', subject: subject(grace), itsmRecordId: `RITM${runId.toUpperCase()}`, retiredAssetTag: oldDevice, reason: 'broken', device: { model: 'laptop-16' } }),
    await start({ type: 'saas-licensing', subject: subject(ada), app: 'slack', licenceType: 'enterprise-grid', seats: 5 }),
    await start({
      type: 'new-hire',
      subject: { employeeId: `E1099-${runId}`, email: `linus.${runId}@acme.test`, displayName: 'Linus Torvalds' },
      groups: ['staff', 'prod-admins'],
      apps: [{ app: 'github', role: 'admin', licence: 'enterprise' }],
      device: { model: 'laptop-14' },
    }),
  ];
  for (const j of started) console.log(`  ${j.requestId}  ${j.type.padEnd(18)} ${j.policy.control} (rule ${j.policy.rule}, policy v${j.policy.policyVersion})  -> ${j.status}`);

  const waiting = started[3];
  const approval = await taskOf(IAM_APPROVER, waiting.requestId, 'pre-approval');
  console.log(`  pre-action approval: task ${approval.taskId} for ${approval.assigneeGroup}, due ${approval.dueAt}; nothing runs until it is decided`);
  await decideTask(IAM_APPROVER, approval, 'approve', 'production access agreed with the platform lead');
  console.log('  approved by iam.approver@acme.test: the journey starts');

  const results = await Promise.all(started.map((j) => awaitOutcome({ ...j, submittedAt: Date.now() })));
  const licensing = results[2];
  let attested = 'not confirmed';
  if (licensing.status === 'confirmed') {
    const attestation = await taskOf(APP_OWNER, licensing.requestId, 'attestation');
    await decideTask(APP_OWNER, attestation, 'approve', 'five Enterprise Grid seats for the events team');
    attested = 'attested by app.owner@acme.test';
  }
  console.log();
  console.log(
    table(
      ['requestId', 'journey', 'control', 'status', 'duration ms', 'verified signals'],
      results.map((r) => [
        r.requestId,
        r.type,
        r.policy.control,
        r.status,
        r.status === 'confirmed' ? r.outcome.durationMs : '-',
        r.status === 'confirmed' ? r.outcome.signals.map((s) => s.signal).join(', ') : '-',
      ]),
    ),
  );
  console.log(`  post-action attestation of the SaaS licence: ${attested}`);
  return results.every((r) => r.status === 'confirmed') && attested.startsWith('attested');
};


// ---------------------------------------------------------------- a team's own service and journey

const HR = await bearer('hr.partner@acme.test', ['requester']);

/**
 * The facilities team joined with its own service (facilities-domain) and journey versions:
 * new hire v2 (v1 and a building badge) is a definition registered at intake, activated here by
 * an admin while v1 journeys may still run; then a leaver is offboarded, badge included.
 */
const facilitiesAndLeavers = async () => {
  console.log();
  console.log('a team adds its own service: facilities-domain issues and revokes building badges');
  const listed = await request(`${INTAKE_URL}/definitions`, { headers: STAFF });
  console.log(`  definitions (GET /definitions): ${(listed.body?.items ?? []).map((d) => `${d.type} v${d.version}${d.active ? ' (active)' : ''}`).join(', ')}`);
  const activated = await post(`${INTAKE_URL}/definitions/new-hire/2/activate`, {});
  console.log(`  an admin activates new-hire v2 (POST /definitions/new-hire/2/activate): ${activated.status}; journeys started on v1 keep v1`);
  const hire = await start({
    type: 'new-hire',
    subject: { employeeId: `E4001-${runId}`, email: `margaret.${runId}@acme.test`, displayName: 'Margaret Hamilton' },
    groups: ['staff', 'engineering'],
    apps: [{ app: 'asana', role: 'member' }, { app: 'figma', role: 'editor', licence: 'professional' }],
    device: { model: 'laptop-14' },
  });
  const onboarded = await awaitOutcome({ ...hire, submittedAt: Date.now() });
  console.log(`  ${hire.requestId}  new-hire v${onboarded.outcome?.definitionVersion ?? '?'}  Margaret Hamilton -> ${onboarded.status}`);
  for (const l of evidenceLines(onboarded.outcome?.signals)) console.log(`    ${l}`);
  if (onboarded.status !== 'confirmed') return false;

  console.log('  she leaves: the service desk raises the leaver record, HR offboards her; everything is taken back and read back, then the record is closed');
  const itsmRecordId = `RITM4${runId.toUpperCase()}`;
  await put(`${DEVICE_URL}/simulator/itsm/records/${itsmRecordId}`, undefined);
  const leaver = await start(
    { type: 'offboarding', subject: { employeeId: `E4001-${runId}`, email: `margaret.${runId}@acme.test`, displayName: 'Margaret Hamilton' }, lastDay: '2026-12-31', itsmRecordId },
    HR,
  );
  const offboarded = await awaitOutcome({ ...leaver, submittedAt: Date.now() });
  console.log(`  ${leaver.requestId}  offboarding v${offboarded.outcome?.definitionVersion ?? '?'} (${leaver.policy.control}, rule ${leaver.policy.rule}) -> ${offboarded.status}`);
  for (const l of evidenceLines(offboarded.outcome?.signals)) console.log(`    ${l}`);
  return offboarded.status === 'confirmed' && (onboarded.outcome?.signals ?? []).some((s) => s.signal === 'facilities.badge.granted.v1');
};

// ---------------------------------------------------------------- exception paths

const post = (url, body, who = STAFF) => request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...who }, body: JSON.stringify(body) });
const put = (url, body, who = STAFF) => request(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...who }, body: JSON.stringify(body) });
const stack = (...args) => execFileSync('bash', ['tools/stack.sh', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

/** Polls until `check` returns a value (or the time is up). */
const until = async (what, check, timeoutMs = 60000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}`);
};
const intakeStatus = async (id, status) => {
  const r = await request(`${INTAKE_URL}/journeys/${id}`, { headers: MANAGER });
  return r.body?.status === status ? r.body : undefined;
};
const tracked = async (id) => (await request(`${ASSURANCE_URL}/journeys/${id}`, { headers: STAFF })).body;

const exceptionPaths = async (t0) => {
  const [verification, hard, stall] = EXCEPTION_SAMPLES.map((sample, i) => ({ sample, i }));
  const ids = {};
  console.log();
  console.log('exception paths: three more journeys, each with a fault injected into a target-system simulator');
  await put(`${IDENTITY_URL}/simulator/faults`, { readBackDisagrees: true, onlyFor: [`${verification.sample.employeeId}-${runId}`] });
  await put(`${DEVICE_URL}/simulator/faults`, { failProvisioning: true, onlyFor: [`${hard.sample.employeeId}-${runId}`] });
  console.log('  saas-domain stopped: the SaaS step of the next journey will stall');
  stack('stop', 'saas-domain');
  for (const { sample, i } of [verification, hard, stall]) {
    const journey = await submit(sample, SAMPLES.length + i);
    ids[sample.fault] = journey;
    console.log(`  ${journey.requestId}  ${journey.employeeId}  ${sample.displayName}: ${sample.fault}`);
  }

  const stalled = await until('the stalled SaaS step', async () => ((await tracked(ids.stall.requestId))?.stalls?.length ? true : undefined), 40000);
  if (stalled) console.log('  stall detected by assurance at the SaaS deadline; retry requested; restarting saas-domain');
  stack('start', 'saas-domain');

  const escalations = [];
  for (const fault of ['verification failure', 'hard failure']) {
    const escalated = await until(`the escalation of the ${fault}`, () => intakeStatus(ids[fault].requestId, 'escalated'));
    escalations.push({ fault, journey: ids[fault], escalation: escalated.failure });
  }
  console.log();
  console.log('escalations in the human work queue (GET /work-queue):');
  for (const e of escalations) {
    console.log(`  ${e.journey.requestId}  ${e.fault}: ${e.escalation.step} after ${e.escalation.attempts} attempts -> ${e.escalation.escalateTo}`);
    for (const h of e.escalation.history) console.log(`    ${h.at}  ${h.what}  ${h.detail}`);
  }

  console.log();
  console.log('operators act: the directory is repaired and the identity step retried; the device order is failed, which compensates the journey');
  await post(`${ASSURANCE_URL}/work-queue/${ids['verification failure'].requestId}/claim`, {}, OPS_ADA);
  await put(`${IDENTITY_URL}/simulator/faults`, {});
  await post(`${ASSURANCE_URL}/work-queue/${ids['verification failure'].requestId}/resolve`, { action: 'retry', comment: 'directory sync repaired' }, OPS_ADA);
  await post(`${ASSURANCE_URL}/work-queue/${ids['hard failure'].requestId}/claim`, {}, OPS_BOB);
  await post(`${ASSURANCE_URL}/work-queue/${ids['hard failure'].requestId}/resolve`, { action: 'fail', comment: 'model discontinued; hiring manager informed' }, OPS_BOB);
  await put(`${DEVICE_URL}/simulator/faults`, {});

  const outcomes = [];
  for (const [fault, expected] of [['verification failure', 'confirmed'], ['hard failure', 'compensated'], ['stall', 'confirmed']]) {
    const journey = ids[fault];
    const final = await until(`${fault} to end ${expected}`, () => intakeStatus(journey.requestId, expected)).catch(() => ({ status: 'not ' + expected }));
    const state = await tracked(journey.requestId);
    const retries = Object.values(state?.steps ?? {}).reduce((n, s) => n + Math.max(0, s.attempt - 1), 0);
    outcomes.push([journey.requestId, fault, final.status, state?.stalls?.length ?? 0, retries, state?.failures?.length ?? 0, final.outcome?.durationMs ?? '-']);
  }
  console.log();
  console.log(table(['requestId', 'fault', 'status', 'stalls', 'retries', 'failed attempts', 'duration ms'], outcomes));

  const kpis = await request(`${ASSURANCE_URL}/kpis?from=${encodeURIComponent(new Date(t0 - 1000).toISOString())}`, { headers: STAFF });
  const pct = (v) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(0)}%`);
  console.log();
  console.log('fulfilment KPIs for this run (GET /kpis):');
  console.log(
    table(
      ['journey type', 'journeys', 'confirmed', 'escalated', 'failed', 'compensated', 'mean ms', 'p95 ms', 'first-time-right', 'touchpoints/journey', 'exception rate'],
      (kpis.body?.byJourneyType ?? []).map((k) => [
        k.journeyType,
        k.journeys,
        k.confirmed,
        k.escalated,
        k.failed,
        k.compensated,
        k.meanTimeToFulfilMs ?? '-',
        k.p95TimeToFulfilMs ?? '-',
        pct(k.firstTimeRightRate),
        k.humanTouchpointsPerJourney?.toFixed(2) ?? '-',
        pct(k.exceptionRate),
      ]),
    ),
  );
  return outcomes.every(([, fault, status]) => status === (fault === 'hard failure' ? 'compensated' : 'confirmed'));
};

// ---------------------------------------------------------------- who is calling

const whoIsCalling = async () => {
  const call = (method, path, headers, body) =>
    request(`${INTAKE_URL}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const expect = (what, response, status) => {
    const ok = response.status === status;
    const detail = response.body?.reason ? `${response.body.reason}: ${response.body.message}` : '';
    console.log(`  ${ok ? '' : 'UNEXPECTED '}${response.status}  ${what}${detail ? `  (${detail})` : ''}`);
    return ok;
  };
  const admin = await bearer('it-admin@acme.test', ['admin']);
  const auditor = await bearer('auditor@acme.test', ['auditor']);
  console.log();
  console.log('who is calling: people carry tokens of the identity provider, upstream systems API keys (only their hashes are stored)');

  const created = await call('POST', '/api-keys', admin, { name: `workday-hr-${runId}`, roles: ['requester'] });
  if (!expect('an admin issues an API key to the HR system (POST /api-keys)', created, 201)) return false;
  console.log(`       key id ${created.body.id}, name ${created.body.name}, roles ${created.body.roles.join(', ')}; the key itself is shown this once`);
  const hr = { authorization: `ApiKey ${created.body.key}` };
  const employeeId = `E3001-${runId}`;
  const submitted = await call('POST', '/journeys', hr, {
    type: 'new-hire',
    subject: { employeeId, email: `hedy.${runId}@acme.test`, displayName: 'Hedy Lamarr' },
    groups: ['staff', 'engineering'],
    apps: [{ app: 'slack', role: 'member' }],
    device: { model: 'laptop-14' },
  });
  let ok = expect(`the HR system submits a new hire for ${employeeId} with its key`, submitted, 202);
  const id = submitted.body?.requestId;
  if (id) {
    const journey = await until('the HR system\'s journey to be confirmed', async () => {
      const r = await call('GET', `/journeys/${id}`, hr);
      return r.body?.status === 'confirmed' ? r.body : undefined;
    }).catch(() => ({ status: 'not confirmed', requestedBy: '?' }));
    console.log(`       ${id} ${journey.status}; requestedBy: ${journey.requestedBy}`);
    ok = journey.status === 'confirmed' && ok;
    ok = expect('a call without credentials', await call('GET', `/journeys/${id}`, {}), 401) && ok;
    ok = expect('another requester reads that journey', await call('GET', `/journeys/${id}`, await bearer('someone.else@acme.test', ['requester'])), 403) && ok;
    ok = expect('an auditor tries to cancel it', await call('POST', `/journeys/${id}/cancel`, auditor, { reason: 'curious' }), 403) && ok;
  }
  ok = expect('the admin revokes the key (DELETE /api-keys/:id)', await call('DELETE', `/api-keys/${created.body.id}`, admin), 200) && ok;
  ok = expect('the HR system calls with the revoked key', await call('POST', '/journeys', hr, {}), 401) && ok;

  const denials = await call('GET', '/access-denials?limit=4', auditor);
  console.log();
  console.log('every 401/403 is audited (GET /access-denials, auditors and admins):');
  console.log(
    table(
      ['at', 'who', 'request', 'status', 'reason'],
      (denials.body?.items ?? []).map((d) => [d.at, d.principalId ?? '(unknown)', `${d.method} ${d.path}`, d.status, d.reason]),
    ),
  );
  return ok && denials.status === 200;
};

const main = async () => {
  const t0 = Date.now();
  const happy = await happyPath();
  const more = await moreJourneys(happy.results);
  const facilities = await facilitiesAndLeavers();
  const exceptions = await exceptionPaths(t0);
  const auth = await whoIsCalling();
  return happy.ok && more && facilities && exceptions && auth ? 0 : 1;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
