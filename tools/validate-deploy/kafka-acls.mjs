// The Kafka ACL table (deploy/kafka/acls.json): which topics each service writes and reads, and
// the ACLs that follow, derived from the code and the list of services (deploy/services.json): a
// service writes the topics of the contracts its owner owns (libs/contracts,
// `<owner>.<aggregate>.<event>.v<n>`), reads the topics of its @EventPattern handlers
// (apps/<service>/src), writes the dead-letter topic (`<topic>.dlq`) of every topic it reads
// (libs/messaging dead-letters there), and reads as its consumer group. The table is the one source of the Strimzi KafkaUsers
// (k8s/strimzi/users.yaml), of docker-compose.yml's kafka-setup (tools/kafka/kafka-setup.mjs)
// and of the integration test libs/messaging/test/integration/kafka-acl.int-spec.ts.
//
//   node tools/validate-deploy/validate.mjs --write-kafka-acls   (regenerates the table and users.yaml)

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { ConfigMap } from 'kubernetes-models/v1';

import { unknownFields } from './k8s.mjs';

export const ACLS_FILE = 'deploy/kafka/acls.json';
export const USERS_FILE = 'k8s/strimzi/users.yaml';
export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1beta2';
/** The Strimzi Kafka cluster (k8s/strimzi) and its super user (the admin of the local and compose brokers). */
export const KAFKA_CLUSTER = 'closeloop';
export const SUPER_USER = 'admin';
/** The Kafka user (and Strimzi KafkaUser, and the Secret Strimzi writes for it) of a service. */
export const kafkaUserOf = (service) => `closeloop-${service}`;
/** The Secret with the CA certificate of a Strimzi cluster (key ca.crt). */
export const clusterCaSecretOf = (cluster) => `${cluster}-cluster-ca-cert`;
/** Where the Deployments mount the cluster CA (KAFKA_SSL_CA_FILE). */
export const CA_FILE = '/etc/closeloop/kafka-ca/ca.crt';
/** The port of Strimzi's TLS listener (named "tls"), which the services use. */
export const TLS_PORT = 9093;

const deadLetterTopic = (topic) => `${topic}.dlq`;

/**
 * Walks `text` from `start` past quoted strings and nested brackets, to the first character at the
 * outer level that is `stop`, or a closing bracket that ends the outer level; returns its index.
 */
const scanTo = (text, start, stop) => {
  let depth = 0;
  let quote = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return i;
      depth--;
    } else if (c === stop && depth === 0) return i;
  }
  return text.length;
};

/** Splits `a, f('b', c), [d]` at its top-level commas. */
const topLevelItems = (text) => {
  const items = [];
  for (let start = 0; start < text.length; ) {
    const end = scanTo(text, start, ',');
    items.push(text.slice(start, end).trim());
    start = end + 1;
  }
  return items.filter(Boolean);
};

/**
 * The first argument of each `@EventPattern(...)` in a source text, parentheses and brackets
 * balanced: `X.topic`, `'a.b.v1'`, `startTopicsOf('saas')`, `[A.topic, B.topic]`.
 */
