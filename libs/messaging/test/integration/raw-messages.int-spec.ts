import { randomUUID } from 'node:crypto';

import { deadLetterTopic } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { consumeUntil, eventually, publish, testEnv, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';

import { createIdempotentProducer, createKafka, ensureTopics, KafkaBatchServer, RAW_MESSAGES, type RawMessage, type RawMessageBatch, TerminalError } from '../../src';

/** A topic of another system: its messages are not Closeloop envelopes. */
const TOPIC = `test.upstream-records.${randomUUID().slice(0, 8)}`;

let kafka: Kafka;
let producer: Producer;
let admin: Admin;
const testClient = testKafka();

beforeAll(async () => {
  kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'raw-messages-int' }, createLogger('kafkajs'));
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPIC, deadLetterTopic(TOPIC)], 2);
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [TOPIC, deadLetterTopic(TOPIC)] }).catch(() => undefined);
  await producer.disconnect();
  await admin.disconnect();
});

describe('batch consumer transport, on a topic of raw messages', () => {
  it('hands the messages over undecoded, whatever their key, and dead-letters the empty ones and those the handler refuses', async () => {
    const groupId = `raw-int-${randomUUID().slice(0, 8)}`;
    const handled: RawMessage[] = [];
    const server = new KafkaBatchServer({ kafka, producer, groupId, maxBackoffMs: 200 });
    server.addHandler(
      TOPIC,
      async (batch: RawMessageBatch) => {
        const refused = batch.messages.find((m) => m.value.startsWith('refuse'));
        if (refused) throw new TerminalError('UPSTREAM_RECORD_INVALID', `record at offset ${refused.offset} refused: ${refused.value}`);
        handled.push(...batch.messages);
      },
      true,
      RAW_MESSAGES,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    try {
      await publish(testClient, TOPIC, [
        { key: 'worker-1', value: '<worker id="1"/>', headers: { source: 'hr' } },
        { key: 'worker-1', value: 'refuse me' },
        { key: 'worker-1', value: null },
        { key: 'worker-1', value: '{"plain":"json"}' },
        { key: null, value: 'no key' },
      ]);

      await eventually(() => expect(handled.map((m) => m.value).sort()).toEqual(['<worker id="1"/>', 'no key', '{"plain":"json"}']), 30000);
      const first = handled.find((m) => m.value === '<worker id="1"/>');
      expect(first).toMatchObject({ topic: TOPIC, key: 'worker-1', headers: { source: 'hr' } });
      expect(first?.offset).toMatch(/^\d+$/);
      expect(handled.find((m) => m.value === 'no key')?.key).toBeNull();

      const dead = await consumeUntil(testClient, deadLetterTopic(TOPIC), (m) => m.headers['dlq-consumer-group'] === groupId, { count: 2 });
      const reasons = dead.map((d) => d.headers['dlq-reason']).sort();
      expect(reasons).toEqual(['empty message value', expect.stringMatching(/^terminal error: record at offset \d+ refused: refuse me$/)]);
      expect(dead.every((d) => d.headers['dlq-source-topic'] === TOPIC && d.message.key?.toString() === 'worker-1')).toBe(true);
      await waitForGroupToCatchUp(admin, groupId, [TOPIC], 30000);
    } finally {
      await server.close();
    }
  });
});
