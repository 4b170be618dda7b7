import { randomUUID } from 'node:crypto';

import { deadLetterTopic, JourneyRequestedV1, OutcomeConfirmedV1, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import {
  consumeUntil,
  distinctEventIds,
  dropDatabase,
  e2eDatabaseUrl,
  eventually,
  http,
  publish,
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
  waitForGroupToCatchUp,
} from '@closeloop/testing';
import type { Admin, Kafka } from 'kafkajs';

const DATABASE_URL = e2eDatabaseUrl('closeloop_upstream');
const PORTS = servicePorts(3600);
const ASSURANCE = `http://127.0.0.1:${PORTS('assurance')}`;

let services: RunningService[] = [];
let kafka: Kafka;
let admin: Admin;
let idp: TestIdentityProvider;
/** Operators, auditors and admins of assurance and the simulators' fault switches: a token of the test identity provider. */
let staff: { authorization: string };

const db = <T = Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(text, values, DATABASE_URL);
const hex32 = () => randomUUID().replace(/-/g, '');

/** A Workday hire event of a Software Engineer (job profile JP-ENG-SWE in the shipped mapping table). */
const workerHired = () => {
  const id = hex32().slice(0, 8);
  return {
    eventType: 'Worker_Hired',
    eventId: hex32(),
    tenant: 'acme',
    effectiveDate: '2026-03-02',
    completedAt: '2026-02-20T10:00:00Z',
    worker: {
      workerId: `W-${id}`,
      workerType: 'Employee',
      name: { firstName: 'Katherine', lastName: `Johnson ${id}` },
      email: `katherine.${id}@acme.test`,
      position: {
        positionId: `P-${id}`,
        jobProfile: { id: 'JP-ENG-SWE', descriptor: 'Software Engineer' },
        supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
        location: { id: 'LOC-LON', descriptor: 'London' },
      },
    },
  };
};

const publishHire = (event: ReturnType<typeof workerHired>) => publish(kafka, WORKDAY_WORKER_EVENTS_TOPIC, [{ key: event.worker.workerId, value: JSON.stringify(event) }]);

/** The journey intake started for a worker, as a downstream consumer sees it: its `journey.requested` event. */
const requestedFor = async (workerId: string) => {
  const [requested] = await consumeUntil(kafka, JourneyRequestedV1.topic, (m) => (m.value as JourneyRequestedV1).payload?.subject?.employeeId === workerId, { timeoutMs: 30000 });
  return requested?.value as JourneyRequestedV1;
};

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  kafka = testKafka('e2e-upstream');
  admin = kafka.admin();
  await admin.connect();
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  const env = { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, OUTBOX_POLL_MS: '500', ...idp.env };
  // Sequentially on first start: each service creates the database, its schema and topics.
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env, 'e2e-upstream'));
}, 180000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await admin?.disconnect();
  await idp?.stop();
});

describe('journeys from upstream systems, end to end', () => {
  it('turns a Workday hire event into a confirmed new-hire outcome with the access of the job profile', async () => {
    const event = workerHired();
    await publishHire(event);

    const requested = await requestedFor(event.worker.workerId);
    expect(requested).toMatchObject({ journeyType: 'new-hire', payload: { requestedBy: 'workday', groups: ['staff', 'engineering'], device: { model: 'laptop-16' } } });
    const requestId = requested.requestId;
    const [confirmed] = await consumeUntil(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId, { timeoutMs: 60000 });
    expect(confirmed?.value).toMatchObject({ eventType: 'assurance.outcome.confirmed', requestId, journeyType: 'new-hire' });

    const outcome = (await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff)).body;
    const bySignal = Object.fromEntries(outcome.signals.map((s: { signal: string }) => [s.signal, s]));
    expect(Object.keys(bySignal).sort()).toEqual(['device.compliance.verified.v1', 'identity.account.verified.v1', 'saas.access.verified.v1']);
    expect(bySignal['identity.account.verified.v1'].evidence).toMatchObject({ enabled: true, groups: ['staff', 'engineering'], employeeId: event.worker.workerId });
    expect(bySignal['saas.access.verified.v1'].evidence.grants.map((g: { app: string }) => g.app)).toEqual(['slack', 'github', 'asana']);
    expect(bySignal['device.compliance.verified.v1'].evidence).toMatchObject({ model: 'laptop-16', enrolled: true, compliant: true });
    await eventually(async () => {
      const [row] = await db<{ status: string; requested_by: string }>('SELECT status, requested_by FROM intake.journeys WHERE request_id = $1', [requestId]);
      expect(row).toEqual({ status: 'confirmed', requested_by: 'workday' });
    });
  });

  it('starts nothing new when the same Workday event arrives again, during the journey and after its outcome', async () => {
    const event = workerHired();
    await publishHire(event);
    await publishHire(event);
    const { requestId } = await requestedFor(event.worker.workerId);
    await consumeUntil(kafka, OutcomeConfirmedV1.topic, (m) => m.message.key?.toString() === requestId, { timeoutMs: 60000 });
    await publishHire(event);
    await waitForGroupToCatchUp(admin, 'closeloop.intake', [WORKDAY_WORKER_EVENTS_TOPIC]);
    await waitForGroupToCatchUp(admin, 'closeloop.assurance', [JourneyRequestedV1.topic]);

    expect(await db("SELECT request_id FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [event.worker.workerId])).toEqual([{ request_id: requestId }]);
    const requested = await readTopic(kafka, JourneyRequestedV1.topic, (m) => (m.value as JourneyRequestedV1).payload?.subject?.employeeId === event.worker.workerId);
    expect(distinctEventIds(requested).size).toBe(1);
    expect(await db('SELECT 1 FROM assurance.outcomes WHERE request_id = $1', [requestId])).toHaveLength(1);
    expect(await db('SELECT 1 FROM identity.sim_directory_users WHERE employee_id = $1', [event.worker.workerId])).toHaveLength(1);
  });

  it('dead-letters a malformed Workday event with the reason, and the next event still starts its journey', async () => {
    const key = `malformed-${hex32()}`;
    const unmappable = workerHired();
    unmappable.worker.position.jobProfile = { id: 'JP-AST-001', descriptor: 'Astronaut' };
    const good = workerHired();
    await publish(kafka, WORKDAY_WORKER_EVENTS_TOPIC, [
      { key, value: '{"eventType":"Worker_Hired",' },
      { key, value: JSON.stringify({ ...workerHired(), completedAt: 'yesterday' }) },
      { key, value: JSON.stringify(unmappable) },
      { key, value: JSON.stringify(good) },
    ]);
    await requestedFor(good.worker.workerId);

    const dead = await consumeUntil(kafka, deadLetterTopic(WORKDAY_WORKER_EVENTS_TOPIC), (m) => m.message.key?.toString() === key, { count: 3 });
    expect(dead.map((d) => d.headers['dlq-reason'])).toEqual([
      expect.stringMatching(/^terminal error: not JSON: /),
      'terminal error: does not match hr.workday.worker-events.v1: completedAt: Invalid ISO datetime',
      `terminal error: Workday Worker_Hired ${unmappable.eventId}: worker.position.jobProfile.id JP-AST-001 (Astronaut) is not in the job-profile mapping (workday.jobProfiles, version 1)`,
    ]);
    for (const d of dead) expect(d.headers).toMatchObject({ 'dlq-source-topic': WORKDAY_WORKER_EVENTS_TOPIC, 'dlq-consumer-group': 'closeloop.intake' });
    expect(await db("SELECT 1 FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [unmappable.worker.workerId])).toHaveLength(0);
  });
});
