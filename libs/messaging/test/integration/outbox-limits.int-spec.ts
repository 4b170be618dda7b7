import { randomUUID } from 'node:crypto';

import type { EventEnvelope } from '@closeloop/contracts';
import { openDatabase } from '@closeloop/database';
import { createLogger, metricsRegistry } from '@closeloop/observability';
import { consumeUntil, eventually, testEnv, testKafka } from '@closeloop/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

import {
  createIdempotentProducer,
  createKafka,
  messagingTablesMigration,
  Outbox,
  outboxDeadLettersMigration,
  OutboxRelay,
  outboxTraceContextMigration,
} from '../../src';

const SCHEMA = `msg_limits_${randomUUID().slice(0, 8)}`;
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

let dataSource: DataSource;
let kafka: Kafka;
let admin: Admin;
const topics: string[] = [];
const testClient = testKafka();

/** A topic of this test alone (one partition: the order of a journey's events shows). */
const newTopic = async (configEntries: Array<{ name: string; value: string }> = []): Promise<string> => {
  const topic = `test.relay-limits.${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: -1, configEntries }] });
  topics.push(topic);
  return topic;
};

/** An outgoing event with `bytes` of padding in its payload; the relay sends any envelope it was given. */
const event = (topic: string, requestId: string, name: string, bytes = 0) => ({
  topic,
  key: requestId,
  event: {
    eventId: randomUUID(),
    eventType: 'test.relay.sized',
    version: 1,
    requestId,
    journeyType: 'new-hire',
    occurredAt: new Date().toISOString(),
    producer: 'test',
    payload: { name, padding: 'p'.repeat(bytes) },
  } as EventEnvelope,
});

const nameOf = (value: unknown): string => (value as { payload: { name: string } }).payload.name;

const withRelay = async <T>(producer: Producer, fn: () => Promise<T>): Promise<T> => {
  const relay = new OutboxRelay(dataSource, producer, { schema: SCHEMA, databaseUrl: testEnv().DATABASE_URL, pollMs: 60000 });
  await relay.start();
  try {
    return await fn();
  } finally {
    await relay.stop();
  }
};

const deadLetters = (topic: string): Promise<Array<{ id: string; key: string; reason: string; name: string; padding: number; failed_at: Date; created_at: Date }>> =>
  dataSource.query(
    `SELECT id, key, reason, payload->'payload'->>'name' AS name, length(payload->'payload'->>'padding') AS padding, failed_at, created_at
     FROM "${SCHEMA}".outbox_dead_letters WHERE topic = $1`,
    [topic],
  );

const outboxRows = async (topic: string): Promise<number> =>
  (await dataSource.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".outbox_messages WHERE topic = $1`, [topic]))[0].n;

const deadLetteredCount = async (topic: string): Promise<number> =>
  (await metricsRegistry.getSingleMetric('closeloop_outbox_dead_lettered_total')?.get())?.values.find((v) => v.labels['topic'] === topic)?.value ?? 0;

let producer: Producer;

beforeAll(async () => {
  dataSource = await openDatabase({
    url: testEnv().DATABASE_URL,
    schema: SCHEMA,
    poolSize: 4,
    migrations: [messagingTablesMigration(SCHEMA, 1732180000000), outboxTraceContextMigration(SCHEMA, 1732600000000), outboxDeadLettersMigration(SCHEMA, 1732810000000)],
    applicationName: 'outbox-limits-int',
  });
  kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'outbox-limits-int' }, createLogger('kafkajs'));
  admin = kafka.admin();
  await admin.connect();
  producer = createIdempotentProducer(kafka);
  await producer.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await dataSource.query(`DROP SCHEMA "${SCHEMA}" CASCADE`);
  await dataSource.destroy();
  await producer.disconnect();
  await admin.disconnect();
});

