import { currentDefinition, OutcomeConfirmedV1 } from '@closeloop/contracts';
import {
  dropDatabase,
  e2eDatabaseUrl,
  eventually,
  http,
  newHireRequest,
  type OtlpReceiver,
  publish,
  type ReceivedSpan,
  type RunningService,
  serviceList,
  type ServiceName,
  servicePorts,
  SERVICES,
  startOtlpReceiver,
  startService,
  startTestIdentityProvider,
  stopService,
  testEnv,
  type TestIdentityProvider,
  testKafka,
} from '@closeloop/testing';

/**
 * Observability, end to end: the services of deploy/services.json export their spans over OTLP
 * (http/protobuf, as in production) to a receiver inside the test, and each journey must come
 * out as one trace, with unbroken parent links across every Kafka hop. Then each service's
 * `/metrics`.
 */
const DATABASE_URL = e2eDatabaseUrl('closeloop_trace');
const PORTS = servicePorts(3300);
const url = (service: ServiceName) => `http://127.0.0.1:${PORTS(service)}`;
/** Every service but intake consumes the journey requests; the domain services are asked to undo. */
const REQUEST_CONSUMERS = serviceList().filter((s) => s.kind !== 'intake').map((s) => s.name);
const DOMAIN_SERVICES = serviceList().filter((s) => s.kind === 'domain').map((s) => s.name);
/**
 * What a new-hire journey passes through: intake, assurance and the owners of the steps of the
 * definition a fresh registry activates (they query PostgreSQL and publish).
 */
const NEW_HIRE_SERVICES = serviceList()
  .filter((s) => s.kind !== 'domain' || (currentDefinition('new-hire')?.steps ?? []).some((step) => step.owner === s.owner))
  .map((s) => s.name);
const INTAKE = url('intake');
const ASSURANCE = url('assurance');

const PRODUCER = 4;
const CONSUMER = 5;
const SERVER = 2;

let services: RunningService[] = [];
let receiver: OtlpReceiver;
let idp: TestIdentityProvider;
/** Operators, auditors and admins of assurance and the simulators' fault switches: a token of the test identity provider. */
let staff: { authorization: string };
/** An operator of the work queue, by name: the operator is the caller's token, never a body field. */
const ops = (sub: string) => idp.headers({ sub, roles: ['operator'] });
let manager: { authorization: string };

const intake = (method: string, path: string, body?: unknown) => http(method, `${INTAKE}${path}`, body, manager);

const submit = async (request = newHireRequest()): Promise<{ requestId: string; employeeId: string }> => {
  const response = await intake('POST', '/journeys', request);
  expect(response.status).toBe(202);
  return { requestId: response.body.requestId as string, employeeId: request.subject.employeeId };
};

const journeyAt = async (requestId: string, status: string) =>
  eventually(async () => {
    const response = await intake('GET', `/journeys/${requestId}`);
    expect(response.body.status).toBe(status);
    return response.body as { traceId: string | null };
  }, 40000);

const spansOf = (traceId: string) => receiver.spans().filter((s) => s.traceId === traceId);
const describeSpan = (s: ReceivedSpan) => `${s.service}: ${s.name}`;

/**
 * The trace is whole: exactly one root (intake's POST /journeys server span), and every other
 * span's parent is among the collected spans, so no Kafka hop started a trace of its own.
 */
const expectConnected = (spans: readonly ReceivedSpan[]) => {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => s.parentSpanId === '');
  const orphans = spans.filter((s) => s.parentSpanId !== '' && !ids.has(s.parentSpanId));
  expect(orphans.map(describeSpan)).toEqual([]);
  expect(roots.map(describeSpan)).toEqual([`intake: ${roots[0]?.name}`]);
  expect(roots[0]).toMatchObject({ kind: SERVER, name: expect.stringMatching(/^POST/) });
};

