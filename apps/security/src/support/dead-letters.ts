import { randomUUID } from 'node:crypto';

import { deadLetterTopic } from '@closeloop/contracts';
import type { Admin, Kafka } from 'kafkajs';

import type { Poison } from './poison';

/** A poison message on its topic, where Kafka put it. */
export interface SentPoison extends Poison {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface DeadLetterSeen {
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
}

const where = (topic: string, partition: number, offset: string): string => `${topic}:${partition}@${offset}`;
export const sourceOf = (sent: SentPoison): string => where(sent.topic, sent.partition, sent.offset);

/** Sends each message alone (so its offset is known), as a misbehaving producer would. */
export const sendPoison = async (kafka: Kafka, topic: string, messages: readonly Poison[]): Promise<SentPoison[]> => {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const sent: SentPoison[] = [];
    for (const message of messages) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
      if (!meta?.baseOffset) throw new Error(`no offset for the ${message.kind} poison sent to ${topic}`);
      sent.push({ ...message, topic, partition: meta.partition, offset: meta.baseOffset });
    }
    return sent;
  } finally {
    await producer.disconnect();
  }
};

/** The current end of every partition of the topics: dead letters after it are this run's. */
export const topicEnds = async (admin: Admin, topics: readonly string[]): Promise<Map<string, Array<{ partition: number; offset: string }>>> => {
  const ends = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const topic of topics) ends.set(topic, (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high })));
  return ends;
};

/**
 * Reads the dead-letter topics from `ends` (see `topicEnds`, taken before the poison was sent)
 * until the dead letter of every message of `expected` that `groupId` wrote is found, or the time
 * is up; returns what was found, by source (`topic:partition@offset`). A throw-away consumer
 * group, moved to `ends` as soon as it runs (messages before them would only be skipped anyway).
 */
export const readDeadLetters = async (
  kafka: Kafka,
  ends: ReadonlyMap<string, Array<{ partition: number; offset: string }>>,
  expected: readonly SentPoison[],
  groupId: string,
  timeoutMs = 60000,
): Promise<Map<string, DeadLetterSeen>> => {
  const wanted = new Set(expected.map(sourceOf));
  const found = new Map<string, DeadLetterSeen>();
  const topics = [...new Set(expected.map((e) => deadLetterTopic(e.topic)))];
  if (wanted.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `security-dlq-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
            if (headers['dlq-consumer-group'] !== groupId) return;
            const source = where(headers['dlq-source-topic'] ?? '', Number(headers['dlq-source-partition']), headers['dlq-source-offset'] ?? '');
            if (!wanted.has(source)) return;
            found.set(source, { reason: headers['dlq-reason'] ?? '', headers });
            if (found.size >= wanted.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const topic of topics) for (const { partition, offset } of ends.get(topic) ?? []) consumer.seek({ topic, partition, offset });
        }, reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
};