describe('outbox relay under the broker message limit', () => {
  it('moves a row larger than the limit to outbox_dead_letters with its reason, and publishes the rows after it', async () => {
    const topic = await newTopic();
    const requestId = randomUUID();
    const rows = [event(topic, requestId, 'before'), event(topic, requestId, 'huge', 1_200_000), event(topic, requestId, 'after-1'), event(topic, requestId, 'after-2')];
    await dataSource.transaction((m) => new Outbox(SCHEMA).add(m, rows));

    await withRelay(producer, async () => {
      const published = await consumeUntil(testClient, topic, (m) => m.message.key?.toString() === requestId, { count: 3 });
      expect(published.map((m) => nameOf(m.value))).toEqual(['before', 'after-1', 'after-2']);
      await eventually(async () => expect(await outboxRows(topic)).toBe(0));
    });
    const [dead, ...more] = await deadLetters(topic);
    expect(more).toEqual([]);
    expect(dead).toMatchObject({ id: rows[1]?.event.eventId, key: requestId, name: 'huge', padding: 1_200_000 });
    expect(dead?.reason).toMatch(/^the message is \d+ bytes, over the limit of 900000 bytes for one message$/);
    expect(dead?.failed_at.getTime()).toBeGreaterThanOrEqual(dead?.created_at.getTime() ?? Infinity);
    expect(await deadLetteredCount(topic)).toBe(1);
  });

  it('moves a row the broker refuses (its limit is lower than the relay’s) to outbox_dead_letters, and goes on', async () => {
    const topic = await newTopic([{ name: 'max.message.bytes', value: '100000' }]);
    const requestId = randomUUID();
    const rows = [event(topic, requestId, 'first'), event(topic, requestId, 'refused', 200_000), event(topic, requestId, 'last')];
    await dataSource.transaction((m) => new Outbox(SCHEMA).add(m, rows));

    await withRelay(producer, async () => {
      const published = await consumeUntil(testClient, topic, (m) => m.message.key?.toString() === requestId, { count: 2 });
      expect(published.map((m) => nameOf(m.value))).toEqual(['first', 'last']);
      await eventually(async () => expect(await outboxRows(topic)).toBe(0));
    });
    const dead = await deadLetters(topic);
    expect(dead).toEqual([expect.objectContaining({ id: rows[1]?.event.eventId, name: 'refused', reason: expect.stringMatching(/^Kafka refused the message \(MESSAGE_TOO_LARGE\): /) })]);
    expect(await deadLetteredCount(topic)).toBe(1);
  });

  it('publishes rows whose sum is over the limit in several requests, each under it, in order', async () => {
    const topic = await newTopic();
    const requestId = randomUUID();
    const rows = Array.from({ length: 12 }, (_, i) => event(topic, requestId, `medium-${i}`, 150_000));
    const own = createIdempotentProducer(kafka);
    const produceRequests: number[] = [];
    own.on(own.events.REQUEST, ({ payload }) => {
      if (payload.apiName === 'Produce') produceRequests.push(payload.size);
    });
    await own.connect();
    try {
      await dataSource.transaction((m) => new Outbox(SCHEMA).add(m, rows));
      await withRelay(own, async () => {
        const published = await consumeUntil(testClient, topic, (m) => m.message.key?.toString() === requestId, { count: 12 });
        expect(published.map((m) => nameOf(m.value))).toEqual(rows.map((_, i) => `medium-${i}`));
        await eventually(async () => expect(await outboxRows(topic)).toBe(0));
      });
    } finally {
      await own.disconnect();
    }
    // 12 × 150 kB = 1.8 MB: a few requests of several rows each (not one refused request, then one row at a time), none over what the broker takes.
    expect(produceRequests.length).toBeGreaterThanOrEqual(2);
    expect(produceRequests.length).toBeLessThanOrEqual(4);
    expect(Math.max(...produceRequests)).toBeLessThan(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
    expect(await deadLetters(topic)).toEqual([]);
  });
});