/** Every producer and consumer span of the trace names the journey. */
const expectMessagingSpansName = (spans: readonly ReceivedSpan[], requestId: string) => {
  const messaging = spans.filter((s) => s.kind === PRODUCER || s.kind === CONSUMER);
  expect(messaging.length).toBeGreaterThan(0);
  expect(messaging.filter((s) => s.attributes['requestId'] !== requestId).map(describeSpan)).toEqual([]);
  expect(messaging.every((s) => s.attributes['journeyType'] === 'new-hire' && s.attributes['messaging.system'] === 'kafka')).toBe(true);
};

const has = (spans: readonly ReceivedSpan[], service: string, name: string, attributes: Record<string, unknown> = {}) =>
  spans.some((s) => s.service === service && s.name === name && Object.entries(attributes).every(([k, v]) => s.attributes[k] === v));

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  receiver = await startOtlpReceiver();
  idp = await startTestIdentityProvider();
  staff = await idp.headers({ sub: 'staff@acme.test', roles: ['operator', 'auditor', 'admin'], expiresIn: '2h' });
  manager = await idp.headers({ sub: 'manager@acme.test', roles: ['requester'], expiresIn: '2h' });
  const env = {
    DATABASE_URL,
    KAFKA_BROKERS: testEnv().KAFKA_BROKERS,
    OUTBOX_POLL_MS: '500',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...idp.env,
  };
  // Sequentially on first start: each service creates the database, its schema and topics.
  for (const name of SERVICES) services.push(await startService(name, PORTS(name), env, 'e2e-trace'));
}, 180000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s)));
  services = [];
  await idp?.stop();
  await receiver?.close();
});

