import { randomUUID } from 'node:crypto';

import { AccountVerifiedV1, buildEvent, deadLetterTopic, type EventEnvelope } from '@closeloop/contracts';
import { openDatabase } from '@closeloop/database';
import { createLogger } from '@closeloop/observability';
import { consumeUntil, eventually, testEnv, testKafka } from '@closeloop/testing';
import type { Admin, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

import { createIdempotentProducer, createKafka, ensureTopics, messagingTablesMigration, Outbox, outboxChannel, OutboxRelay, outboxTraceContextMigration, outgoing } from '../../src';

const SCHEMA = `relay_listen_${randomUUID().slice(0, 8)}`;
const TOPIC = AccountVerifiedV1.topic;

let dataSource: DataSource;
let producer: Producer;
let admin: Admin;

const accountVerified = (requestId: string): EventEnvelope =>
  buildEvent(AccountVerifiedV1, { requestId, journeyType: 'new-hire', producer: 'test' }, { accountId: 'u-1', employeeId: 'E1', enabled: true, groups: [], verifiedAt: new Date().toISOString() }, { eventId: randomUUID(), occurredAt: new Date() });

beforeAll(async () => {
  const { DATABASE_URL, KAFKA_BROKERS } = testEnv();
  dataSource = await openDatabase({
    url: DATABASE_URL,
    schema: SCHEMA,
    poolSize: 3,
    migrations: [messagingTablesMigration(SCHEMA, 1732180000000), outboxTraceContextMigration(SCHEMA, 1732600000000)],
    applicationName: 'relay-listen-int',
  });
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'relay-listen-int' }, createLogger('kafkajs'));
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPIC, deadLetterTopic(TOPIC)], 3);
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${SCHEMA}" CASCADE`);
  await dataSource.destroy();
  await producer.disconnect();
  await admin.disconnect();
});

describe('the relay hears PostgreSQL again after its LISTEN connection was lost', () => {
  it('connects again by itself and publishes on the next commit without waiting for its poll', async () => {
    // A poll far longer than the test: only a notification can wake the relay in time.
    const relay = new OutboxRelay(dataSource, producer, { schema: SCHEMA, databaseUrl: testEnv().DATABASE_URL, pollMs: 60000 });
    const outbox = new Outbox(SCHEMA);
    await relay.start();
    try {
      expect(relay.listening).toBe(true);
      // What a PostgreSQL restart does to the connection: its backend ends.
      const [ended] = await dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()) AS t`,
        [`LISTEN "${outboxChannel(SCHEMA)}"`],
      );
      expect(ended.n).toBe(1);
      await eventually(() => expect(relay.listening).toBe(false), 10000, 20);
      await eventually(() => expect(relay.listening).toBe(true), 20000, 50);

      const event = accountVerified(randomUUID());
      await dataSource.transaction((m) => outbox.add(m, [outgoing(AccountVerifiedV1, event)]));
      const [published] = await consumeUntil(testKafka(), TOPIC, (m) => m.message.key?.toString() === event.requestId, { timeoutMs: 15000 });
      expect(published?.value).toMatchObject({ eventId: event.eventId });
    } finally {
      await relay.stop();
    }
  }, 60000);
});
