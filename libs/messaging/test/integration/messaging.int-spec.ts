import { randomUUID } from 'node:crypto';

import { AccountVerifiedV1, buildEvent, deadLetterTopic, type EventEnvelope } from '@closeloop/contracts';
import { openDatabase } from '@closeloop/database';
import { createLogger, runInMessageScope } from '@closeloop/observability';
import { consumeUntil, eventually, publish, readTopic, recordSpans, type SpanRecorder, testEnv, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  type EventBatch,
  Inbox,
  KafkaBatchServer,
  messagingTablesMigration,
  Outbox,
  OutboxRelay,
  outboxTraceContextMigration,
  outgoing,
  RetryableError,
  TerminalError,
} from '../../src';

const SCHEMA = `msg_test_${randomUUID().slice(0, 8)}`;
const TOPIC = AccountVerifiedV1.topic;

const accountVerified = (requestId: string, accountId = 'u-1'): EventEnvelope =>
  buildEvent(AccountVerifiedV1, { requestId, journeyType: 'new-hire', producer: 'test' }, { accountId, employeeId: 'E1', enabled: true, groups: [], verifiedAt: new Date().toISOString() }, {
    eventId: randomUUID(),
    occurredAt: new Date(),
  });

let dataSource: DataSource;
let kafka: Kafka;
let producer: Producer;
let admin: Admin;
let testClient: Kafka;
let recorder: SpanRecorder;

beforeAll(async () => {
  recorder = recordSpans();
  const { DATABASE_URL, KAFKA_BROKERS } = testEnv();
  dataSource = await openDatabase({
    url: DATABASE_URL,
    schema: SCHEMA,
    poolSize: 4,
    migrations: [messagingTablesMigration(SCHEMA, 1732180000000), outboxTraceContextMigration(SCHEMA, 1732600000000)],
    applicationName: 'messaging-int',
  });
  kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'messaging-int' }, createLogger('kafkajs'));
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPIC, deadLetterTopic(TOPIC)], 3);
  testClient = testKafka();
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${SCHEMA}" CASCADE`);
  await dataSource.destroy();
  await producer.disconnect();
  await admin.disconnect();
  await recorder.stop();
});

describe('transactional outbox and relay', () => {
  it('publishes what a transaction committed, in commit order, keyed by requestId, and marks it published', async () => {
    const requestId = randomUUID();
    const events = [accountVerified(requestId, 'a'), accountVerified(requestId, 'b'), accountVerified(requestId, 'c')];
    const outbox = new Outbox(SCHEMA);
    await dataSource.transaction((m) => outbox.add(m, events.map((e) => outgoing(AccountVerifiedV1, e))));
    await expect(
      dataSource.transaction(async (m) => {
        await outbox.add(m, [outgoing(AccountVerifiedV1, accountVerified(requestId, 'rolled-back'))]);
        throw new Error('business rule broke');
      }),
    ).rejects.toThrow('business rule broke');

    const relay = new OutboxRelay(dataSource, producer, { schema: SCHEMA, databaseUrl: testEnv().DATABASE_URL, pollMs: 60000 });
    await relay.start(); // wakes on NOTIFY; the poll interval is too long to matter here
    try {
      const received = await consumeUntil(testClient, TOPIC, (m) => m.message.key?.toString() === requestId, { count: 3 });
      expect(received.map((r) => (r.value as EventEnvelope).eventId)).toEqual(events.map((e) => e.eventId));
      expect(received[0]?.headers).toMatchObject({ 'event-id': events[0]?.eventId, 'request-id': requestId, 'event-type': 'identity.account.verified' });
      await eventually(async () => {
        const rows = await dataSource.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".outbox_messages`);
        expect(rows[0].n).toBe(0);
      });
      const all = await readTopic(testClient, TOPIC, (m) => m.message.key?.toString() === requestId);
      expect(all.map((m) => (m.value as { payload: { accountId: string } }).payload.accountId)).toEqual(['a', 'b', 'c']);
    } finally {
      await relay.stop();
    }
  });
});