describe('tracing, end to end', () => {
  it('makes one journey one trace: from POST /journeys through every service to the confirmed outcome, linked hop by hop', async () => {
    const { requestId } = await submit();
    const { traceId } = await journeyAt(requestId, 'confirmed');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const outcome = await http('GET', `${ASSURANCE}/journeys/${requestId}/outcome`, undefined, staff);
    expect(outcome.body).toMatchObject({ requestId, traceId });
    const timeline = await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline`, undefined, staff);
    expect(timeline.body.entries.length).toBeGreaterThan(0);
    expect(timeline.body.entries.filter((e: { traceId: string | null }) => e.traceId !== traceId)).toEqual([]);

    const spans = await eventually(() => {
      const all = spansOf(traceId as string);
      // The last hop: intake handles the confirmation. A consumer of the request with no step in
      // this journey (facilities-domain on new-hire v1) may export its span after it: wait for all.
      expect(has(all, 'intake', `process ${OutcomeConfirmedV1.topic}`)).toBe(true);
      for (const service of REQUEST_CONSUMERS) expect({ service, processed: has(all, service, 'process intake.journey.requested.v1') }).toEqual({ service, processed: true });
      expectConnected(all);
      return all;
    }, 20000);
    expect([...new Set(spans.map((s) => s.service))].sort()).toEqual([...SERVICES].sort());
    expectMessagingSpansName(spans, requestId);
    // The hops: intake's request reaches every domain, and assurance confirms it.
    for (const service of REQUEST_CONSUMERS) {
      expect(has(spans, service, 'process intake.journey.requested.v1', { 'messaging.consumer.group.name': `closeloop.${service}` })).toBe(true);
    }
    expect(has(spans, 'assurance', `send ${OutcomeConfirmedV1.topic}`)).toBe(true);
    // PostgreSQL queries, inside the request at intake and inside the handlers elsewhere.
    for (const service of NEW_HIRE_SERVICES) expect({ service, pg: spans.some((s) => s.service === service && s.scope.includes('pg')) }).toEqual({ service, pg: true });
  });

  it("keeps retries, the escalation, an operator's decision and the compensation in the journey's trace", async () => {
    // The fault first: the device step must not run before it is in place.
    const request = newHireRequest();
    expect((await http('PUT', `${url('device-domain')}/simulator/faults`, { failProvisioning: true, onlyFor: [request.subject.employeeId] }, staff)).status).toBe(200);
    try {
      const { requestId } = await submit(request);
      const { traceId } = await journeyAt(requestId, 'escalated');
      await eventually(async () => expect((await http('GET', `${ASSURANCE}/journeys/${requestId}`, undefined, staff)).body.steps.saas.status).toBe('verified'));
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/claim`, {}, await ops('ops-trace'))).status).toBe(200);
      expect((await http('POST', `${ASSURANCE}/work-queue/${requestId}/resolve`, { action: 'fail', comment: 'model discontinued' }, await ops('ops-trace'))).status).toBe(200);
      await journeyAt(requestId, 'compensated');

      const spans = await eventually(() => {
        const all = spansOf(traceId as string);
        expect(has(all, 'intake', 'process assurance.journey.compensated.v1')).toBe(true);
        expectConnected(all);
        return all;
      }, 20000);
      expectMessagingSpansName(spans, requestId);
      // Retries asked by assurance's deadline scan (no message caused them) and handled by the device domain.
      expect(has(spans, 'assurance', 'send assurance.step.retry-requested.v1', { step: 'device', attempt: 2 })).toBe(true);
      expect(has(spans, 'device-domain', 'process assurance.step.retry-requested.v1', { step: 'device', attempt: 3 })).toBe(true);
      expect(has(spans, 'assurance', 'send assurance.journey.escalated.v1')).toBe(true);
      // The operator's decision continues the journey's trace and links the operator's request.
      const failed = spans.find((s) => s.name === 'send assurance.journey.failed.v1');
      expect(failed?.links.map((l) => l.traceId)).toEqual([expect.not.stringMatching(traceId as string)]);
      const operatorTrace = failed?.links[0]?.traceId as string;
      expect(receiver.spans().some((s) => s.traceId === operatorTrace && s.service === 'assurance' && s.kind === SERVER)).toBe(true);
      for (const service of DOMAIN_SERVICES) {
        expect(has(spans, service, 'process assurance.compensation.requested.v1')).toBe(true);
      }
      expect(has(spans, 'assurance', 'send assurance.journey.compensated.v1')).toBe(true);
      const timeline = await http('GET', `${ASSURANCE}/journeys/${requestId}/timeline`, undefined, staff);
      expect(timeline.body.entries.filter((e: { traceId: string | null }) => e.traceId !== traceId)).toEqual([]);
    } finally {
      await http('PUT', `${url('device-domain')}/simulator/faults`, {}, staff);
    }
  });

  it("continues the journey's trace from a cancel, linking the cancel request", async () => {
    const request = newHireRequest();
    expect((await http('PUT', `${url('saas-domain')}/simulator/faults`, { latencyMs: 2000, onlyFor: [request.subject.employeeId] }, staff)).status).toBe(200);
    try {
      const submitted = await intake('POST', '/journeys', request);
      expect(submitted.status).toBe(202);
      const requestId = submitted.body.requestId as string;
      expect((await intake('POST', `/journeys/${requestId}/cancel`, { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' })).status).toBe(202);
      const { traceId } = await journeyAt(requestId, 'compensated');
      const spans = await eventually(() => {
        const all = spansOf(traceId as string);
        expect(has(all, 'intake', 'process assurance.journey.compensated.v1')).toBe(true);
        expectConnected(all);
        return all;
      }, 20000);
      const cancel = spans.find((s) => s.service === 'intake' && s.name === 'send intake.journey.cancel-requested.v1');
      expect(cancel?.links).toHaveLength(1);
      expect(receiver.spans().some((s) => s.traceId === cancel?.links[0]?.traceId && s.kind === SERVER && s.service === 'intake')).toBe(true);
      expect(has(spans, 'assurance', 'process intake.journey.cancel-requested.v1')).toBe(true);
    } finally {
      await http('PUT', `${url('saas-domain')}/simulator/faults`, {}, staff);
    }
  });
});

describe('metrics', () => {
  const MESSAGING_SERIES = [
    'closeloop_events_consumed_total',
    'closeloop_events_produced_total',
    'closeloop_events_dead_lettered_total',
    'closeloop_handler_duration_seconds_bucket',
    'closeloop_outbox_backlog',
    'closeloop_outbox_oldest_age_seconds',
    'closeloop_consumer_lag',
    'process_cpu_user_seconds_total',
    'nodejs_eventloop_lag_seconds',
  ];
  const JOURNEY_SERIES = [
    'closeloop_journeys_started_total',
    'closeloop_journeys_in_flight',
    'closeloop_journeys_stalled_total',
    'closeloop_journeys_escalated_total',
    'closeloop_journeys_confirmed_total',
    'closeloop_journeys_compensated_total',
    'closeloop_journey_time_to_fulfil_seconds_bucket',
    'closeloop_journeys_first_time_right_ratio',
    'closeloop_journeys_exception_ratio',
  ];

  /** The value of one sample (`name{labels} value`) of a Prometheus text exposition. */
  const sample = (text: string, name: string, labels: Record<string, string>): number | undefined => {
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
      if (!match || match[1] !== name) continue;
      const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
    }
    return undefined;
  };

  it("exposes each service's series on /metrics, labelled with the service", async () => {
    // One malformed message on a topic intake reads: dead-lettered and counted.
    await publish(testKafka('e2e-trace'), OutcomeConfirmedV1.topic, [{ key: 'not-a-journey', value: '{"broken":' }]);
    await eventually(async () => {
      const text = (await http('GET', `${INTAKE}/metrics`)).body as string;
      expect(sample(text, 'closeloop_events_dead_lettered_total', { topic: OutcomeConfirmedV1.topic, service: 'intake' })).toBeGreaterThanOrEqual(1);
    });

    for (const service of SERVICES) {
      const response = await fetch(`${url(service)}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      // A service exposes its produced_total once it published: those a new-hire journey passes through have.
      const expected = NEW_HIRE_SERVICES.includes(service) ? MESSAGING_SERIES : MESSAGING_SERIES.filter((s) => s !== 'closeloop_events_produced_total');
      for (const series of expected) expect({ service, series, exposed: new RegExp(`^${series}\\{[^}]*service="${service}"`, 'm').test(text) }).toEqual({ service, series, exposed: true });
      if (NEW_HIRE_SERVICES.includes(service)) expect(sample(text, 'closeloop_events_produced_total', { service })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'closeloop_outbox_backlog', { service })).toBeGreaterThanOrEqual(0);
    }

    const assurance = await (await fetch(`${ASSURANCE}/metrics`)).text();
    for (const series of JOURNEY_SERIES) expect({ series, exposed: new RegExp(`^${series}\\{[^}]*journey_type="new-hire"`, 'm').test(assurance) }).toEqual({ series, exposed: true });
    const labels = { journey_type: 'new-hire', service: 'assurance' };
    expect(sample(assurance, 'closeloop_journeys_started_total', labels)).toBeGreaterThanOrEqual(3);
    expect(sample(assurance, 'closeloop_journeys_confirmed_total', labels)).toBeGreaterThanOrEqual(1);
    expect(sample(assurance, 'closeloop_journeys_escalated_total', labels)).toBeGreaterThanOrEqual(1);
    expect(sample(assurance, 'closeloop_journeys_compensated_total', labels)).toBeGreaterThanOrEqual(2);
    expect(sample(assurance, 'closeloop_journey_time_to_fulfil_seconds_count', labels)).toBeGreaterThanOrEqual(1);
    // Of the journeys started in the last hour: this spec's clean one confirmed first time right, its
    // other two not confirmed. The stack may also have picked up journeys an earlier suite left on
    // the topics (their database is gone; their events were not), so the ratio is at most 1, above 0.
    const firstTimeRight = sample(assurance, 'closeloop_journeys_first_time_right_ratio', labels);
    expect(firstTimeRight).toBeGreaterThan(0);
    expect(firstTimeRight).toBeLessThanOrEqual(1);
    expect(sample(assurance, 'closeloop_journeys_exception_ratio', labels)).toBeGreaterThan(0);
    expect(sample(assurance, 'closeloop_consumer_lag', { topic: 'intake.journey.requested.v1', service: 'assurance' })).toBeGreaterThanOrEqual(0);
  });
});