export const eventPatternArguments = (text) =>
  [...text.matchAll(/@EventPattern\(/g)].map((m) => {
    const start = m.index + m[0].length;
    return text.slice(start, scanTo(text, start, ',')).trim();
  });

/**
 * The topics an `@EventPattern` argument names, read against the exports of libs/contracts: a
 * string literal, `<Contract>.topic`, an exported topic constant or list, an array of those, or a
 * call of an exported function with string literals (`ownerTopics('saas')`, `assuranceTopics()`).
 * Anything else is undefined: the table cannot name it.
 */
export const topicsOfPattern = (expr, contracts) => {
  const isTopics = (v) => (typeof v === 'string' ? [v] : Array.isArray(v) && v.every((t) => typeof t === 'string') ? v : undefined);
  const literal = /^(['"`])([^'"`]*)\1$/.exec(expr);
  if (literal) return [literal[2]];
  const member = /^([A-Za-z_$][\w$]*)\.topic$/.exec(expr);
  if (member) return isTopics(contracts[member[1]]?.topic);
  if (/^[A-Za-z_$][\w$]*$/.test(expr)) return isTopics(contracts[expr]);
  const array = /^\[([\s\S]*)\]$/.exec(expr);
  if (array) {
    const parts = topLevelItems(array[1]).map((item) => topicsOfPattern(item, contracts));
    return parts.every(Boolean) ? parts.flat() : undefined;
  }
  const call = /^([A-Za-z_$][\w$]*)\(([\s\S]*)\)$/.exec(expr);
  if (call && typeof contracts[call[1]] === 'function') {
    const args = topLevelItems(call[2]).map((a) => /^(['"`])([^'"`]*)\1$/.exec(a)?.[2]);
    if (args.some((a) => a === undefined)) return undefined;
    return isTopics(contracts[call[1]](...args));
  }
  return undefined;
};

const sourceFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec|fake)\.ts$/.test(name) ? [path] : [];
  });

/**
 * What each service consumes and the consumer group its app.module.ts declares, read from its sources.
 * @param {string} root  the repository
 * @param {string[]} services  apps/<service>
 * @param {Record<string, unknown>} contracts  the exports of libs/contracts (compiled)
 */
export const serviceFactsFromSource = (root, services, contracts) =>
  services.map((service) => {
    const src = join(root, 'apps', service, 'src');
    const reads = new Set();
    for (const file of sourceFiles(src)) {
      for (const expr of eventPatternArguments(readFileSync(file, 'utf8'))) {
        const topics = topicsOfPattern(expr, contracts);
        if (!topics) throw new Error(`${file}: @EventPattern(${expr}): not a topic of libs/contracts (the ACL table cannot name it)`);
        for (const topic of topics) reads.add(topic);
      }
    }
    const module = readFileSync(join(src, 'app.module.ts'), 'utf8');
    const group = /consumerGroup:\s*['"]([^'"]+)['"]/.exec(module)?.[1];
    if (!group) throw new Error(`apps/${service}/src/app.module.ts: no consumerGroup: '...' found`);
    return { service, group, reads: [...reads] };
  });

/**
 * The table.
 * @param {{ contracts: {topic: string, owner: string}[], services: {service: string, owner: string, group: string, reads: string[]}[] }} input
 *   services: as deploy/services.json lists them (owner: the first segment of the topics it
 *   publishes; a new service may own none yet), with what each reads
 */
export const deriveAclTable = ({ contracts, services }) => {
  const owners = [...new Set(contracts.map((c) => c.owner))];
  const contractTopics = new Set(contracts.map((c) => c.topic));
  const upstream = [...new Set(services.flatMap((s) => s.reads).filter((t) => !contractTopics.has(t)))].sort();
  const topics = [...contracts.map((c) => c.topic), ...upstream].flatMap((t) => [t, deadLetterTopic(t)]);
  const table = {
    $comment: [
      'Generated by `node tools/validate-deploy/validate.mjs --write-kafka-acls` from the code; tools/validate-deploy.sh fails when it is out of date.',
      'A service writes the topics it owns and the .dlq of every topic it reads, reads what its @EventPattern handlers consume as its consumer group,',
      'and may describe (metadata only) every Closeloop topic: at start-up each service checks that all contract topics exist (libs/runtime).',
      'Used by k8s/strimzi/users.yaml (KafkaUser per service), docker-compose.yml (kafka-setup) and libs/messaging/test/integration/kafka-acl.int-spec.ts.',
    ],
    cluster: KAFKA_CLUSTER,
    superUser: SUPER_USER,
    topics,
    services: services.map(({ service, owner, group, reads }) => {
      if (!owner) throw new Error(`service ${service}: no owner (deploy/services.json names the first segment of the topics it publishes)`);
      const writes = contracts.filter((c) => c.owner === owner).map((c) => c.topic);
      const sortedReads = [...reads].sort();
      const acls = new Map();
      const allow = (type, name, patternType, ...operations) => {
        const key = `${type}|${patternType}|${name}`;
        const entry = acls.get(key) ?? { resource: { type, name, patternType }, operations: [] };
        for (const op of operations) if (!entry.operations.includes(op)) entry.operations.push(op);
        acls.set(key, entry);
      };
      for (const t of writes) allow('topic', t, 'literal', 'Write', 'Describe');
      for (const t of sortedReads) allow('topic', deadLetterTopic(t), 'literal', 'Write', 'Describe');
      for (const t of sortedReads) allow('topic', t, 'literal', 'Read', 'Describe');
      allow('group', group, 'literal', 'Read');
      for (const o of owners) allow('topic', `${o}.`, 'prefix', 'Describe');
      return { service, user: kafkaUserOf(service), group, writes, reads: sortedReads, acls: [...acls.values()] };
    }),
  };
  return table;
};

/** deploy/kafka/acls.json as written: indented JSON, one line per topic and per ACL rule. */
export const renderAclTable = (table) => {
  const list = (items, indent) => (items.length ? `[\n${items.map((i) => `${indent}  ${JSON.stringify(i)}`).join(',\n')}\n${indent}]` : '[]');
  const service = (s) =>
    [
      '    {',
      `      "service": ${JSON.stringify(s.service)},`,
      `      "user": ${JSON.stringify(s.user)},`,
      `      "group": ${JSON.stringify(s.group)},`,
      `      "writes": ${list(s.writes, '      ')},`,
      `      "reads": ${list(s.reads, '      ')},`,
      `      "acls": ${list(s.acls, '      ')}`,
      '    }',
    ].join('\n');
  return [
    '{',
    `  "$comment": ${list(table.$comment, '  ')},`,
    `  "cluster": ${JSON.stringify(table.cluster)},`,
    `  "superUser": ${JSON.stringify(table.superUser)},`,
    `  "topics": ${list(table.topics, '  ')},`,
    `  "services": [\n${table.services.map(service).join(',\n')}\n  ]`,
    '}',
    '',
  ].join('\n');
};

/** Every ACL as "allow|type|patternType|name|operation|host", for comparing sets. */
const tuples = (acls) =>
  acls.flatMap((rule) => {
    const ops = rule.operations ?? (rule.operation ? [rule.operation] : []);
    return ops.map((op) => [rule.type ?? 'allow', rule.resource?.type, rule.resource?.patternType ?? 'literal', rule.resource?.name ?? '', op, rule.host ?? '*'].join('|'));
  });

/** The KafkaUser resources of the table, as YAML (k8s/strimzi/users.yaml). */
export const renderKafkaUsers = (table) => {
  const docs = table.services.map((s) =>
    [
      `# ${s.service}: writes ${s.writes.length} topics, reads ${s.reads.length} (and writes their .dlq), group ${s.group}.`,
      `apiVersion: ${STRIMZI_API_VERSION}`,
      'kind: KafkaUser',
      'metadata:',
      `  name: ${s.user}`,
      '  labels:',
      `    strimzi.io/cluster: ${table.cluster}`,
      '    app.kubernetes.io/part-of: closeloop',
      `    app.kubernetes.io/name: ${s.service}`,
      'spec:',
      '  authentication:',
      '    type: scram-sha-512',
      '  authorization:',
      '    type: simple',
      '    acls:',
      ...s.acls.flatMap((a) => [
        '      - resource:',
        `          type: ${a.resource.type}`,
        `          name: ${a.resource.name}`,
        `          patternType: ${a.resource.patternType}`,
        `        operations: [${a.operations.join(', ')}]`,
      ]),
    ].join('\n'),
  );
  return [
    '# Generated by `node tools/validate-deploy/validate.mjs --write-kafka-acls` from deploy/kafka/acls.json',
    '# (do not edit: tools/validate-deploy.sh fails when these differ from the table). One Strimzi KafkaUser',
    '# per service: SCRAM-SHA-512, and ACLs that let it write only its own topics (and the dead-letter',
    '# topics of what it reads), read only what it consumes, as its own consumer group. Strimzi writes',
    '# the password into a Secret named like the user (key `password`), in the namespace where its User',
    '# Operator watches KafkaUsers; the Deployments (k8s/base) read it from there. Kafka 3.0+ needs no',
    '# IdempotentWrite on the cluster for the idempotent producer (Write on a topic implies it, KIP-679).',
    docs.join('\n---\n'),
    '',
  ].join('\n');
};

const USER_SPEC_FIELDS = new Set(['authentication', 'authorization', 'quotas', 'template']);
const ACL_RULE_FIELDS = new Set(['resource', 'type', 'host', 'operation', 'operations']);
const ACL_RESOURCE_FIELDS = new Set(['type', 'name', 'patternType']);
const ACL_OPERATIONS = new Set(['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'AlterConfigs', 'DescribeConfigs', 'IdempotentWrite', 'All']);

const metadataProblems = (metadata) => {
  const problems = [];
  try {
    new ConfigMap({ metadata }).validate();
  } catch (error) {
    for (const e of error.errors ?? []) if (e.instancePath.startsWith('/metadata')) problems.push(`${e.instancePath}: ${e.message}`);
  }
  for (const path of unknownFields(ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata }, { under: '/metadata' })) problems.push(`${path}: unknown field`);
  return problems;
};

/**
 * The KafkaUsers of k8s/strimzi against the table: one per service, SCRAM-SHA-512, simple
 * authorization, exactly the table's ACLs; the shape against the KafkaUser v1beta2 CRD.
 * @param {object[]} objects  the rendered KafkaUser documents
 */
export const checkKafkaUsers = (objects, table) => {
  const problems = [];
  const wanted = new Map(table.services.map((s) => [s.user, s]));
  const seen = new Set();
  for (const [i, obj] of objects.entries()) {
    const id = `k8s/strimzi: KafkaUser ${obj?.metadata?.name ?? `#${i + 1}`}`;
    if (obj.apiVersion !== STRIMZI_API_VERSION) problems.push(`${id}: apiVersion ${obj.apiVersion}, expected ${STRIMZI_API_VERSION}`);
    for (const key of Object.keys(obj)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) problems.push(`${id}: /${key}: unknown field`);
    for (const p of metadataProblems(obj.metadata ?? {})) problems.push(`${id}: ${p}`);
    const name = obj.metadata?.name;
    if (obj.metadata?.labels?.['strimzi.io/cluster'] !== table.cluster) problems.push(`${id}: label strimzi.io/cluster must be ${table.cluster} (the cluster whose user operator manages it)`);
    const spec = obj.spec ?? {};
    for (const key of Object.keys(spec)) if (!USER_SPEC_FIELDS.has(key)) problems.push(`${id}: /spec/${key}: unknown field (KafkaUser spec has ${[...USER_SPEC_FIELDS].join(', ')})`);
    if (spec.authentication?.type !== 'scram-sha-512') problems.push(`${id}: spec.authentication.type must be scram-sha-512 (is ${spec.authentication?.type ?? 'unset'})`);
    if (spec.authorization?.type !== 'simple') problems.push(`${id}: spec.authorization.type must be simple (is ${spec.authorization?.type ?? 'unset'}): without it the user may do anything`);
    const acls = spec.authorization?.acls ?? [];
    for (const [j, rule] of acls.entries()) {
      const at = `${id}: acls[${j}]`;
      for (const key of Object.keys(rule ?? {})) if (!ACL_RULE_FIELDS.has(key)) problems.push(`${at}: unknown field ${key}`);
      for (const key of Object.keys(rule?.resource ?? {})) if (!ACL_RESOURCE_FIELDS.has(key)) problems.push(`${at}.resource: unknown field ${key}`);
      for (const op of rule?.operations ?? [rule?.operation]) if (!ACL_OPERATIONS.has(op)) problems.push(`${at}: unknown operation ${op}`);
      if (!['topic', 'group', 'cluster', 'transactionalId'].includes(rule?.resource?.type)) problems.push(`${at}: resource.type ${rule?.resource?.type} is not topic, group, cluster or transactionalId`);
    }
    if (seen.has(name)) problems.push(`${id}: declared twice`);
    seen.add(name);
    const service = wanted.get(name);
    if (!service) {
      problems.push(`${id}: not a user of ${ACLS_FILE} (users: ${[...wanted.keys()].join(', ')})`);
      continue;
    }
    const have = new Set(tuples(acls));
    const want = new Set(tuples(service.acls));
    const missing = [...want].filter((t) => !have.has(t));
    const extra = [...have].filter((t) => !want.has(t));
    if (missing.length || extra.length) {
      problems.push(
        `${id}: ACLs differ from ${ACLS_FILE} (regenerate: node tools/validate-deploy/validate.mjs --write-kafka-acls)` +
          (missing.length ? `; missing ${missing.join(', ')}` : '') +
          (extra.length ? `; not in the table ${extra.join(', ')}` : ''),
      );
    }
  }
  for (const user of wanted.keys()) if (!seen.has(user)) problems.push(`k8s/strimzi: no KafkaUser ${user} (regenerate: node tools/validate-deploy/validate.mjs --write-kafka-acls)`);
  return problems;
};

/** The environment of a container as the manifests give it (values only; secret references as { secretKeyRef }). */
const containerEnv = (objects, container) => {
  const env = {};
  const configMap = (name) => objects.find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === name)?.data ?? {};
  for (const ef of container.envFrom ?? []) if (ef.configMapRef) Object.assign(env, configMap(ef.configMapRef.name));
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.configMapKeyRef) env[e.name] = configMap(e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
    else if (e.valueFrom?.secretKeyRef) env[e.name] = { secretKeyRef: e.valueFrom.secretKeyRef };
  }
  return env;
};

/**
 * The Deployments of a rendered overlay against the table: each service connects with TLS to the
 * TLS listener, as its own Kafka user, with the password from the Secret Strimzi writes for that
 * user and the cluster CA mounted from `<cluster>-cluster-ca-cert`.
 */
export const checkK8sKafka = (label, objects, table) => {
  const problems = [];
  for (const s of table.services) {
    const d = objects.find((o) => o?.kind === 'Deployment' && o.metadata?.name === s.service);
    if (!d) continue; // checkRendered reports the missing Deployment
    const pod = d.spec?.template?.spec ?? {};
    const c = (pod.containers ?? []).find((x) => x.name === s.service) ?? pod.containers?.[0];
    if (!c) continue;
    const id = `${label}: Deployment ${s.service} container ${c.name}`;
    const env = containerEnv(objects, c);
    if (env.KAFKA_SASL_MECHANISM !== 'scram-sha-512') problems.push(`${id}: KAFKA_SASL_MECHANISM must be scram-sha-512 (is ${env.KAFKA_SASL_MECHANISM ?? 'unset'})`);
    if (env.KAFKA_SASL_USERNAME !== s.user) problems.push(`${id}: KAFKA_SASL_USERNAME must be ${s.user}, its KafkaUser (is ${JSON.stringify(env.KAFKA_SASL_USERNAME) ?? 'unset'})`);
    const ref = env.KAFKA_SASL_PASSWORD?.secretKeyRef;
    if (!ref || ref.name !== s.user || ref.key !== 'password') problems.push(`${id}: KAFKA_SASL_PASSWORD must come from the Secret Strimzi writes for the user (secretKeyRef name ${s.user}, key password)`);
    if (env.KAFKA_SSL !== 'true') problems.push(`${id}: KAFKA_SSL must be true (is ${env.KAFKA_SSL ?? 'unset'})`);
    for (const broker of String(env.KAFKA_BROKERS ?? '').split(',').filter(Boolean)) {
      if (!broker.endsWith(`:${TLS_PORT}`)) problems.push(`${id}: KAFKA_BROKERS ${broker} is not on the TLS listener port ${TLS_PORT}`);
    }
    const caFile = env.KAFKA_SSL_CA_FILE;
    if (typeof caFile !== 'string') problems.push(`${id}: KAFKA_SSL_CA_FILE is not set (the cluster CA, from Secret ${clusterCaSecretOf(table.cluster)})`);
    else {
      const mount = (c.volumeMounts ?? []).find((m) => caFile.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
      const volume = mount && (pod.volumes ?? []).find((v) => v.name === mount.name);
      const file = mount && caFile.slice(mount.mountPath.replace(/\/$/, '').length + 1);
      const items = volume?.secret?.items;
      const key = items ? items.find((i) => i.path === file)?.key : file;
      if (volume?.secret?.secretName !== clusterCaSecretOf(table.cluster) || key !== 'ca.crt') {
        problems.push(`${id}: KAFKA_SSL_CA_FILE ${caFile} must be the key ca.crt of Secret ${clusterCaSecretOf(table.cluster)}, mounted as a volume`);
      }
    }
  }
  return problems;
};

/** `name=password name=password` (compose kafka's SCRAM_USERS) as a Map. */
export const parseScramUsers = (value) =>
  new Map(
    String(value ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=') < 0 ? pair.length : pair.indexOf('=')), pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : undefined]),
  );

const envOf = (service) => {
  const e = service?.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((l) => [String(l).split('=')[0], String(l).split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
};

/**
 * docker-compose.yml (resolved) against the table: the broker formats a SCRAM credential for each
 * service user (SCRAM_USERS), a one-shot service applies the table (it mounts deploy/kafka/acls.json),
 * and each service connects as its user with that password, after the set-up finished.
 */
export const checkComposeKafka = (config, table) => {
  const problems = [];
  const services = config?.services ?? {};
  const [brokerName, broker] = Object.entries(services).find(([, s]) => envOf(s).SCRAM_USERS !== undefined) ?? [];
  if (!broker) return ['docker-compose.yml: no broker with SCRAM_USERS (the SCRAM credentials of the service users, see deploy/kafka/broker.sh)'];
  const brokerEnv = envOf(broker);
  const scram = parseScramUsers(brokerEnv.SCRAM_USERS);
  const at = `docker-compose.yml service ${brokerName}`;
  for (const s of table.services) if (!scram.get(s.user)) problems.push(`${at}: SCRAM_USERS has no ${s.user}=<password> (the Kafka user of ${s.service})`);
  for (const user of scram.keys()) if (!table.services.some((s) => s.user === user)) problems.push(`${at}: SCRAM_USERS has ${user}, which is not a user of ${ACLS_FILE}`);
  if (!brokerEnv.ADMIN_PASSWORD) problems.push(`${at}: ADMIN_PASSWORD is not set (the ${table.superUser} super user)`);

  const mountsTable = (s) =>
    (s.volumes ?? []).some((v) => (typeof v === 'string' ? v.split(':')[0] : v?.source ?? '').replace(/\\/g, '/').endsWith(`/${ACLS_FILE}`));
  const setups = Object.entries(services).filter(([, s]) => mountsTable(s));
  if (setups.length !== 1) problems.push(`docker-compose.yml: expected one service that mounts ${ACLS_FILE} and applies it (kafka-setup), found ${setups.map(([n]) => n).join(', ') || 'none'}`);
  const [setupName, setup] = setups[0] ?? [];
  if (setup) {
    const e = envOf(setup);
    if (e.KAFKA_SASL_USERNAME !== table.superUser || e.KAFKA_SASL_PASSWORD !== brokerEnv.ADMIN_PASSWORD) {
      problems.push(`docker-compose.yml service ${setupName}: must connect as ${table.superUser} (KAFKA_SASL_USERNAME) with the broker's ADMIN_PASSWORD (KAFKA_SASL_PASSWORD)`);
    }
  }

  for (const s of table.services) {
    const [name, service] = Object.entries(services).find(([, x]) => x.build?.args?.APP === s.service) ?? [];
    if (!service) continue; // checkCompose reports it
    const where = `docker-compose.yml service ${name}`;
    const e = envOf(service);
    if (e.KAFKA_SASL_MECHANISM !== 'scram-sha-512') problems.push(`${where}: KAFKA_SASL_MECHANISM must be scram-sha-512 (is ${e.KAFKA_SASL_MECHANISM || 'unset'})`);
    if (e.KAFKA_SASL_USERNAME !== s.user) problems.push(`${where}: KAFKA_SASL_USERNAME must be ${s.user} (is ${e.KAFKA_SASL_USERNAME || 'unset'})`);
    else if (scram.get(s.user) !== undefined && e.KAFKA_SASL_PASSWORD !== scram.get(s.user)) problems.push(`${where}: KAFKA_SASL_PASSWORD is not the password ${brokerName}'s SCRAM_USERS gives ${s.user}`);
    const deps = service.depends_on ?? {};
    if (setupName && (Array.isArray(deps) || deps[setupName]?.condition !== 'service_completed_successfully')) {
      problems.push(`${where}: must wait for ${setupName} (depends_on condition service_completed_successfully): the topics and ACLs exist only after it`);
    }
  }
  return problems;
};
