import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkKafkaSecurity, commonConfigShape, kafkaClientSecurity, parseConfig } from '@closeloop/config';
import { createLogger } from '@closeloop/observability';
import { eventually, type ScramBroker, startScramBroker } from '@closeloop/testing';
import { type AclEntry, AclOperationTypes, AclPermissionTypes, AclResourceTypes, type Admin, type Consumer, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { z } from 'zod';

import { createIdempotentProducer, createKafka, ensureTopics, kafkaConnectionOptions } from '../../src';

/**
 * Kafka as a guarded boundary, against a broker of its own with a SASL/SCRAM listener and the
 * StandardAuthorizer (tools/kafka/kafka.sh, KAFKA_SCRAM=1): identity-domain gets the ACLs of the
 * one ACL table (deploy/kafka/acls.json, which the Strimzi KafkaUsers and compose use too) and
 * connects like the service does, through its config schema and createKafka.
 */

const ROOT = join(__dirname, '../../../..');

interface AclRule {
  readonly resource: { readonly type: 'topic' | 'group' | 'cluster' | 'transactionalId'; readonly name: string; readonly patternType: 'literal' | 'prefix' };
  readonly operations: readonly string[];
}
interface ServiceAcls {
  readonly service: string;
  readonly user: string;
  readonly group: string;
  readonly writes: readonly string[];
  readonly reads: readonly string[];
  readonly acls: readonly AclRule[];
}
interface AclTable {
  readonly superUser: string;
  readonly topics: readonly string[];
  readonly services: readonly ServiceAcls[];
}

const TABLE = JSON.parse(readFileSync(join(ROOT, 'deploy/kafka/acls.json'), 'utf8')) as AclTable;
const serviceOf = (name: string): ServiceAcls => {
  const found = TABLE.services.find((s) => s.service === name);
  if (!found) throw new Error(`${name} is not in deploy/kafka/acls.json`);
  return found;
};
const IDENTITY = serviceOf('identity-domain');
const ASSURANCE = serviceOf('assurance');

const RESOURCE_TYPES = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, cluster: AclResourceTypes.CLUSTER, transactionalId: AclResourceTypes.TRANSACTIONAL_ID };
const PATTERN_TYPES = { literal: ResourcePatternTypes.LITERAL, prefix: ResourcePatternTypes.PREFIXED };
const OPERATIONS: Record<string, AclOperationTypes> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Describe: AclOperationTypes.DESCRIBE,
  IdempotentWrite: AclOperationTypes.IDEMPOTENT_WRITE,
};

/** The table's rules of one service as Kafka ACLs (allow, any host). */
const aclEntries = (service: ServiceAcls): AclEntry[] =>
  service.acls.flatMap(({ resource, operations }) =>
    operations.map((op) => {
      const operation = OPERATIONS[op];
      if (operation === undefined) throw new Error(`no Kafka operation for ${op}`);
      return {
        resourceType: RESOURCE_TYPES[resource.type],
        resourceName: resource.name,
        resourcePatternType: PATTERN_TYPES[resource.patternType],
        principal: `User:${service.user}`,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      };
    }),
  );

const aclKey = (a: { resourceType: number; resourceName: string; resourcePatternType: number; operation: number; permissionType: number; host: string }) =>
  [a.resourceType, a.resourcePatternType, a.resourceName, a.operation, a.permissionType, a.host].join('|');

/** The ACLs the broker holds for a principal, as comparable keys. */
const brokerAcls = async (admin: Admin, principal: string): Promise<string[]> => {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal,
    host: '*',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return resources.flatMap((r) => r.acls.map((a) => aclKey({ ...a, resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType }))).sort();
};

/** Every Kafka error type (TOPIC_AUTHORIZATION_FAILED, ...) along an error's causes. */
const errorTypes = (error: unknown, seen = new Set<unknown>()): string[] => {
  if (!error || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const e = error as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  return [
    ...(typeof e.type === 'string' ? [e.type] : []),
    ...errorTypes(e.cause, seen),
    ...errorTypes(e.originalError, seen),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => errorTypes(x, seen)) : []),
  ];
};

const failure = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a refusal, but it succeeded');
    },
    (error: unknown) => error,
  );

/** The Kafka settings of a service's configuration (the keys of commonConfigShape, checked as a service's schema checks them). */
const KafkaSettingsSchema = z
  .object(commonConfigShape)
  .pick({ NODE_ENV: true, KAFKA_BROKERS: true, KAFKA_SASL_MECHANISM: true, KAFKA_SASL_USERNAME: true, KAFKA_SASL_PASSWORD: true, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: true, KAFKA_SSL_REJECT_UNAUTHORIZED: true })
  .superRefine(checkKafkaSecurity);

