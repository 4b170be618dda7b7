#!/usr/bin/env node
// Applies the Kafka ACL table (deploy/kafka/acls.json) to a broker as its admin: creates every
// topic of the table that is missing, then every service user's ACLs (creating an ACL that
// exists already changes nothing, so it can run on every start). What Strimzi's topic and user
// operators do from k8s/strimzi, for docker-compose.yml (service kafka-setup) and for the local
// SCRAM broker of tools/kafka/kafka.sh:
//
//   KAFKA_BROKERS=127.0.0.1:19092 KAFKA_SASL_PASSWORD=admin-secret node tools/kafka/kafka-setup.mjs
//
// Env: KAFKA_BROKERS (required), KAFKA_SASL_USERNAME (default: the table's superUser),
// KAFKA_SASL_PASSWORD (required), KAFKA_SASL_MECHANISM (default scram-sha-512),
// KAFKA_TOPIC_PARTITIONS (default 6), KAFKA_ACLS_FILE (default deploy/kafka/acls.json).
// Plain Node 24 ESM with kafkajs.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import kafkajs from 'kafkajs';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } = kafkajs;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const RESOURCE_TYPES = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, cluster: AclResourceTypes.CLUSTER, transactionalId: AclResourceTypes.TRANSACTIONAL_ID };
const PATTERN_TYPES = { literal: ResourcePatternTypes.LITERAL, prefix: ResourcePatternTypes.PREFIXED };
const OPERATIONS = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Create: AclOperationTypes.CREATE,
  Delete: AclOperationTypes.DELETE,
  Alter: AclOperationTypes.ALTER,
  Describe: AclOperationTypes.DESCRIBE,
  ClusterAction: AclOperationTypes.CLUSTER_ACTION,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
  AlterConfigs: AclOperationTypes.ALTER_CONFIGS,
  IdempotentWrite: AclOperationTypes.IDEMPOTENT_WRITE,
  All: AclOperationTypes.ALL,
};

/** The kafkajs `createAcls` entries of one service of the table (allow, any host). */
export const aclBindings = (service) =>
  service.acls.flatMap(({ resource, operations }) =>
    operations.map((op) => {
      const resourceType = RESOURCE_TYPES[resource.type];
      const resourcePatternType = PATTERN_TYPES[resource.patternType ?? 'literal'];
      const operation = OPERATIONS[op];
      if (resourceType === undefined || resourcePatternType === undefined || operation === undefined) {
        throw new Error(`${service.user}: cannot express ${JSON.stringify({ resource, op })} as a Kafka ACL`);
      }
      return { resourceType, resourceName: resource.name, resourcePatternType, principal: `User:${service.user}`, host: '*', operation, permissionType: AclPermissionTypes.ALLOW };
    }),
  );

const key = (a) => [a.resourceType, a.resourcePatternType, a.resourceName, a.principal, a.host, a.operation, a.permissionType].join('|');

/**
 * Waits until the broker's authorizer holds every ACL: the broker applies them from the metadata
 * log a moment after createAcls returns, and a service started before that would be refused
 * (CLUSTER_AUTHORIZATION_FAILED for its idempotent producer).
 */
const untilEffective = async (admin, acl, timeoutMs = 30000) => {
  const wanted = new Set(acl.map(key));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const held = new Set(resources.flatMap((r) => r.acls.map((a) => key({ ...a, resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType }))));
    const missing = [...wanted].filter((k) => !held.has(k));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the broker does not hold ${missing.length} of the ACLs after ${timeoutMs} ms, e.g. ${missing[0]}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const fail = (message) => {
  process.stderr.write(`kafka-setup: ERROR: ${message}\n`);
  process.exit(1);
};

const main = async () => {
  const env = process.env;
  const file = env.KAFKA_ACLS_FILE ?? join(ROOT, 'deploy/kafka/acls.json');
  const table = JSON.parse(readFileSync(file, 'utf8'));
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) fail('KAFKA_BROKERS is not set');
  if (!env.KAFKA_SASL_PASSWORD) fail(`KAFKA_SASL_PASSWORD is not set (the password of ${env.KAFKA_SASL_USERNAME ?? table.superUser})`);
  const partitions = Number(env.KAFKA_TOPIC_PARTITIONS ?? 6);
  if (!Number.isInteger(partitions) || partitions < 1) fail(`KAFKA_TOPIC_PARTITIONS must be a positive integer (is ${env.KAFKA_TOPIC_PARTITIONS})`);

  const kafka = new Kafka({
    clientId: 'closeloop-kafka-setup',
    brokers,
    sasl: { mechanism: env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512', username: env.KAFKA_SASL_USERNAME ?? table.superUser, password: env.KAFKA_SASL_PASSWORD },
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = table.topics.filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })) });
    }
    const acl = table.services.flatMap(aclBindings);
    await admin.createAcls({ acl });
    await untilEffective(admin, acl);
    process.stdout.write(`kafka-setup: ${table.topics.length} topics (${missing.length} created), ${acl.length} ACLs for ${table.services.map((s) => s.user).join(', ')}\n`);
  } finally {
    await admin.disconnect();
  }
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => fail(error.stack ?? String(error)));
}
