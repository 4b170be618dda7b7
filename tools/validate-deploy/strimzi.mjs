// Strimzi KafkaTopic resources (k8s/strimzi): one for every topic of libs/contracts and one for
// its dead-letter topic. kubernetes-models has no schema for Strimzi's custom resources, so their
// shape is checked here against the KafkaTopic v1beta2 CRD: known fields only, the required ones
// present, values in range; metadata is checked with the Kubernetes ObjectMeta schema.

import { ConfigMap } from 'kubernetes-models/v1';

import { unknownFields } from './k8s.mjs';

export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1beta2';
const SPEC_FIELDS = new Set(['partitions', 'replicas', 'config', 'topicName']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const metadataProblems = (metadata) => {
  // ObjectMeta's schema, through a ConfigMap that carries the same metadata.
  const probe = new ConfigMap({ metadata });
  const problems = [];
  try {
    probe.validate();
  } catch (error) {
    for (const e of error.errors ?? []) if (e.instancePath.startsWith('/metadata')) problems.push(`${e.instancePath}: ${e.message}`);
  }
  for (const path of unknownFields(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata }, { under: '/metadata' })) {
    problems.push(`${path}: unknown field`);
  }
  return problems;
};

/**
 * @param {object[]} objects   the rendered documents of k8s/strimzi
 * @param {string[]} topics    every topic the services use (contract topics and their .dlq)
 */
export const checkKafkaTopics = (objects, topics) => {
  const problems = [];
  const wanted = new Set(topics);
  const found = new Map();
  for (const [i, obj] of objects.entries()) {
    const id = `k8s/strimzi: ${obj?.kind ?? '?'} ${obj?.metadata?.name ?? `#${i + 1}`}`;
    if (obj?.kind !== 'KafkaTopic') {
      problems.push(`${id}: only KafkaTopic resources belong here`);
      continue;
    }
    if (obj.apiVersion !== STRIMZI_API_VERSION) problems.push(`${id}: apiVersion ${obj.apiVersion}, expected ${STRIMZI_API_VERSION}`);
    for (const key of Object.keys(obj)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) problems.push(`${id}: /${key}: unknown field`);
    const name = obj.metadata?.name;
    if (!name) problems.push(`${id}: missing required field metadata.name`);
    else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) problems.push(`${id}: metadata.name "${name}" is not a valid Kubernetes name`);
    for (const p of metadataProblems(obj.metadata ?? {})) problems.push(`${id}: ${p}`);
    if (!obj.metadata?.labels?.['strimzi.io/cluster']) problems.push(`${id}: missing label strimzi.io/cluster (the Kafka cluster whose topic operator manages it)`);
    const spec = obj.spec;
    if (!spec || typeof spec !== 'object') {
      problems.push(`${id}: missing required field spec`);
      continue;
    }
    for (const key of Object.keys(spec)) if (!SPEC_FIELDS.has(key)) problems.push(`${id}: /spec/${key}: unknown field (KafkaTopic spec has ${[...SPEC_FIELDS].join(', ')})`);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) problems.push(`${id}: spec.partitions must be an integer >= 1 (is ${spec.partitions})`);
    if (!Number.isInteger(spec.replicas) || spec.replicas < 1 || spec.replicas > 32767) problems.push(`${id}: spec.replicas must be an integer from 1 to 32767 (is ${spec.replicas})`);
    if (spec.config !== undefined) {
      if (!spec.config || typeof spec.config !== 'object' || Array.isArray(spec.config)) problems.push(`${id}: spec.config must be a map`);
      else {
        for (const [k, v] of Object.entries(spec.config)) {
          if (!['string', 'number', 'boolean'].includes(typeof v)) problems.push(`${id}: spec.config.${k} must be a string, number or boolean`);
        }
        const isr = Number(spec.config['min.insync.replicas']);
        if (Number.isFinite(isr) && Number.isInteger(spec.replicas) && isr >= spec.replicas) {
          problems.push(`${id}: min.insync.replicas ${isr} is not below replicas ${spec.replicas}: one broker down would stop every producer (acks=all)`);
        }
      }
    }
    const topic = spec.topicName ?? name;
    if (!TOPIC_NAME.test(String(topic))) problems.push(`${id}: "${topic}" is not a valid Kafka topic name`);
    if (found.has(topic)) problems.push(`${id}: topic ${topic} is declared twice`);
    found.set(topic, obj);
    if (!wanted.has(topic)) problems.push(`${id}: topic ${topic} is not a topic of libs/contracts (or its .dlq)`);
  }
  const missing = topics.filter((t) => !found.has(t));
  if (missing.length) {
    problems.push(`k8s/strimzi: no KafkaTopic for ${missing.join(', ')} (regenerate: node tools/validate-deploy/validate.mjs --write-strimzi-topics)`);
  }
  return problems;
};

/** The KafkaTopic resources for the given topics, as YAML (k8s/strimzi/topics.yaml). */
export const renderKafkaTopics = (topics, { cluster = 'closeloop', partitions = 12, dlqPartitions = 3, replicas = 3 } = {}) => {
  const docs = topics.map((topic) => {
    const dlq = topic.endsWith('.dlq');
    return [
      `apiVersion: ${STRIMZI_API_VERSION}`,
      'kind: KafkaTopic',
      'metadata:',
      `  name: ${topic}`,
      '  labels:',
      `    strimzi.io/cluster: ${cluster}`,
      '    app.kubernetes.io/part-of: closeloop',
      'spec:',
      `  topicName: ${topic}`,
      `  partitions: ${dlq ? dlqPartitions : partitions}`,
      `  replicas: ${replicas}`,
      '  config:',
      '    min.insync.replicas: 2',
      // Events of one journey keep their order (key = requestId); dead letters are kept longer for investigation.
      `    retention.ms: ${dlq ? 2592000000 : 604800000}`,
      '    cleanup.policy: delete',
    ].join('\n');
  });
  return [
    '# Generated by `node tools/validate-deploy/validate.mjs --write-strimzi-topics` from libs/contracts',
    '# (every contract topic and its .dlq). Tuning by hand is fine: the validator checks the set of',
    '# topics and the shape, not the values. Main topics: 12 partitions (the HPAs of the production',
    '# overlay scale up to 12), 7 days; dead letters: 3 partitions, 30 days. Replication factor 3 with',
    '# min.insync.replicas 2 (producers use acks=all).',
    docs.join('\n---\n'),
    '',
  ].join('\n');
};
