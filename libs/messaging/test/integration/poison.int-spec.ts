import { createHash, randomUUID } from 'node:crypto';

import { AccountVerifiedV1, buildEvent, deadLetterTopic, defineEvent, type EventEnvelope } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { consumeUntil, eventually, testEnv, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';

import { createIdempotentProducer, createKafka, ensureTopics, type EventBatch, KafkaBatchServer, TerminalError } from '../../src';
import { type PoisonMessage, poisonMessages } from '../support/poison';

/** A topic of this test alone, with a contract of its own (the payload of a real one). */
const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const Checked = defineEvent(`msgtest.poison-${letters(10)}.checked.v1`, AccountVerifiedV1.payload);
const TOPIC = Checked.topic;

const checked = (): EventEnvelope =>
  buildEvent(Checked, { requestId: randomUUID(), journeyType: 'new-hire', producer: 'test' }, { accountId: 'u-1', employeeId: 'E1', enabled: true, groups: [], verifiedAt: new Date().toISOString() }, {
    eventId: randomUUID(),
    occurredAt: new Date(),
  });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let kafka: Kafka;
let producer: Producer;
let admin: Admin;
const testClient = testKafka();

beforeAll(async () => {
  kafka = createKafka({ brokers: testEnv().KAFKA_BROKERS.split(','), clientId: 'poison-int' }, createLogger('kafkajs'));
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPIC, deadLetterTopic(TOPIC)], 1);
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [TOPIC, deadLetterTopic(TOPIC)] }).catch(() => undefined);
  await producer.disconnect();
  await admin.disconnect();
});

/** Sends each message alone, in order, and returns the offsets Kafka gave them. */
const sendEach = async (messages: ReadonlyArray<Pick<PoisonMessage, 'key' | 'value' | 'headers'>>): Promise<string[]> => {
  const raw = testClient.producer();
  await raw.connect();
  try {
    const offsets: string[] = [];
    for (const { key, value, headers } of messages) {
      const [meta] = await raw.send({ topic: TOPIC, acks: -1, messages: [{ key, value, headers }] });
      offsets.push(String(meta?.baseOffset));
    }
    return offsets;
  } finally {
    await raw.disconnect();
  }
};

describe('poison messages', () => {
  it('dead-letters every kind with a bounded reason, keeps (or cuts and fingerprints) the value, and goes on to the next valid event', async () => {
    const groupId = `poison-int-${randomUUID().slice(0, 8)}`;
    const refused = checked();
    const valid = checked();
    const poison = poisonMessages({ valid: checked(), refusedByHandler: refused });
    expect(new Set(poison.map((p) => p.kind)).size).toBeGreaterThanOrEqual(10);

    const handled: string[] = [];
    const server = new KafkaBatchServer({
      kafka,
      producer,
      groupId,
      maxBackoffMs: 200,
      contractFor: (topic) => (topic === TOPIC ? Checked : undefined),
      // Smaller than the huge value, so its dead letter is cut to fit.
      deadLetterLimits: { maxMessageBytes: 200_000 },
    });
    server.addHandler(
      TOPIC,
      async (batch: EventBatch) => {
        if (batch.events.some((e) => e.eventId === refused.eventId)) throw new TerminalError('BROKEN_INVARIANT', `event ${refused.eventId} breaks an invariant`);
        handled.push(...batch.events.map((e) => e.eventId));
      },
      true,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    try {
      const offsets = await sendEach([...poison, { key: valid.requestId, value: JSON.stringify(valid) }]);
      const kindAt = new Map(poison.map((p, i) => [offsets[i], p.kind]));

      await eventually(() => expect(handled).toEqual([valid.eventId]), 30000);
      const dead = await consumeUntil(testClient, deadLetterTopic(TOPIC), (m) => m.headers['dlq-consumer-group'] === groupId, { count: poison.length, timeoutMs: 30000 });
      await waitForGroupToCatchUp(admin, groupId, [TOPIC], 30000);

      const byKind = new Map(dead.map((d) => [kindAt.get(d.headers['dlq-source-offset']), d]));
      for (const message of poison) {
        const letter = byKind.get(message.kind);
        expect({ kind: message.kind, reason: letter?.headers['dlq-reason'] }).toEqual({ kind: message.kind, reason: expect.stringMatching(message.reason) });
        expect(letter?.headers['dlq-reason']?.length).toBeLessThanOrEqual(1000);
        expect(letter?.headers).toMatchObject({ 'dlq-source-topic': TOPIC, 'dlq-source-partition': '0', 'dlq-consumer-group': groupId });
      }
      expect(dead).toHaveLength(poison.length);

      // The value is kept as it came, unless it would make the dead letter too large: then cut, with its size and SHA-256.
      const garbage = byKind.get('invalid-utf8');
      expect(garbage?.message.value).toEqual(poison.find((p) => p.kind === 'invalid-utf8')?.value);
      const huge = byKind.get('huge-value');
      const hugeValue = Buffer.from(poison.find((p) => p.kind === 'huge-value')?.value as string);
      expect(huge?.headers).toMatchObject({ 'dlq-value-truncated': 'true', 'dlq-original-value-bytes': String(hugeValue.length), 'dlq-original-value-sha256': sha256(hugeValue) });
      expect(huge?.message.value?.length).toBeLessThan(200_000);
      expect(hugeValue.subarray(0, huge?.message.value?.length).equals(huge?.message.value as Buffer)).toBe(true);
      // A key or header too long to carry is replaced by its hash, or cut.
      expect(byKind.get('huge-key')?.message.key?.toString()).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(byKind.get('huge-headers')?.headers['x-huge']).toHaveLength(1024);
    } finally {
      await server.close();
    }
  });
});
