import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Admin, type IHeaders, Kafka, type KafkaMessage, logLevel, Partitioners } from 'kafkajs';

import { testEnv } from './test-env';

const ROOT = join(__dirname, '../../..');

export const testKafka = (clientId = 'closeloop-tests'): Kafka =>
  new Kafka({ clientId, brokers: testEnv().KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });

/** Publishes raw messages to a topic, as an upstream system or a misbehaving producer would. */
export const publish = async (
  kafka: Kafka,
  topic: string,
  messages: ReadonlyArray<{ key: string | null; value: string | Buffer | null; headers?: IHeaders }>,
): Promise<void> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
  } finally {
    await producer.disconnect();
  }
};

export interface Consumed {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly value: unknown;
  readonly headers: Record<string, string>;
}

const decode = (topic: string, partition: number, message: KafkaMessage): Consumed => {
  let value: unknown = message.value?.toString('utf8');
  try {
    value = JSON.parse(String(value));
  } catch {
    /* not JSON: keep the text */
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
  return { topic, partition, message, value, headers };
};

/**
 * Whether a message matches a test's predicate. A predicate written for the topic's events may
 * throw on a message that is none (the security stage leaves poison messages on the shared
 * topics: `null`, `42`, bytes that are not JSON): that message is simply not a match.
 */
const matches = (predicate: (m: Consumed) => boolean, consumed: Consumed): boolean => {
  try {
    return predicate(consumed);
  } catch {
    return false;
  }
};

/**
 * Reads a topic from the beginning with a throw-away consumer group until `count` messages match
 * the predicate (or the time is up), and returns those messages.
 */
export const consumeUntil = async (
  kafka: Kafka,
  topic: string,
  predicate: (m: Consumed) => boolean,
  { count = 1, timeoutMs = 20000 }: { count?: number; timeoutMs?: number } = {},
): Promise<Consumed[]> => {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const found: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`found ${found.length} of ${count} matching message(s) on ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          const consumed = decode(t, partition, message);
          if (matches(predicate, consumed)) found.push(consumed);
          if (found.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
};

/** Resolves once the group has committed every message of the topics, as they are now. */
export const waitForGroupToCatchUp = async (admin: Admin, groupId: string, topics: readonly string[], timeoutMs = 20000): Promise<void> => {
  const ends = new Map<string, string>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${p.partition}`, p.high);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const behind = committed.flatMap(({ topic, partitions }) =>
      partitions.filter((p) => BigInt(ends.get(`${topic}:${p.partition}`) ?? '0') > BigInt(p.offset === '-1' ? '0' : p.offset)).map((p) => `${topic}:${p.partition}`),
    );
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${groupId} is still behind on ${behind.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * Everything on a topic right now (up to each partition's current end) that matches: for
 * counting, e.g. that a journey was confirmed by exactly one event.
 */
export const readTopic = async (kafka: Kafka, topic: string, predicate: (m: Consumed) => boolean, timeoutMs = 30000): Promise<Consumed[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const found: Consumed[] = [];
  if (remaining.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const consumed = decode(topic, partition, message);
          if (matches(predicate, consumed)) found.push(consumed);
          if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
};

/** The distinct event ids among messages (a relay may publish an event twice; consumers dedupe by id). */
export const distinctEventIds = (messages: readonly Consumed[]): Set<string> =>
  new Set(messages.map((m) => (m.value as { eventId?: string }).eventId ?? ''));

/** A TCP port nobody listens on right now. */
const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
};

/** A broker with a SASL/SCRAM-SHA-512 listener and the StandardAuthorizer (tools/kafka/kafka.sh, KAFKA_SCRAM=1). */
export interface ScramBroker {
  readonly brokers: readonly string[];
  /** The super user: `admin`, with this password. */
  readonly adminPassword: string;
  /** Stops the broker and deletes its data. */
  stop(): void;
}

/**
 * Starts a SCRAM broker of its own (own ports, own data directory under the OS temp directory,
 * never the plain broker of the test run) with the given users' credentials and no ACLs.
 * `stop()` it in the suite's teardown.
 */
export const startScramBroker = async (users: Readonly<Record<string, string>>): Promise<ScramBroker> => {
  const stateDir = mkdtempSync(join(tmpdir(), 'closeloop-scram-'));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const adminPassword = `admin-${randomUUID()}`;
  const { KAFKA_BROKERS: _external, ...inherited } = process.env; // kafka.sh would use that cluster instead
  const env = {
    ...inherited,
    KAFKA_SCRAM: '1',
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    CLOSELOOP_STATE_DIR: stateDir,
    KAFKA_SCRAM_ADMIN_PASSWORD: adminPassword,
    KAFKA_SCRAM_USERS: Object.entries(users).map(([name, password]) => `${name}=${password}`).join(' '),
  };
  const kafkaSh = (command: 'start' | 'stop') => execFileSync('bash', [join(ROOT, 'tools/kafka/kafka.sh'), command], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    kafkaSh('start');
  } catch (error) {
    kafkaSh('stop');
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    adminPassword,
    stop: () => {
      try {
        kafkaSh('stop');
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
};
