// Tests of the deployment validator: the repository's own files pass, and broken copies of them
// (an unpinned image, a misspelled field, a wrong address, a missing topic...) are refused with a
// message that names the problem. Run: node --test tools/validate-deploy/ (tools/validate-deploy.sh runs them).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { checkCompose } from './compose.mjs';
import { checkDockerfile, dockerignoreMatcher } from './dockerfile.mjs';
import { endpointsIn } from './endpoints.mjs';
import { imagePinProblem } from './images.mjs';
import { aclBindings } from '../kafka/kafka-setup.mjs';
import { checkRendered, parseQuantity, validateObject } from './k8s.mjs';
import { checkComposeKafka, checkK8sKafka, checkKafkaUsers, deriveAclTable, eventPatternArguments, renderAclTable, renderKafkaUsers, serviceFactsFromSource, topicsOfPattern } from './kafka-acls.mjs';
import { checkCollector, checkDashboard, checkDatasources, checkPrometheus, METRICS } from './observability.mjs';
import { readServiceDocument, readServiceList, renderServiceList, serviceListProblems } from '../services/service-list.mjs';
import { checkServiceEnv } from './service-env.mjs';
import {
  checkAppsAgainstList,
  checkComposeAgainstList,
  checkConfigAgainstList,
  checkFilesAgainstList,
  checkK8sAgainstList,
  checkKustomizationsAgainstList,
  checkProjectsAgainstList,
  checkPrometheusAgainstList,
  checkSecurityModules,
} from './service-list.mjs';
import { checkKafkaTopics, renderKafkaTopics } from './strimzi.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file) => readFileSync(join(ROOT, file), 'utf8');
const docs = (text) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
const clone = (v) => structuredClone(v);
/** Asserts exactly that some problem matches `pattern`. */
const hasProblem = (problems, pattern) =>
  assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got:\n${problems.join('\n') || '(none)'}`);

// A config schema like the services' (libs/config): defaults for a local machine, strict values.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').transform((v) => v.split(',')).pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/)).min(1)),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).default(6),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/x').refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  KAFKA_SASL_MECHANISM: z.enum(['none', 'scram-sha-512', 'scram-sha-256']).default('none'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL: z.enum(['true', 'false']).default('false'),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_JWKS_URL: z.string().min(1).optional(),
});
const apps = new Map([['intake', schema]]);

describe('image pins', () => {
  it('accepts exact versions and digests', () => {
    for (const ok of ['node:24.21.0-bookworm-slim', 'apache/kafka:3.9.1', 'prom/prometheus:v3.5.0', 'registry.example.com:5000/closeloop/intake:0.1.0', `x/y@sha256:${'a'.repeat(64)}`]) {
      assert.equal(imagePinProblem(ok), null, ok);
    }
  });
  it('refuses latest, no tag, a bare major and a registry port taken for a tag', () => {
    assert.match(imagePinProblem('grafana/grafana:latest'), /latest/);
    assert.match(imagePinProblem('postgres'), /no tag/);
    assert.match(imagePinProblem('registry.example.com:5000/closeloop/intake'), /no tag/);
    assert.match(imagePinProblem('postgres:17'), /not an exact version/);
    assert.match(imagePinProblem('node:${NODE_TAG}'), /not resolved/);
  });
});

describe('host:port references', () => {
  it('finds them in URLs, broker lists and quorum voters', () => {
    const hosts = (v) => endpointsIn(v).map((e) => `${e.kind}:${e.host}:${e.port}`);
    assert.deepEqual(hosts('postgres://u:p@postgres:5432/db'), ['host:postgres:5432']);
    assert.deepEqual(hosts('kafka-1:9092,kafka-2:9092'), ['host:kafka-1:9092', 'host:kafka-2:9092']);
    assert.deepEqual(hosts('1@kafka:9093'), ['host:kafka:9093']);
    assert.deepEqual(hosts('PLAINTEXT://:9092,HOST://localhost:29092'), ['bind::9092', 'loopback:localhost:29092']);
    assert.deepEqual(hosts('http://otel-collector:4318'), ['host:otel-collector:4318']);
    assert.deepEqual(hosts('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'), []);
  });
});

describe('service environment against the config schema', () => {
  it('accepts what the schema reads', () => {
    assert.deepEqual(checkServiceEnv('x', { KAFKA_BROKERS: 'kafka:9092', OTEL_SERVICE_NAME: 'x' }, schema), []);
  });
  it('refuses a key the service does not read, and a value it would refuse at start-up', () => {
    hasProblem(checkServiceEnv('x', { KAFKA_BROKER: 'kafka:9092' }, schema), /sets KAFKA_BROKER, which the service does not read/);
    hasProblem(checkServiceEnv('x', { KAFKA_BROKERS: 'kafka' }, schema), /KAFKA_BROKERS: .*refuse to start/);
    hasProblem(checkServiceEnv('x', { DATABASE_URL: 'mysql://db/x' }, schema), /DATABASE_URL: must be a postgres:\/\/ URL \(value hidden\)/);
  });
  it('counts a key provided outside the repository as present', () => {
    const required = schema.extend({ AUTH_ISSUER: z.string().min(1) });
    hasProblem(checkServiceEnv('x', {}, required), /AUTH_ISSUER/);
    assert.deepEqual(checkServiceEnv('x', {}, required, ['AUTH_ISSUER']), []);
  });
});

// A minimal compose file in the resolved form `docker-compose config` prints.
const composeConfig = () => ({
  services: {
    kafka: { image: 'apache/kafka:3.9.1', expose: ['9092'], healthcheck: { test: ['CMD', 'true'] } },
    postgres: { image: 'postgres:17.6-bookworm', expose: ['5432'], healthcheck: { test: ['CMD', 'true'] } },
    'otel-collector': { image: 'otel/opentelemetry-collector-contrib:0.138.0', expose: ['4318'], volumes: [`${ROOT}/deploy/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro`] },
    intake: {
      build: { context: ROOT, dockerfile: 'Dockerfile', args: { APP: 'intake' } },
      image: 'closeloop/intake:0.1.0',
      environment: {
        NODE_ENV: 'production',
        PORT: '3000',
        KAFKA_BROKERS: 'kafka:9092',
        DATABASE_URL: 'postgres://closeloop:pw@postgres:5432/closeloop',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_SERVICE_NAME: 'intake',
      },
      ports: [{ published: 3000, target: 3000, host_ip: '127.0.0.1' }],
      depends_on: { kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' }, 'otel-collector': { condition: 'service_started' } },
      healthcheck: { test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready')"] },
    },
  },
});

describe('docker-compose.yml', () => {
  const check = (config) => checkCompose(config, { root: ROOT, apps });
  it('accepts a consistent file', () => assert.deepEqual(check(composeConfig()), []));
  it('refuses an unpinned image', () => {
    const c = composeConfig();
    c.services.kafka.image = 'apache/kafka:latest';
    hasProblem(check(c), /service kafka: image "apache\/kafka:latest" uses the tag "latest"/);
    c.services.postgres.image = 'postgres';
    hasProblem(check(c), /service postgres: image "postgres" has no tag/);
  });
  it('refuses an address that names no service, or a port the service does not listen on', () => {
    const c = composeConfig();
    c.services.intake.environment.KAFKA_BROKERS = 'broker:9092';
    hasProblem(check(c), /KAFKA_BROKERS refers to broker:9092, but there is no service "broker"/);
    const d = composeConfig();
    d.services.intake.environment.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://otel-collector:4317';
    hasProblem(check(d), /otel-collector:4317, but otel-collector listens on 4318/);
  });
  it('refuses a referenced service missing from depends_on, and waiting on a service without healthcheck', () => {
    const c = composeConfig();
    delete c.services.intake.depends_on.postgres;
    hasProblem(check(c), /DATABASE_URL refers to postgres, which is missing from its depends_on/);
    const d = composeConfig();
    delete d.services.kafka.healthcheck;
    hasProblem(check(d), /waits for kafka to be healthy, but kafka has no healthcheck/);
  });
  it('refuses missing paths: build context, Dockerfile, bind mounts', () => {
    const c = composeConfig();
    c.services.intake.build.dockerfile = 'Dockerfile.missing';
    c.services['otel-collector'].volumes = [`${ROOT}/deploy/otel/nope.yaml:/etc/x.yaml:ro`];
    const problems = check(c);
    hasProblem(problems, /Dockerfile .*Dockerfile\.missing does not exist/);
    hasProblem(problems, /mounts .*nope\.yaml, which does not exist/);
    const d = composeConfig();
    d.services.intake.build.context = `${ROOT}/no-such-dir`;
    hasProblem(check(d), /build context .*no-such-dir does not exist/);
  });
  it('refuses a service built without APP, an unknown APP, and a service left out', () => {
    const c = composeConfig();
    c.services.intake.build.args.APP = 'intak';
    const problems = check(c);
    hasProblem(problems, /APP=intak is not a service/);
    hasProblem(problems, /no service builds intake/);
  });
  it('refuses settings a service would refuse or does not read, and defaults that point at 127.0.0.1', () => {
    const c = composeConfig();
    c.services.intake.environment.DATABASE_POOL_SIZE = '0';
    c.services.intake.environment.KAFKA_BROKER = 'kafka:9092';
    delete c.services.intake.environment.KAFKA_BROKERS;
    const problems = check(c);
    hasProblem(problems, /DATABASE_POOL_SIZE: .*refuse to start/);
    hasProblem(problems, /sets KAFKA_BROKER, which the service does not read/);
    hasProblem(problems, /KAFKA_BROKERS is not set/);
  });
  it('refuses a port published on every interface', () => {
    const c = composeConfig();
    c.services.intake.ports = ['3000:3000/tcp'];
    c.services.postgres.ports = [{ target: 5432, published: 15432, host_ip: '0.0.0.0' }];
    const problems = check(c);
    hasProblem(problems, /service intake: port 3000:3000 is published on every interface; publish it on 127\.0\.0\.1 only/);
    hasProblem(problems, /service postgres: port 15432:5432 is published on 0\.0\.0\.0/);
    const d = composeConfig();
    d.services.intake.ports = ['127.0.0.1:3000:3000/tcp'];
    assert.deepEqual(check(d), []);
  });
  it('the repository file parses into a shape these checks understand', () => {
    const raw = parseYaml(read('docker-compose.yml'), { merge: true });
    assert.ok(Object.keys(raw.services).length >= 11, 'kafka, postgres, five services, collector, jaeger, prometheus, grafana');
    for (const [name, s] of Object.entries(raw.services)) assert.equal(imagePinProblem(s.image), null, name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const dockerignore = read('.dockerignore');
  const mustSurvive = ['package.json', 'package-lock.json', '.swcrc', 'tsconfig.base.json', 'apps/intake/src/main.ts', 'libs/runtime/src/index.ts'];
  const check = (text, ignore = dockerignore) => checkDockerfile(text, { context: ROOT, dockerignore: ignore, mustSurvive });
  it('the repository Dockerfile and .dockerignore pass', () => assert.deepEqual(check(dockerfile), []));
  it('refuses an unpinned base image', () => {
    hasProblem(check(dockerfile.replace('FROM node:24.21.0-bookworm-slim AS base', 'FROM node:latest AS base')), /uses the tag "latest"/);
    hasProblem(check(dockerfile.replace('FROM node:24.21.0-bookworm-slim AS base', 'FROM node AS base')), /has no tag/);
  });
  it('refuses a runtime stage that runs as root, installs dev dependencies or lacks APP', () => {
    const [head, runtime] = dockerfile.split('FROM base AS runtime');
    assert.ok(runtime, 'the Dockerfile has a runtime stage');
    hasProblem(check(`${head}FROM base AS runtime${runtime.replace(/^USER node$/m, 'USER root')}`), /runs as root/);
    hasProblem(check(`${head}FROM base AS runtime${runtime.replace(/^USER node$/m, '')}`), /runs as root/);
    hasProblem(check(dockerfile.replace('npm install --omit=dev', 'npm install')), /does not install production dependencies only/);
    hasProblem(check(dockerfile.replace(/^ARG APP$/m, 'ARG SERVICE')), /does not declare ARG APP/);
  });
  it('refuses a COPY of a path that is missing or excluded by .dockerignore', () => {
    hasProblem(check(dockerfile.replace('COPY tsconfig.base.json .swcrc ./', 'COPY tsconfig.json.base .swcrc ./')), /tsconfig\.json\.base: not in the build context/);
    hasProblem(check(dockerfile, `${dockerignore}\npackage-lock.json\n`), /package-lock\.json: excluded by \.dockerignore/);
    hasProblem(check(dockerfile, `${dockerignore}\napps/**/main.ts\n`), /\.dockerignore excludes apps\/intake\/src\/main\.ts/);
  });
  it('matches .dockerignore like Docker: parents, ** and exceptions', () => {
    const ignored = dockerignoreMatcher('node_modules\n**/test\ntools\n!tools/auth\n*.md');
    assert.equal(ignored('node_modules/x/index.js'), true);
    assert.equal(ignored('apps/intake/test/integration/a.ts'), true);
    assert.equal(ignored('apps/intake/src/main.ts'), false);
    assert.equal(ignored('tools/stack.sh'), true);
    assert.equal(ignored('tools/auth/dev-identity.mjs'), false);
    assert.equal(ignored('README.md'), true);
  });
});

describe('Kubernetes schema (kubernetes-models, strict)', () => {
  const base = docs(read('k8s/base/intake.yaml'));
  const deployment = () => clone(base.find((o) => o.kind === 'Deployment'));
  it('accepts the base manifests of a service', async () => {
    for (const obj of base) assert.deepEqual(await validateObject(obj), [], `${obj.kind}`);
  });
  it('refuses a misspelled field, at any depth', async () => {
    const d = deployment();
    const c = d.spec.template.spec.containers[0];
    c.readinessprobe = c.readinessProbe;
    delete c.readinessProbe;
    hasProblem(await validateObject(d), /\/spec\/template\/spec\/containers\/0\/readinessprobe: unknown field/);
    const e = deployment();
    e.spec.replicaz = 2;
    e.spec.template.spec.containers[0].livenessProbe.httpGett = { path: '/' };
    const problems = await validateObject(e);
    hasProblem(problems, /\/spec\/replicaz: unknown field/);
    hasProblem(problems, /livenessProbe\/httpGett: unknown field/);
  });
  it('refuses a missing required field and a wrong type', async () => {
    const d = deployment();
    delete d.spec.selector;
    delete d.spec.template.spec.containers[0].name;
    const problems = await validateObject(d);
    hasProblem(problems, /\/spec: missing required field selector/);
    hasProblem(problems, /containers\/0: missing required field name/);
    const e = deployment();
    e.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    hasProblem(await validateObject(e), /containerPort: must be integer/);
  });
  it('refuses an unknown kind or apiVersion', async () => {
    hasProblem(await validateObject({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }), /no Kubernetes schema for apiVersion apps\/v1, kind Deploymnet/);
    hasProblem(await validateObject({ apiVersion: 'autoscaling/v3', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' } }), /no Kubernetes schema/);
  });
  it('reads resource quantities', () => {
    assert.equal(parseQuantity('250m'), 0.25);
    assert.equal(parseQuantity('512Mi'), 512 * 2 ** 20);
    assert.equal(parseQuantity('1'), 1);
    assert.equal(parseQuantity('1.5Gb'), undefined);
  });
});

describe('Kubernetes wiring of the rendered overlay', () => {
  // The intake base objects plus the ConfigMaps and the Secret an overlay renders.
  const rendered = () => [
    ...docs(read('k8s/base/intake.yaml')),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'closeloop-config' },
      data: {
        NODE_ENV: 'production',
        KAFKA_BROKERS: 'closeloop-kafka-bootstrap.kafka.svc:9093',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/closeloop/kafka-ca/ca.crt',
        KAFKA_TOPIC_PARTITIONS: '6',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4318',
      },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'closeloop-auth' }, data: {} },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'closeloop-secrets' }, type: 'Opaque', data: { DATABASE_URL: Buffer.from('postgres://u:p@db.example:5432/closeloop').toString('base64') } },
  ];
  // The Secret of intake's Kafka user comes from Strimzi's user operator.
  const kafkaUserSecret = ['closeloop-intake', ['password']];
  const check = (objects, externalSecrets = new Map([kafkaUserSecret])) => checkRendered('test', objects, { apps, externalSecrets });
  const dep = (objects) => objects.find((o) => o.kind === 'Deployment');
  it('accepts a consistent set', async () => assert.deepEqual(await check(rendered()), []));
  it('refuses probes on the wrong endpoint, missing limits and an unpinned image', async () => {
    const o = rendered();
    const c = dep(o).spec.template.spec.containers[0];
    c.readinessProbe.httpGet.path = '/health';
    delete c.resources.limits.memory;
    c.image = 'closeloop/intake:latest';
    const problems = await check(o);
    hasProblem(problems, /readinessProbe on \/health, expected \/health\/ready/);
    hasProblem(problems, /no resources\.limits\.memory/);
    hasProblem(problems, /uses the tag "latest"/);
  });
  it('refuses a container that may run as root', async () => {
    const o = rendered();
    delete dep(o).spec.template.spec.securityContext.runAsNonRoot;
    delete dep(o).spec.template.spec.containers[0].securityContext.runAsNonRoot;
    hasProblem(await check(o), /not forced to run as non-root/);
  });
  it('refuses a Secret that is neither rendered nor declared external, and accepts it when declared', async () => {
    const o = rendered().filter((x) => x.kind !== 'Secret');
    hasProblem(await check(o), /Secret closeloop-secrets, which is neither rendered nor declared/);
    assert.deepEqual(await check(o, new Map([['closeloop-secrets', ['DATABASE_URL']], kafkaUserSecret])), []);
    hasProblem(await check(rendered(), new Map()), /env KAFKA_SASL_PASSWORD reads Secret closeloop-intake, which is neither rendered nor declared/);
  });
  it('refuses settings the service does not read or would refuse', async () => {
    const o = rendered();
    o.find((x) => x.metadata.name === 'closeloop-config').data.KAFKA_BROKERZ = 'kafka:9092';
    o.find((x) => x.metadata.name === 'closeloop-config').data.KAFKA_TOPIC_PARTITIONS = 'six';
    const problems = await check(o);
    hasProblem(problems, /sets KAFKA_BROKERZ, which the service does not read/);
    hasProblem(problems, /KAFKA_TOPIC_PARTITIONS: .*refuse to start/);
  });
  it('refuses an HPA above the partition count, and a Service or PDB that selects nothing', async () => {
    const o = rendered();
    o.find((x) => x.kind === 'HorizontalPodAutoscaler').spec.maxReplicas = 12;
    o.find((x) => x.kind === 'Service').spec.selector['app.kubernetes.io/name'] = 'intak';
    o.find((x) => x.kind === 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/name'] = 'intak';
    const problems = await check(o);
    hasProblem(problems, /maxReplicas 12 is above KAFKA_TOPIC_PARTITIONS 6/);
    hasProblem(problems, /Service intake: its selector matches no Deployment's pods/);
    hasProblem(problems, /PodDisruptionBudget intake: its selector matches no Deployment's pods/);
  });
  it('refuses a service without its HPA or PDB', async () => {
    const o = rendered().filter((x) => x.kind !== 'PodDisruptionBudget');
    hasProblem(await check(o), /no PodDisruptionBudget intake/);
  });
});

describe('Strimzi topics', () => {
  const topics = ['intake.journey.requested.v1', 'intake.journey.requested.v1.dlq'];
  const objects = () => docs(renderKafkaTopics(topics));
  it('accepts the generated resources', () => assert.deepEqual(checkKafkaTopics(objects(), topics), []));
  it('refuses a topic without a KafkaTopic, and a KafkaTopic of no contract', () => {
    hasProblem(checkKafkaTopics(objects(), [...topics, 'saas.access.verified.v1']), /no KafkaTopic for saas\.access\.verified\.v1/);
    hasProblem(checkKafkaTopics(objects(), [topics[0]]), /intake\.journey\.requested\.v1\.dlq is not a topic of libs\/contracts/);
  });
  it('refuses unknown or missing fields and values out of range', () => {
    const o = objects();
    o[0].spec.partition = 3;
    delete o[0].metadata.labels['strimzi.io/cluster'];
    o[0].metadata.lables = { a: 'b' };
    o[1].spec.replicas = 0;
    o[1].spec.config['min.insync.replicas'] = 3;
    const problems = checkKafkaTopics(o, topics);
    hasProblem(problems, /\/spec\/partition: unknown field/);
    hasProblem(problems, /missing label strimzi\.io\/cluster/);
    hasProblem(problems, /\/metadata\/lables: unknown field/);
    hasProblem(problems, /spec\.replicas must be an integer from 1 to 32767/);
    const p = objects();
    p[0].spec.replicas = 2;
    hasProblem(checkKafkaTopics(p, topics), /min\.insync\.replicas 2 is not below replicas 2/);
    const q = objects();
    delete q[0].spec;
    hasProblem(checkKafkaTopics(q, topics), /missing required field spec/);
  });
});

describe('observability configuration', () => {
  const services = new Map([
    ['intake', new Set([3000])],
    ['otel-collector', new Set([4317, 4318])],
    ['jaeger', new Set([4317, 16686])],
    ['prometheus', new Set([9090])],
  ]);
  const appPorts = new Map([['intake', 3000]]);
  it('the repository Prometheus and collector configs pass against their services', () => {
    assert.deepEqual(checkPrometheus({ scrape_configs: [{ job_name: 'closeloop', static_configs: [{ targets: ['intake:3000'] }] }] }, services, appPorts), []);
    assert.deepEqual(checkCollector(parseYaml(read('deploy/otel-collector/config.yaml')), services, [4318]), []);
  });
  it('refuses a scrape target of no service and a service left unscraped', () => {
    const problems = checkPrometheus({ scrape_configs: [{ job_name: 'closeloop', static_configs: [{ targets: ['intake-svc:3000'] }] }] }, services, appPorts);
    hasProblem(problems, /intake-svc:3000 is not a service/);
    hasProblem(problems, /does not scrape intake:3000\/metrics/);
  });
  it('refuses a pipeline using an undefined exporter, an exporter to no service and an unreceived OTLP port', () => {
    const cfg = parseYaml(read('deploy/otel-collector/config.yaml'));
    cfg.service.pipelines.traces.exporters = ['otlp/jaegr'];
    cfg.exporters['otlp/jaeger'].endpoint = 'jaegr:4317';
    const problems = checkCollector(cfg, services, [4319]);
    hasProblem(problems, /uses exporter otlp\/jaegr, which is not defined/);
    hasProblem(problems, /jaegr:4317 is not a service/);
    hasProblem(problems, /send OTLP to port 4319, but no receiver listens there/);
  });
  const datasources = () => checkDatasources(parseYaml(read('deploy/grafana/provisioning/datasources/datasources.yml')), services);
  const dashboard = () => JSON.parse(read('deploy/grafana/dashboards/closeloop-journeys.json'));
  it('the repository datasources and dashboard pass; the dashboard shows every series', () => {
    const { problems, uids } = datasources();
    assert.deepEqual(problems, []);
    assert.deepEqual(checkDashboard('d', dashboard(), uids, { requireAllMetrics: true }), []);
  });
  it('refuses a misspelled series, an unprovisioned datasource and a dashboard missing a series', () => {
    const { uids } = datasources();
    const d = dashboard();
    const panel = d.panels.find((p) => p.targets?.some((t) => t.expr?.includes('closeloop_consumer_lag')));
    for (const t of panel.targets) t.expr = t.expr.replace('closeloop_consumer_lag', 'closeloop_consumer_lags');
    d.panels.find((p) => p.type === 'timeseries').datasource = { type: 'prometheus', uid: 'prom' };
    const problems = checkDashboard('d', d, uids, { requireAllMetrics: true });
    hasProblem(problems, /unknown series closeloop_consumer_lags/);
    hasProblem(problems, /datasource uid prom is not provisioned/);
    hasProblem(problems, /no panel shows closeloop_consumer_lag$/);
  });
  it('knows every series the services expose, histograms through their buckets', () => {
    assert.equal(METRICS.counters.length + METRICS.gauges.length + METRICS.histograms.length, 16);
  });
});

describe('@EventPattern arguments', () => {
  const contracts = {
    JourneyRequestedV1: { topic: 'intake.journey.requested.v1' },
    StepRetryRequestedV1: { topic: 'assurance.step.retry-requested.v1' },
    UPSTREAM: 'hr.workday.worker-events.v1',
    startTopicsOf: (owner) => (owner === 'saas' ? ['identity.account.verified.v1'] : []),
    assuranceTopics: () => ['a.v1', 'b.v1'],
  };
  it('finds the first argument of each, with its parentheses and brackets', () => {
    const text = "@EventPattern(JourneyRequestedV1.topic)\n@EventPattern(UPSTREAM, RAW_MESSAGES)\n@EventPattern( startTopicsOf('saas') )\n@EventPattern([A.topic, f('x, y')], 1)";
    assert.deepEqual(eventPatternArguments(text), ['JourneyRequestedV1.topic', 'UPSTREAM', "startTopicsOf('saas')", "[A.topic, f('x, y')]"]);
  });
  it('names the topics of contracts, constants, lists and calls of contract functions with literals', () => {
    assert.deepEqual(topicsOfPattern('JourneyRequestedV1.topic', contracts), ['intake.journey.requested.v1']);
    assert.deepEqual(topicsOfPattern("'x.y.v1'", contracts), ['x.y.v1']);
    assert.deepEqual(topicsOfPattern('UPSTREAM', contracts), ['hr.workday.worker-events.v1']);
    assert.deepEqual(topicsOfPattern("startTopicsOf('saas')", contracts), ['identity.account.verified.v1']);
    assert.deepEqual(topicsOfPattern("startTopicsOf('billing')", contracts), []);
    assert.deepEqual(topicsOfPattern('assuranceTopics()', contracts), ['a.v1', 'b.v1']);
    assert.deepEqual(topicsOfPattern('[JourneyRequestedV1.topic, StepRetryRequestedV1.topic]', contracts), ['intake.journey.requested.v1', 'assurance.step.retry-requested.v1']);
  });
  it('cannot name a local variable, an unknown export or a call with a non-literal argument', () => {
    for (const expr of ['localTopic', 'Nope.topic', 'startTopicsOf(OWNER)', 'nothing()', '[JourneyRequestedV1.topic, localTopic]']) assert.equal(topicsOfPattern(expr, contracts), undefined, expr);
  });
});

describe('Kafka ACL table, Strimzi users, compose and Deployments', () => {
  const contracts = [
    { topic: 'intake.journey.requested.v1', owner: 'intake' },
    { topic: 'identity.account.verified.v1', owner: 'identity' },
    { topic: 'assurance.outcome.confirmed.v1', owner: 'assurance' },
  ];
  const table = () =>
    deriveAclTable({
      contracts,
      services: [
        { service: 'intake', owner: 'intake', group: 'closeloop.intake', reads: ['assurance.outcome.confirmed.v1', 'hr.workday.worker-events.v1'] },
        { service: 'identity-domain', owner: 'identity', group: 'closeloop.identity-domain', reads: ['intake.journey.requested.v1'] },
      ],
    });
  const acl = (t, service) => t.services.find((s) => s.service === service).acls.map((a) => `${a.resource.type}:${a.resource.patternType}:${a.resource.name}=${a.operations.join('+')}`);

  it('derives least privilege from the code: own topics, the .dlq of what it reads, what it reads, its group', () => {
    const t = table();
    assert.deepEqual(acl(t, 'identity-domain'), [
      'topic:literal:identity.account.verified.v1=Write+Describe',
      'topic:literal:intake.journey.requested.v1.dlq=Write+Describe',
      'topic:literal:intake.journey.requested.v1=Read+Describe',
      'group:literal:closeloop.identity-domain=Read',
      'topic:prefix:intake.=Describe',
      'topic:prefix:identity.=Describe',
      'topic:prefix:assurance.=Describe',
    ]);
    assert.deepEqual(t.services[0].writes, ['intake.journey.requested.v1']);
    assert.ok(t.topics.includes('hr.workday.worker-events.v1.dlq'), 'upstream topics and their .dlq are in the table');
    assert.equal(JSON.stringify(JSON.parse(renderAclTable(t))), JSON.stringify(t));
    assert.throws(() => deriveAclTable({ contracts, services: [{ service: 'billing', group: 'g', reads: [] }] }), /billing: no owner/);
  });

  it('gives a new service whose owner has no contract yet only what it reads, and their .dlq', () => {
    const t = deriveAclTable({ contracts, services: [{ service: 'billing-domain', owner: 'billing', group: 'closeloop.billing-domain', reads: ['intake.journey.requested.v1'] }] });
    assert.deepEqual(t.services[0].writes, []);
    assert.deepEqual(acl(t, 'billing-domain').slice(0, 3), [
      'topic:literal:intake.journey.requested.v1.dlq=Write+Describe',
      'topic:literal:intake.journey.requested.v1=Read+Describe',
      'group:literal:closeloop.billing-domain=Read',
    ]);
  });

  it('reads the consumed topics from @EventPattern and refuses one it cannot name', () => {
    const root = mkdtempSync(join(tmpdir(), 'acl-src-'));
    try {
      mkdirSync(join(root, 'apps/identity-domain/src/journeys'), { recursive: true });
      writeFileSync(join(root, 'apps/identity-domain/src/app.module.ts'), "const d = { consumerGroup: 'closeloop.identity-domain' };");
      writeFileSync(join(root, 'apps/identity-domain/src/journeys/h.handler.ts'), '@EventPattern(JourneyRequestedV1.topic)\n@EventPattern(UPSTREAM, RAW)\n');
      writeFileSync(join(root, 'apps/identity-domain/src/journeys/h.handler.spec.ts'), '@EventPattern(Nope.topic)');
      const exports = { JourneyRequestedV1: { topic: 'intake.journey.requested.v1' }, UPSTREAM: 'hr.workday.worker-events.v1' };
      assert.deepEqual(serviceFactsFromSource(root, ['identity-domain'], exports), [
        { service: 'identity-domain', group: 'closeloop.identity-domain', reads: ['intake.journey.requested.v1', 'hr.workday.worker-events.v1'] },
      ]);
      writeFileSync(join(root, 'apps/identity-domain/src/journeys/other.handler.ts'), "@EventPattern(localTopic)");
      assert.throws(() => serviceFactsFromSource(root, ['identity-domain'], exports), /@EventPattern\(localTopic\): not a topic of libs\/contracts/);
      writeFileSync(join(root, 'apps/identity-domain/src/journeys/other.handler.ts'), "@EventPattern(ownerTopics(OWNER))");
      assert.throws(() => serviceFactsFromSource(root, ['identity-domain'], exports), /@EventPattern\(ownerTopics\(OWNER\)\): not a topic/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the repository KafkaUsers are the rendering of the repository table', () => {
    const committed = JSON.parse(read('deploy/kafka/acls.json'));
    assert.equal(read('k8s/strimzi/users.yaml'), renderKafkaUsers(committed));
    assert.deepEqual(checkKafkaUsers(docs(read('k8s/strimzi/users.yaml')), committed), []);
  });

  it('refuses KafkaUsers whose ACLs, authentication or authorization differ from the table', () => {
    const t = table();
    const users = () => docs(renderKafkaUsers(t));
    assert.deepEqual(checkKafkaUsers(users(), t), []);
    const u = users();
    u[1].spec.authorization.acls.push({ resource: { type: 'topic', name: 'assurance.outcome.confirmed.v1', patternType: 'literal' }, operations: ['Write'] });
    u[1].spec.authorization.acls.shift();
    hasProblem(checkKafkaUsers(u, t), /KafkaUser closeloop-identity-domain: ACLs differ from deploy\/kafka\/acls\.json.*missing allow\|topic\|literal\|identity\.account\.verified\.v1\|Write.*not in the table allow\|topic\|literal\|assurance\.outcome\.confirmed\.v1\|Write/);
    const v = users();
    v[0].spec.authentication.type = 'tls';
    delete v[0].spec.authorization;
    v[0].spec.quota = {};
    const problems = checkKafkaUsers(v, t);
    hasProblem(problems, /spec\.authentication\.type must be scram-sha-512/);
    hasProblem(problems, /spec\.authorization\.type must be simple/);
    hasProblem(problems, /\/spec\/quota: unknown field/);
    hasProblem(checkKafkaUsers(users().slice(1), t), /no KafkaUser closeloop-intake/);
  });

  it('the compose-side set-up turns every rule of the table into a Kafka ACL', () => {
    const committed = JSON.parse(read('deploy/kafka/acls.json'));
    for (const service of committed.services) {
      const bindings = aclBindings(service);
      assert.equal(bindings.length, service.acls.reduce((n, a) => n + a.operations.length, 0));
      assert.ok(bindings.every((b) => b.principal === `User:${service.user}` && b.host === '*'));
    }
    assert.throws(() => aclBindings({ user: 'u', acls: [{ resource: { type: 'topic', name: 't', patternType: 'literal' }, operations: ['Wirte'] }] }), /cannot express/);
  });

  it('the repository Deployments connect as their Kafka users, with TLS and the cluster CA', () => {
    const t = JSON.parse(read('deploy/kafka/acls.json'));
    const base = readServiceList(ROOT).flatMap((s) => docs(read(`k8s/base/${s.name}.yaml`)));
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'closeloop-config' }, data: { KAFKA_BROKERS: 'b.kafka.svc:9093', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/closeloop/kafka-ca/ca.crt' } };
    assert.deepEqual(checkK8sKafka('test', [...base, config], t), []);
    const broken = structuredClone([...base, config]);
    const identity = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'identity-domain').spec.template.spec;
    identity.containers[0].env.find((e) => e.name === 'KAFKA_SASL_USERNAME').value = 'closeloop-intake';
    identity.containers[0].env.find((e) => e.name === 'KAFKA_SASL_PASSWORD').valueFrom.secretKeyRef.name = 'closeloop-secrets';
    identity.volumes.find((v) => v.name === 'kafka-ca').secret.secretName = 'some-ca';
    broken.find((o) => o.kind === 'ConfigMap').data.KAFKA_SSL = 'false';
    broken.find((o) => o.kind === 'ConfigMap').data.KAFKA_BROKERS = 'b.kafka.svc:9092';
    const problems = checkK8sKafka('test', broken, t);
    hasProblem(problems, /Deployment identity-domain .*KAFKA_SASL_USERNAME must be closeloop-identity-domain/);
    hasProblem(problems, /Deployment identity-domain .*KAFKA_SASL_PASSWORD must come from the Secret Strimzi writes for the user \(secretKeyRef name closeloop-identity-domain, key password\)/);
    hasProblem(problems, /Deployment identity-domain .*KAFKA_SSL_CA_FILE .* must be the key ca\.crt of Secret closeloop-cluster-ca-cert/);
    hasProblem(problems, /Deployment intake .*KAFKA_SSL must be true/);
    hasProblem(problems, /Deployment intake .*KAFKA_BROKERS b\.kafka\.svc:9092 is not on the TLS listener port 9093/);
  });

  it('refuses compose files whose services and broker disagree with the table', () => {
    const t = table();
    const compose = () => ({
      services: {
        kafka: { environment: { ADMIN_PASSWORD: 'a', SCRAM_USERS: 'closeloop-intake=i closeloop-identity-domain=d' } },
        'kafka-setup': { volumes: [`${ROOT}/deploy/kafka/acls.json:/app/deploy/kafka/acls.json:ro`], environment: { KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: 'a' } },
        intake: {
          build: { args: { APP: 'intake' } },
          environment: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'closeloop-intake', KAFKA_SASL_PASSWORD: 'i' },
          depends_on: { 'kafka-setup': { condition: 'service_completed_successfully' } },
        },
        'identity-domain': {
          build: { args: { APP: 'identity-domain' } },
          environment: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'closeloop-identity-domain', KAFKA_SASL_PASSWORD: 'd' },
          depends_on: { 'kafka-setup': { condition: 'service_completed_successfully' } },
        },
      },
    });
    assert.deepEqual(checkComposeKafka(compose(), t), []);
    const c = compose();
    c.services.kafka.environment.SCRAM_USERS = 'closeloop-intake=i closeloop-billing=b';
    c.services['identity-domain'].environment.KAFKA_SASL_USERNAME = 'closeloop-intake';
    c.services.intake.environment.KAFKA_SASL_PASSWORD = 'wrong';
    delete c.services.intake.environment.KAFKA_SASL_MECHANISM;
    c.services.intake.depends_on = {};
    c.services['kafka-setup'].environment.KAFKA_SASL_PASSWORD = 'x';
    const problems = checkComposeKafka(c, t);
    hasProblem(problems, /service kafka: SCRAM_USERS has no closeloop-identity-domain=<password>/);
    hasProblem(problems, /service kafka: SCRAM_USERS has closeloop-billing, which is not a user/);
    hasProblem(problems, /service identity-domain: KAFKA_SASL_USERNAME must be closeloop-identity-domain/);
    hasProblem(problems, /service intake: KAFKA_SASL_PASSWORD is not the password kafka's SCRAM_USERS gives closeloop-intake/);
    hasProblem(problems, /service intake: KAFKA_SASL_MECHANISM must be scram-sha-512/);
    hasProblem(problems, /service intake: must wait for kafka-setup/);
    hasProblem(problems, /service kafka-setup: must connect as admin/);
    const d = compose();
    delete d.services['kafka-setup'];
    hasProblem(checkComposeKafka(d, t), /expected one service that mounts deploy\/kafka\/acls\.json/);
  });
});

describe('the list of services (deploy/services.json) and the files that name them', () => {
  const list = () => structuredClone(readServiceList(ROOT));
  const entry = (name, port, more = {}) => ({ name, kind: 'domain', owner: name.replace(/-domain$/, ''), port, schema: name.replace(/-domain$/, ''), consumerGroup: `closeloop.${name}`, simulators: false, ...more });

  it('the repository list is valid, and written as the generator writes it', () => {
    const doc = readServiceDocument(ROOT);
    assert.deepEqual(serviceListProblems(doc), []);
    assert.equal(read('deploy/services.json'), renderServiceList(doc));
  });
  it('refuses a duplicate port, owner or schema, a group that is not closeloop.<name>, unknown and missing fields', () => {
    const doc = { services: [entry('a-domain', 3100), entry('b-domain', 3100, { owner: 'a', schema: 'a', consumerGroup: 'closeloop.b', extra: 1 }), { name: 'c', port: 'x' }] };
    const problems = serviceListProblems(doc);
    hasProblem(problems, /services\[1\] \(b-domain\): port 3100 is taken by a-domain/);
    hasProblem(problems, /services\[1\] \(b-domain\): owner a is taken by a-domain/);
    hasProblem(problems, /services\[1\] \(b-domain\): schema a is taken by a-domain/);
    hasProblem(problems, /services\[1\] \(b-domain\): consumerGroup must be closeloop\.b-domain/);
    hasProblem(problems, /services\[1\] \(b-domain\): unknown field extra/);
    hasProblem(problems, /services\[2\] \(c\): kind is missing/);
    hasProblem(problems, /services\[2\] \(c\): port must be an integer/);
    hasProblem(serviceListProblems({ services: [] }), /must be a non-empty array/);
  });
  it('refuses an app the list lacks, a listed service without an app, and a schema, group or name that differs', () => {
    const app = (name, schema) => ({
      main: `void runService({ name: '${name}', module: AppModule.register(config), port: config.PORT });`,
      appModule: `{ name: '${name}', schema: '${schema}', consumerGroup: 'closeloop.${name}', migrations: [messagingTablesMigration('${schema}', 1)] }`,
      tracing: `startTracing('${name}');`,
    });
    const services = [entry('a-domain', 3100), entry('b-domain', 3101)];
    assert.deepEqual(checkAppsAgainstList(services, new Map([['a-domain', app('a-domain', 'a')], ['b-domain', app('b-domain', 'b')]])), []);
    const problems = checkAppsAgainstList(services, new Map([['a-domain', app('a-domain', 'x')], ['c-domain', app('c-domain', 'c')]]));
    hasProblem(problems, /apps\/: service c-domain, which is not a service of deploy\/services\.json/);
    hasProblem(problems, /apps\/: no service b-domain \(deploy\/services\.json lists it\)/);
    hasProblem(problems, /apps\/a-domain\/src\/app\.module\.ts: schema is x, deploy\/services\.json says a/);
    hasProblem(problems, /messagingTablesMigration\('x', \.\.\.\) is not its schema a/);
    const renamed = app('a-domain', 'a');
    renamed.tracing = "startTracing('a');";
    hasProblem(checkAppsAgainstList([entry('a-domain', 3100)], new Map([['a-domain', renamed]])), /tracing\.ts: startTracing\(a\), expected 'a-domain'/);
  });
  it('refuses a config whose PORT default is not the listed port, or whose simulator settings contradict the list', () => {
    const withSimulator = schema.extend({ SIMULATOR: z.enum(['on', 'off']).default('on') });
    assert.deepEqual(checkConfigAgainstList([entry('intake', 3000)], new Map([['intake', schema]])), []);
    hasProblem(checkConfigAgainstList([entry('intake', 3001)], new Map([['intake', schema]])), /PORT defaults to 3000, deploy\/services\.json says 3001/);
    hasProblem(checkConfigAgainstList([entry('intake', 3000, { simulators: true })], new Map([['intake', schema]])), /reads no SIMULATOR setting/);
    hasProblem(checkConfigAgainstList([entry('intake', 3000)], new Map([['intake', withSimulator]])), /reads the SIMULATOR settings, but .* embeds no simulators/);
  });
  it('the repository compose file, manifests, kustomizations, Prometheus, suites and security modules name every service', () => {
    const services = list();
    assert.deepEqual(checkComposeAgainstList(parseYaml(read('docker-compose.yml'), { merge: true }), services), []);
    assert.deepEqual(checkK8sAgainstList('k8s/base', services.flatMap((x) => docs(read(`k8s/base/${x.name}.yaml`))), services), []);
    assert.deepEqual(checkFilesAgainstList(ROOT, services), []);
  });
  it('refuses each of them when a listed service is missing or has another port', () => {
    const services = [...list(), entry('billing-domain', 3099)];
    hasProblem(checkComposeAgainstList(parseYaml(read('docker-compose.yml'), { merge: true }), services), /docker-compose\.yml: no service billing-domain \(deploy\/services\.json lists it/);
    const moved = list().map((x) => (x.name === 'intake' ? { ...x, port: 3999 } : x));
    const composeProblems = checkComposeAgainstList(parseYaml(read('docker-compose.yml'), { merge: true }), moved);
    hasProblem(composeProblems, /service intake: PORT is 3000, deploy\/services\.json says 3999/);
    hasProblem(composeProblems, /service intake: does not publish its port 3999/);
    const k8sProblems = checkK8sAgainstList('k8s/base', docs(read('k8s/base/intake.yaml')), moved);
    hasProblem(k8sProblems, /Deployment intake: env PORT is 3000, deploy\/services\.json says 3999/);
    hasProblem(k8sProblems, /Deployment intake: annotation prometheus\.io\/port is 3000/);
    hasProblem(k8sProblems, /Service intake does not expose port 3999/);
    const kustomize = checkKustomizationsAgainstList(parseYaml(read('k8s/base/kustomization.yaml')), parseYaml(read('k8s/overlays/production/kustomization.yaml')), services);
    hasProblem(kustomize, /k8s\/base\/kustomization\.yaml: no resource for billing-domain/);
    hasProblem(kustomize, /k8s\/overlays\/production\/kustomization\.yaml: no image of billing-domain/);
    const prometheus = checkPrometheusAgainstList(parseYaml(read('deploy/prometheus/prometheus.yml')), moved);
    hasProblem(prometheus, /does not scrape intake:3999/);
    hasProblem(prometheus, /scrapes intake:3000, which is no service and port/);
    hasProblem(checkProjectsAgainstList([{ file: 'apps/e2e/project.json', json: JSON.parse(read('apps/e2e/project.json')) }], services), /apps\/e2e\/project\.json: no implicitDependency billing-domain/);
    hasProblem(checkSecurityModules('services.ts', read('apps/security/src/support/services.ts'), services), /services\.ts MODULES: no entry billing-domain/);
    hasProblem(checkSecurityModules('services.ts', 'const x = 1;', services), /no MODULES object/);
  });
});