let broker: ScramBroker;
let admin: Admin;
const identityPassword = `identity-${randomUUID()}`;

/** The connection settings identity-domain takes from its environment. */
const serviceSettings = (username: string, password: string) => {
  const config = parseConfig(KafkaSettingsSchema, {
    NODE_ENV: 'test',
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  });
  return { brokers: config.KAFKA_BROKERS, clientId: 'kafka-acl-int', ...kafkaClientSecurity(config) };
};

/** A client as identity-domain builds it from its environment. */
const serviceKafka = (username: string, password: string): Kafka => createKafka(serviceSettings(username, password), createLogger('kafkajs'));

/** Topics the first tests need; the rest of the table's topics are left for kafka-setup to create. */
const FIRST_TOPICS = [...IDENTITY.writes, ...IDENTITY.reads, ...IDENTITY.reads.map((t) => `${t}.dlq`), 'assurance.outcome.confirmed.v1', 'saas.access.verified.v1'];

beforeAll(async () => {
  broker = await startScramBroker({ [IDENTITY.user]: identityPassword });
  const adminKafka = createKafka({ brokers: broker.brokers, clientId: 'kafka-acl-int-admin', sasl: { mechanism: 'scram-sha-512', username: TABLE.superUser, password: broker.adminPassword } }, createLogger('kafkajs'));
  admin = adminKafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [...new Set(FIRST_TOPICS)].map((topic) => ({ topic, numPartitions: 1 })) });
  const entries = aclEntries(IDENTITY);
  await admin.createAcls({ acl: entries });
  // The broker's authorizer applies new ACLs from the metadata log: wait until it answers with them.
  const wanted = entries.map(aclKey).sort();
  await eventually(async () => expect(await brokerAcls(admin, `User:${IDENTITY.user}`)).toEqual(wanted));
}, 180_000);

afterAll(async () => {
  await admin?.disconnect();
  broker?.stop();
});

