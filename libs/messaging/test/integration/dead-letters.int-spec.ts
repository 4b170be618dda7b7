import { createHash, randomUUID } from 'node:crypto';

import { deadLetterTopic } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { consumeUntil, eventually, publish, testEnv, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';

import { createIdempotentProducer, createKafka, KafkaBatchServer, RAW_MESSAGES, type RawMessageBatch, TerminalError } from '../../src';

let kafka: Kafka;
let admin: Admin;
const topics: string[] = [];
const testClient = testKafka();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A topic of raw records and its dead-letter topic, with the dead-letter topic's own settings. */
const newTopic = async (deadLetterConfig: Array<{ name: string; value: string }> = []): Promise<string> => {
  const topic = `test.dead-letters.${randomUUID().slice(0, 8)}`;
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 1, replicationFactor: -1 },
      { topic: deadLetterTopic(topic), numPartitions: 1, replicationFactor: -1, configEntries: deadLetterConfig },
    ],
  });
  topics.push(topic, deadLetterTopic(topic));
  return topic;
};

/** A consumer of raw records that refuses (terminally) those starting with "refuse". */
const consumer = (topic: string, producer: Producer, handled: string[], options: Partial<ConstructorParameters<typeof KafkaBatchServer>[0]> = {}) => {
  const server = new KafkaBatchServer({ kafka, producer, groupId: `dead-letters-int-${randomUUID().slice(0, 8)}`, maxBackoffMs: 100, ...options });
  server.addHandler(
    topic,
    async (batch: RawMessageBatch) => {
      const refused = batch.messages.find((m) => m.value.startsWith('refuse'));
      if (refused) throw new TerminalError('UPSTREAM_RECORD_INVALID', `record ${refused.key} refused: ${'because '.repeat(500)}`);
      handled.push(...batch.messages.map((m) => m.value));
    },
    true,
    RAW_MESSAGES,
  );
  return server;
};

const listen = (server: KafkaBatchServer) => new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));

beforeAll(async () => {
  kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'dead-letters-int' }, createLogger('kafkajs'));
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

describe('dead letters the broker does not take', () => {
  it('sends a dead letter the broker refuses as too large without its value, with its size and SHA-256, and goes on', async () => {
    const topic = await newTopic([{ name: 'max.message.bytes', value: '4000' }]);
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    const handled: string[] = [];
    const server = consumer(topic, producer, handled);
    await listen(server);
    try {
      const refused = `refuse ${'x'.repeat(10_000)}`;
      await publish(testClient, topic, [
        { key: 'r-1', value: refused, headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
        { key: 'r-2', value: 'fine' },
      ]);
      await eventually(() => expect(handled).toEqual(['fine']), 30000);
      const [dead] = await consumeUntil(testClient, deadLetterTopic(topic), () => true);
      expect(dead?.message.value).toBeNull();
      expect(dead?.headers).toMatchObject({
        'dlq-source-topic': topic,
        'dlq-source-offset': '0',
        'dlq-value-omitted': expect.stringMatching(/^the broker refused the dead letter: MESSAGE_TOO_LARGE: /),
        'dlq-original-value-bytes': String(refused.length),
        'dlq-original-value-sha256': sha256(refused),
        'dlq-reason': expect.stringMatching(/^terminal error: record r-1 refused: (because )+.*…$/),
      });
      expect(dead?.headers['dlq-reason']?.length).toBeLessThanOrEqual(500);
      await waitForGroupToCatchUp(admin, server.groupId, [topic], 30000);
      expect(server.stuckPartitions()).toEqual([]);
    } finally {
      await server.close();
      await producer.disconnect();
    }
  });

  it('keeps trying a dead letter it cannot send, with backoff, shows the partition stuck meanwhile, and goes on once it is sent', async () => {
    const topic = await newTopic();
    // The dead-letter producer is not connected yet: every send fails, as with the broker away.
    const producer = createIdempotentProducer(kafka);
    const handled: string[] = [];
    const server = consumer(topic, producer, handled, { stuckAfter: { afterFailures: 3 } });
    await listen(server);
    try {
      await publish(testClient, topic, [
        { key: 'r-1', value: 'refuse me' },
        { key: 'r-2', value: 'fine' },
      ]);
      const [stuck] = await eventually(() => {
        const partitions = server.stuckPartitions();
        expect(partitions).toHaveLength(1);
        return partitions;
      }, 30000);
      expect(stuck).toMatchObject({ topic, partition: 0, offset: '0', failures: expect.any(Number) });
      expect(stuck?.failures).toBeGreaterThanOrEqual(3);
      expect(stuck?.lastError).toMatch(/disconnected|not connected|connect/i);
      expect(handled).toEqual([]);
      expect(server.consumerHealth().state).toBe('running'); // alive, and visibly stuck

      await producer.connect();
      await eventually(() => expect(handled).toEqual(['fine']), 30000);
      const [dead] = await consumeUntil(testClient, deadLetterTopic(topic), () => true);
      expect(dead?.message.value?.toString()).toBe('refuse me');
      expect(dead?.headers['dlq-reason']).toMatch(/^terminal error: record r-1 refused/);
      await waitForGroupToCatchUp(admin, server.groupId, [topic], 30000);
      expect(server.stuckPartitions()).toEqual([]);
    } finally {
      await server.close();
      await producer.disconnect();
    }
  });
});