describe('inbox', () => {
  it('claims an event id once: a redelivery is recognised as already handled', async () => {
    const inbox = new Inbox(SCHEMA, 'test-consumer');
    const id = randomUUID();
    const first = await dataSource.transaction((m) => inbox.claim(m, [id, id]));
    const second = await dataSource.transaction((m) => inbox.claim(m, [id]));
    expect([...first]).toEqual([id]);
    expect([...second]).toEqual([]);
    const other = await dataSource.transaction((m) => new Inbox(SCHEMA, 'other-consumer').claim(m, [id]));
    expect([...other]).toEqual([id]);
  });
});

describe('batch consumer transport', () => {
  it('hands valid events over in batches, dead-letters bad ones with the reason, retries retryable errors, and moves on', async () => {
    const groupId = `messaging-int-${randomUUID().slice(0, 8)}`;
    const good = accountVerified(randomUUID());
    const poison = accountVerified(randomUUID());
    const flaky = accountVerified(randomUUID());
    const wrongKey = accountVerified(randomUUID());
    const ours = new Set([good, poison, flaky, wrongKey].map((e) => e.requestId));
    const handled: string[] = [];
    let flakyAttempts = 0;

    const server = new KafkaBatchServer({ kafka, producer, groupId, maxBackoffMs: 200 });
    server.addHandler(
      TOPIC,
      async (batch: EventBatch) => {
        const mine = batch.events.filter((e) => ours.has(e.requestId));
        if (mine.some((e) => e.eventId === poison.eventId)) throw new TerminalError('BROKEN_INVARIANT', 'poison event');
        if (mine.some((e) => e.eventId === flaky.eventId) && ++flakyAttempts < 3) throw new RetryableError('database briefly unavailable');
        handled.push(...mine.map((e) => e.eventId));
      },
      true,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    try {
      const marker = randomUUID();
      await publish(testClient, TOPIC, [
        { key: good.requestId, value: JSON.stringify(good) },
        { key: marker, value: '{"not": "an event"' },
        { key: poison.requestId, value: JSON.stringify(poison) },
        { key: flaky.requestId, value: JSON.stringify(flaky) },
        { key: marker, value: JSON.stringify(wrongKey) },
      ]);

      await eventually(() => expect(handled.sort()).toEqual([good.eventId, flaky.eventId].sort()), 30000);
      expect(flakyAttempts).toBe(3);

      // The topic may hold other runs' messages, which this fresh group dead-letters too: keep ours.
      const dead = await consumeUntil(
        testClient,
        deadLetterTopic(TOPIC),
        (m) => m.headers['dlq-consumer-group'] === groupId && [marker, poison.requestId].includes(m.message.key?.toString() ?? ''),
        { count: 3 },
      );
      expect(dead).toHaveLength(3);
      const reasons = Object.fromEntries(dead.map((d) => [d.message.key?.toString() === marker ? (d.headers['dlq-reason']?.startsWith('value is not JSON') ? 'garbage' : 'wrongKey') : 'poison', d.headers['dlq-reason']]));
      expect(reasons['garbage']).toMatch(/^value is not JSON/);
      expect(reasons['wrongKey']).toBe(`message key "${marker}" is not the requestId ${wrongKey.requestId}`);
      expect(reasons['poison']).toBe('terminal error: poison event');
      expect(dead.every((d) => d.headers['dlq-source-topic'] === TOPIC && /^\d+$/.test(d.headers['dlq-source-offset'] ?? ''))).toBe(true);

      await waitForGroupToCatchUp(admin, groupId, [TOPIC], 30000);
    } finally {
      await server.close();
    }
  });
});

describe('trace context through the outbox and Kafka', () => {
  it('continues the trace of the request that added an event, and of the event that caused the next one, hop by hop', async () => {
    const groupId = `messaging-trace-${randomUUID().slice(0, 8)}`;
    const requestId = randomUUID();
    const first = accountVerified(requestId, 'first');
    const caused = buildEvent(
      AccountVerifiedV1,
      { requestId, journeyType: 'new-hire', producer: 'test', causationId: first.eventId },
      { accountId: 'caused', employeeId: 'E1', enabled: true, groups: [], verifiedAt: new Date().toISOString() },
      { eventId: randomUUID(), occurredAt: new Date() },
    );
    const outbox = new Outbox(SCHEMA);
    const relay = new OutboxRelay(dataSource, producer, { schema: SCHEMA, databaseUrl: testEnv().DATABASE_URL, pollMs: 60000 });
    const server = new KafkaBatchServer({ kafka, producer, groupId, maxBackoffMs: 200 });
    // The handler adds the caused event when it sees the first one, as a service does.
    server.addHandler(
      TOPIC,
      async (batch: EventBatch) => {
        if (!batch.events.some((e) => e.eventId === first.eventId)) return;
        await dataSource.transaction((m) => outbox.add(m, [outgoing(AccountVerifiedV1, caused)]));
      },
      true,
    );
    await relay.start();
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    try {
      const request = trace.getTracer('test').startSpan('POST /journeys', { kind: SpanKind.SERVER });
      await context.with(trace.setSpan(context.active(), request), () => dataSource.transaction((m) => outbox.add(m, [outgoing(AccountVerifiedV1, first)])));
      request.end();
      const traceId = request.spanContext().traceId;

      const messages = await consumeUntil(testClient, TOPIC, (m) => m.message.key?.toString() === requestId, { count: 2 });
      const headerOf = (eventId: string) => messages.find((m) => (m.value as EventEnvelope).eventId === eventId)?.headers['traceparent'];
      expect(headerOf(first.eventId)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(headerOf(caused.eventId)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

      const spans = await eventually(() => {
        const ours = recorder.spans().filter((s) => s.spanContext().traceId === traceId);
        expect(ours.filter((s) => s.name === `process ${TOPIC}` && s.attributes['messaging.message.id'] === caused.eventId)).toHaveLength(1);
        return ours;
      }, 30000);
      const find = (name: string, eventId: string) => {
        const span = spans.find((s) => s.name === name && s.attributes['messaging.message.id'] === eventId);
        if (!span) throw new Error(`no span ${name} for ${eventId}`);
        return span;
      };
      const parentOf = (s: (typeof spans)[number]) => s.parentSpanContext?.spanId;
      const sendFirst = find(`send ${TOPIC}`, first.eventId);
      const processFirst = find(`process ${TOPIC}`, first.eventId);
      const sendCaused = find(`send ${TOPIC}`, caused.eventId);
      const processCaused = find(`process ${TOPIC}`, caused.eventId);
      // request → send → process → (the handler adds the caused event) send → process
      expect(parentOf(sendFirst)).toBe(request.spanContext().spanId);
      expect(parentOf(processFirst)).toBe(sendFirst.spanContext().spanId);
      expect(parentOf(sendCaused)).toBe(processFirst.spanContext().spanId);
      expect(parentOf(processCaused)).toBe(sendCaused.spanContext().spanId);
      expect(headerOf(first.eventId)).toBe(`00-${traceId}-${sendFirst.spanContext().spanId}-01`);
      expect(sendFirst.kind).toBe(SpanKind.PRODUCER);
      expect(processFirst.kind).toBe(SpanKind.CONSUMER);
      expect(processFirst.attributes).toMatchObject({
        requestId,
        journeyType: 'new-hire',
        eventType: 'identity.account.verified',
        'messaging.system': 'kafka',
        'messaging.destination.name': TOPIC,
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': groupId,
      });
      expect(sendCaused.attributes).toMatchObject({ requestId, 'messaging.operation.type': 'send', 'messaging.kafka.message.key': requestId });
      await waitForGroupToCatchUp(admin, groupId, [TOPIC], 30000);
    } finally {
      await server.close();
      await relay.stop();
    }
  });
});

describe('the trace context stored with an outbox row', () => {
  const ids = (n: string) => ({ traceId: n.repeat(32), spanId: n.repeat(16) });
  const ctx = (id: { traceId: string; spanId: string }) => trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ ...id, traceFlags: TraceFlags.SAMPLED }));
  const parent = (id: { traceId: string; spanId: string }) => `00-${id.traceId}-${id.spanId}-01`;
  const causedBy = (cause: EventEnvelope): EventEnvelope =>
    buildEvent(AccountVerifiedV1, { requestId: cause.requestId, journeyType: 'new-hire', producer: 'test', causationId: cause.eventId }, cause.payload as never, {
      eventId: randomUUID(),
      occurredAt: new Date(),
    });
  const storedFor = async (events: readonly EventEnvelope[]) => {
    const rows: Array<{ id: string; trace_context: unknown }> = await dataSource.query(`SELECT id, trace_context FROM "${SCHEMA}".outbox_messages WHERE id = ANY($1::uuid[])`, [events.map((e) => e.eventId)]);
    await dataSource.query(`DELETE FROM "${SCHEMA}".outbox_messages WHERE id = ANY($1::uuid[])`, [events.map((e) => e.eventId)]);
    return new Map(rows.map((r) => [r.id, r.trace_context]));
  };

  it("is, in a handler of several journeys' events, the process span of the event that caused each", async () => {
    const [a, b] = [accountVerified(randomUUID()), accountVerified(randomUUID())];
    const [fromB, fromA] = [causedBy(b), causedBy(a)];
    const uncaused = accountVerified(a.requestId); // no causationId: the batch's message of its journey
    const scope = { byEventId: new Map([[a.eventId, ctx(ids('a'))], [b.eventId, ctx(ids('b'))]]), byRequestId: new Map([[a.requestId, ctx(ids('a'))], [b.requestId, ctx(ids('b'))]]) };
    await runInMessageScope(scope, () => dataSource.transaction((m) => new Outbox(SCHEMA).add(m, [fromB, fromA, uncaused].map((e) => outgoing(AccountVerifiedV1, e)))));
    const stored = await storedFor([fromB, fromA, uncaused]);
    expect(stored.get(fromB.eventId)).toEqual({ traceparent: parent(ids('b')) });
    expect(stored.get(fromA.eventId)).toEqual({ traceparent: parent(ids('a')) });
    expect(stored.get(uncaused.eventId)).toEqual({ traceparent: parent(ids('a')) });
  });

  it("is the journey's own trace for an event nothing caused, linked to the request that led to it", async () => {
    await dataSource.query(`CREATE TABLE "${SCHEMA}".journeys (request_id uuid PRIMARY KEY, trace_parent text)`);
    const outbox = new Outbox(SCHEMA, { journeyTraceTable: 'journeys' });
    const [known, unknown] = [accountVerified(randomUUID()), accountVerified(randomUUID())];
    await dataSource.query(`INSERT INTO "${SCHEMA}".journeys VALUES ($1, $2)`, [known.requestId, parent(ids('c'))]);
    // As an operator's request would: the active span is in a trace of its own.
    await context.with(ctx(ids('d')), () => dataSource.transaction((m) => outbox.add(m, [known, unknown].map((e) => outgoing(AccountVerifiedV1, e)))));
    const stored = await storedFor([known, unknown]);
    expect(stored.get(known.eventId)).toEqual({ traceparent: parent(ids('c')), links: [parent(ids('d'))] });
    expect(stored.get(unknown.eventId)).toEqual({ traceparent: parent(ids('d')) }); // not a known journey: the active span's trace
  });
});