describe('Kafka ACLs of a service user (deploy/kafka/acls.json) on a SCRAM broker', () => {
  it('the table gives identity-domain its own topics and not the ones the test expects refused', () => {
    expect(IDENTITY.writes).toEqual(expect.arrayContaining(['identity.account.verified.v1']));
    expect(IDENTITY.writes).not.toContain('assurance.outcome.confirmed.v1');
    expect(IDENTITY.reads).toContain('intake.journey.requested.v1');
    expect(IDENTITY.writes).not.toContain('intake.journey.requested.v1');
    expect(ASSURANCE.writes).toContain('assurance.outcome.confirmed.v1');
  });

  it('lets the service write its own topics and the dead-letter topics of what it reads, with the idempotent producer', async () => {
    const producer = createIdempotentProducer(serviceKafka(IDENTITY.user, identityPassword));
    await producer.connect();
    try {
      for (const topic of [...IDENTITY.writes, ...IDENTITY.reads.map((t) => `${t}.dlq`)]) {
        const [result] = await producer.send({ topic, acks: -1, messages: [{ key: randomUUID(), value: '{}' }] });
        expect(result).toMatchObject({ topicName: topic, errorCode: 0 });
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('refuses the service a write to a topic it does not own: TOPIC_AUTHORIZATION_FAILED', async () => {
    const producer = createIdempotentProducer(serviceKafka(IDENTITY.user, identityPassword));
    await producer.connect();
    try {
      // assurance's verified outcome, and the journey requests identity-domain only reads.
      for (const topic of ['assurance.outcome.confirmed.v1', 'intake.journey.requested.v1']) {
        const error = await failure(producer.send({ topic, acks: -1, messages: [{ key: randomUUID(), value: '{"forged":true}' }] }));
        expect(errorTypes(error)).toContain('TOPIC_AUTHORIZATION_FAILED');
      }
    } finally {
      await producer.disconnect();
    }
    const written = await admin.fetchTopicOffsets('assurance.outcome.confirmed.v1');
    expect(written.map((p) => p.high)).toEqual(['0']);
  });

  it('lets the service read what it consumes as its own consumer group', async () => {
    const key = randomUUID();
    const producer = createKafka({ brokers: broker.brokers, clientId: 'kafka-acl-int-admin', sasl: { mechanism: 'scram-sha-512', username: TABLE.superUser, password: broker.adminPassword } }, createLogger('kafkajs')).producer();
    await producer.connect();
    await producer.send({ topic: 'intake.journey.requested.v1', messages: [{ key, value: '{}' }] });
    await producer.disconnect();
    const consumer = serviceKafka(IDENTITY.user, identityPassword).consumer({ groupId: IDENTITY.group, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'intake.journey.requested.v1', fromBeginning: true });
      const received = await new Promise<string>((resolve, reject) => {
        // A crash kafkajs restarts from (a fresh broker's group coordinator still loading) is no refusal.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() === key) resolve(key);
          },
        });
      });
      expect(received).toBe(key);
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses the service another service\'s consumer group, and a topic it does not consume', async () => {
    const crashOf = async (consumer: Consumer, topic: string): Promise<unknown> => {
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        return await new Promise<unknown>((resolve, reject) => {
          // The refusal, not a crash kafkajs restarts from (a fresh broker's group coordinator still loading).
          consumer.on(consumer.events.CRASH, ({ payload }) => {
            if (!payload.restart) resolve(payload.error);
          });
          void consumer.run({ eachMessage: async () => reject(new Error(`read a message of ${topic}`)) });
        });
      } finally {
        await consumer.disconnect();
      }
    };
    // kafkajs reports a refused group coordinator look-up as "coordinator not found" and keeps the
    // broker's answer in its debug log: the same client settings, with that log kept.
    const brokerErrors: string[] = [];
    const settings = serviceSettings(IDENTITY.user, identityPassword);
    const logged = new Kafka({
      clientId: settings.clientId,
      brokers: [...settings.brokers],
      ...kafkaConnectionOptions(settings),
      logLevel: logLevel.DEBUG,
      logCreator: () => ({ log }) => brokerErrors.push(...errorTypes(log['error'])),
    });
    await crashOf(logged.consumer({ groupId: ASSURANCE.group, retry: { retries: 0 } }), 'intake.journey.requested.v1');
    expect(brokerErrors).toContain('GROUP_AUTHORIZATION_FAILED');
    const kafka = serviceKafka(IDENTITY.user, identityPassword);
    expect(IDENTITY.reads).not.toContain('saas.access.verified.v1');
    expect(errorTypes(await crashOf(kafka.consumer({ groupId: IDENTITY.group, retry: { retries: 0 } }), 'saas.access.verified.v1'))).toContain('TOPIC_AUTHORIZATION_FAILED');
  });

  it('refuses a wrong password and an unknown user: SASL authentication fails', async () => {
    for (const [user, password] of [
      [IDENTITY.user, `${identityPassword}-wrong`],
      ['closeloop-nobody', identityPassword],
    ] as const) {
      const producer = serviceKafka(user, password).producer();
      const error = await failure(producer.connect());
      expect(error).toMatchObject({ name: 'KafkaJSSASLAuthenticationError', message: expect.stringContaining('SCRAM SHA512 authentication failed') });
    }
  });
});

describe('tools/kafka/kafka-setup.mjs (docker-compose.yml kafka-setup) on the same broker', () => {
  it('creates the missing topics and exactly the table\'s ACLs for every service user, also when run again', async () => {
    const run = () =>
      execFileSync(process.execPath, [join(ROOT, 'tools/kafka/kafka-setup.mjs')], {
        env: { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_SASL_PASSWORD: broker.adminPassword, KAFKA_TOPIC_PARTITIONS: '1' },
        encoding: 'utf8',
      });
    const existing = new Set(await admin.listTopics());
    const missing = TABLE.topics.filter((t) => !existing.has(t));
    expect(missing.length).toBeGreaterThan(0);
    expect(run()).toContain(`${TABLE.topics.length} topics (${missing.length} created)`);
    expect(run()).toContain(`${TABLE.topics.length} topics (0 created)`);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([...TABLE.topics]));
    for (const service of TABLE.services) {
      const wanted = aclEntries(service).map(aclKey).sort();
      await eventually(async () => expect(await brokerAcls(admin, `User:${service.user}`)).toEqual(wanted));
    }
  });

  it('lets a service find every contract topic at start-up (libs/runtime ensureTopics) but create none', async () => {
    const client = serviceKafka(IDENTITY.user, identityPassword).admin();
    await client.connect();
    try {
      const contractTopics = TABLE.topics.filter((t) => !/^(hr|itsm)\./.test(t));
      await ensureTopics(client, contractTopics, 1, 1);
      const error = await failure(client.createTopics({ topics: [{ topic: `identity.account.unknown-${randomUUID()}.v1`, numPartitions: 1 }] }));
      expect(errorTypes(error).some((t) => /AUTHORIZATION_FAILED$/.test(t))).toBe(true);
    } finally {
      await client.disconnect();
    }
  });
});
