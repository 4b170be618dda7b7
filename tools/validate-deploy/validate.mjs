#!/usr/bin/env node
// Static checks of the deployment files: Dockerfile and .dockerignore, docker-compose.yml (as
// `docker-compose config` resolved it), deploy/ (collector, Prometheus, Grafana), the rendered
// Kubernetes overlays and the Strimzi topics. Run by tools/validate-deploy.sh, which installs
// docker-compose and kubectl and renders the files first. Plain Node 24 ESM.
//
//   node tools/validate-deploy/validate.mjs --compose <rendered.yml> --k8s <label>=<rendered.yml> ...
//        --strimzi <rendered.yml> [--external-secret <label>:<secret>=<KEY,KEY>]
//   node tools/validate-deploy/validate.mjs --write-strimzi-topics   (regenerates k8s/strimzi/topics.yaml)
//   node tools/validate-deploy/validate.mjs --write-kafka-acls       (regenerates deploy/kafka/acls.json and k8s/strimzi/users.yaml)
//
// The services are those of deploy/services.json (the one list; tools/services/service-list.mjs),
// and every file that names them is checked against it (tools/validate-deploy/service-list.mjs).
// Their topics and config schemas come from the code itself: libs/contracts, libs/config and
// apps/<service>/src/config are compiled with SWC into a temporary directory and loaded.
// Exit code 1 with every problem listed, 0 when everything holds, 2 on bad usage.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

import { checkCompose, listeningPorts } from './compose.mjs';
import { checkDockerfile } from './dockerfile.mjs';
import { endpointsIn } from './endpoints.mjs';
import { checkRendered } from './k8s.mjs';
import { readServiceList, SERVICES_FILE } from '../services/service-list.mjs';
import { ACLS_FILE, checkComposeKafka, checkK8sKafka, checkKafkaUsers, deriveAclTable, renderAclTable, renderKafkaUsers, serviceFactsFromSource, USERS_FILE } from './kafka-acls.mjs';
import { checkCollector, checkDashboard, checkDatasources, checkPrometheus } from './observability.mjs';
import { checkAppsAgainstList, checkComposeAgainstList, checkConfigAgainstList, checkFilesAgainstList, checkK8sAgainstList } from './service-list.mjs';
import { checkKafkaTopics, renderKafkaTopics } from './strimzi.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const usage = (message) => {
  process.stderr.write(`validate-deploy: ${message}\n`);
  process.exit(2);
};

const parseArgs = (argv) => {
  const args = { k8s: [], external: new Map(), write: false, writeAcls: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--compose') args.compose = next();
    else if (a === '--strimzi') args.strimzi = next();
    else if (a === '--k8s') {
      const [label, file] = next().split('=');
      if (!label || !file) usage('--k8s <label>=<file>');
      args.k8s.push({ label, file });
    } else if (a === '--external-secret') {
      const m = /^([^:]+):([^=]+)=(.+)$/.exec(next());
      if (!m) usage('--external-secret <label>:<secret>=<KEY,KEY>');
      if (!args.external.has(m[1])) args.external.set(m[1], new Map());
      args.external.get(m[1]).set(m[2], m[3].split(','));
    } else if (a === '--write-strimzi-topics') args.write = true;
    else if (a === '--write-kafka-acls') args.writeAcls = true;
    else usage(`unknown argument ${a}`);
  }
  return args;
};

/** The @closeloop/* libraries the given sources import, and theirs, as libs/<name>/src directories. */
const libraryClosure = (sources, paths) => {
  const found = new Set();
  const queue = [...sources];
  const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
  while (queue.length) {
    const dir = queue.shift();
    for (const file of files(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(@closeloop\/[\w-]+)'/g)) {
        const target = paths[m[1]]?.[0];
        if (!target) continue;
        const lib = dirname(target);
        if (!found.has(lib) && !sources.includes(lib)) {
          found.add(lib);
          queue.push(lib);
        }
      }
    }
  }
  return [...found];
};

/** The sources of every app with a src/main.ts (a service), by name. */
const appSources = () => {
  const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  return new Map(
    readdirSync(join(ROOT, 'apps'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'apps', d.name, 'src/main.ts')))
      .map((d) => {
        const src = join(ROOT, 'apps', d.name, 'src');
        return [d.name, { main: read(join(src, 'main.ts')), appModule: read(join(src, 'app.module.ts')), tracing: read(join(src, 'tracing.ts')) }];
      }),
  );
};

/**
 * The services of deploy/services.json whose app exists, each one's config schema, and every
 * topic and the ACL table, from the code.
 */
const loadCode = (services, appsFound) => {
  const apps = services.map((s) => s.name).filter((name) => appsFound.has(name) && existsSync(join(ROOT, 'apps', name, 'src/config')));
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.cache', 'validate-deploy-')); // inside the repository: zod resolves from node_modules
  try {
    // The aliases of tsconfig.base.json (the source of truth; .swcrc may lag behind a new library).
    const paths = JSON.parse(readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
    const swcrc = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8'));
    swcrc.jsc = { ...swcrc.jsc, baseUrl: ROOT, paths: { ...swcrc.jsc?.paths, ...paths } };
    const swcrcFile = join(out, 'swcrc.json');
    writeFileSync(swcrcFile, JSON.stringify(swcrc));
    const own = ['libs/contracts/src', 'libs/config/src', ...apps.map((a) => `apps/${a}/src/config`)];
    const sources = [...own, ...libraryClosure(own, paths)];
    execFileSync(join(ROOT, 'node_modules/.bin/swc'), [...sources, '-d', out, '--config-file', swcrcFile, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const require = createRequire(join(out, 'index.js'));
    const contracts = require(join(out, 'libs/contracts/src/index.js'));
    const topics = contracts.EVENT_CONTRACTS.flatMap((c) => [c.topic, contracts.deadLetterTopic(c.topic)]);
    // Who owns which topics and reads as which group: the list; what each reads: its handlers.
    const facts = new Map(serviceFactsFromSource(ROOT, apps, contracts).map((f) => [f.service, f]));
    const aclTable = deriveAclTable({
      contracts: contracts.EVENT_CONTRACTS.map((c) => ({ topic: c.topic, owner: c.owner })),
      services: services
        .filter((s) => facts.has(s.name))
        .map((s) => ({ service: s.name, owner: s.owner, group: s.consumerGroup, reads: facts.get(s.name).reads }))
        .sort((a, b) => a.service.localeCompare(b.service)), // by name, as the table has always been written
    });
    const schemas = new Map();
    for (const app of apps) {
      const dir = join(out, 'apps', app, 'src/config');
      const candidates = readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .flatMap((f) => Object.entries(require(join(dir, f))).filter(([name, v]) => /ConfigSchema$/.test(name) && typeof v?.safeParse === 'function'));
      if (candidates.length !== 1) throw new Error(`apps/${app}/src/config: expected one exported *ConfigSchema, found ${candidates.map(([n]) => n).join(', ') || 'none'}`);
      schemas.set(app, candidates[0][1]);
    }
    return { apps: schemas, topics, aclTable };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};

const readYamlDocs = (file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });

const readYaml = (file) => parseYaml(readFileSync(join(ROOT, file), 'utf8'));

const main = async () => {
  const args = parseArgs(process.argv.slice(2));
  const listed = readServiceList(ROOT); // refused, with every problem, when it is no valid list
  const sources = appSources();
  const { apps, topics, aclTable } = loadCode(listed, sources);

  if (args.writeAcls) {
    mkdirSync(dirname(join(ROOT, ACLS_FILE)), { recursive: true });
    writeFileSync(join(ROOT, ACLS_FILE), renderAclTable(aclTable));
    writeFileSync(join(ROOT, USERS_FILE), renderKafkaUsers(aclTable));
    process.stdout.write(`validate-deploy: wrote the ACLs of ${aclTable.services.length} services to ${ACLS_FILE} and ${USERS_FILE}\n`);
    return 0;
  }
  if (args.write) {
    const file = join(ROOT, 'k8s/strimzi/topics.yaml');
    writeFileSync(file, renderKafkaTopics(topics));
    process.stdout.write(`validate-deploy: wrote ${topics.length} KafkaTopic resources to k8s/strimzi/topics.yaml\n`);
    return 0;
  }
  if (!args.compose || !args.strimzi || args.k8s.length === 0) usage('--compose, --strimzi and at least one --k8s are required');

  const sections = [];
  const section = (name, problems, detail) => sections.push({ name, problems, detail });

  // The list of services against the apps, their config and the files that must name every service.
  section(
    SERVICES_FILE,
    [...checkAppsAgainstList(listed, sources), ...checkConfigAgainstList(listed, apps), ...checkFilesAgainstList(ROOT, listed)],
    listed.map((s) => `${s.name} :${s.port}`).join(', '),
  );

  // Dockerfile and .dockerignore
  const dockerignore = existsSync(join(ROOT, '.dockerignore')) ? readFileSync(join(ROOT, '.dockerignore'), 'utf8') : '';
  const mustSurvive = ['package.json', 'package-lock.json', 'tsconfig.base.json', '.swcrc', ...[...apps.keys()].map((a) => `apps/${a}/src/main.ts`)];
  for (const lib of readdirSync(join(ROOT, 'libs'))) if (existsSync(join(ROOT, 'libs', lib, 'src/index.ts'))) mustSurvive.push(`libs/${lib}/src/index.ts`);
  // Files a service reads at start-up by default (POLICY_FILE=apps/intake/policy/...): the image
  // ships apps/<app>/ without src/ and test/ (see the Dockerfile), so they must live beside those.
  const dataFiles = [];
  const dataProblems = [];
  for (const [app, schema] of apps) {
    for (const [key, field] of Object.entries(schema.shape ?? {})) {
      const fallback = field.safeParse(undefined);
      if (!fallback.success || typeof fallback.data !== 'string' || !/^apps\/[^/]+\/.+\.[a-z]+$/.test(fallback.data)) continue;
      const path = fallback.data;
      dataFiles.push(path);
      if (!path.startsWith(`apps/${app}/`)) dataProblems.push(`${app}: ${key} defaults to ${path}, outside apps/${app}/ (the image ships only its own directory)`);
      else if (/^apps\/[^/]+\/(src|test)\//.test(path)) dataProblems.push(`${app}: ${key} defaults to ${path}, under src/ or test/, which the image does not ship as files`);
      else mustSurvive.push(path);
    }
  }
  section('Dockerfile', [...dataProblems, ...checkDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'), { context: ROOT, dockerignore, mustSurvive })], `one pattern, ${apps.size} services, data files: ${dataFiles.join(', ') || 'none'}`);

  // docker-compose.yml
  const compose = parseYaml(readFileSync(args.compose, 'utf8'));
  const composeProblems = [...checkCompose(compose, { root: ROOT, apps }), ...checkComposeAgainstList(compose, listed), ...checkComposeKafka(compose, aclTable)];
  const services = new Map(Object.entries(compose?.services ?? {}).map(([name, s]) => [name, listeningPorts(s).listen]));
  const appPorts = new Map();
  const otlpPorts = new Set();
  for (const [name, s] of Object.entries(compose?.services ?? {})) {
    if (!s.build) continue;
    const env = s.environment ?? {};
    if (env.PORT) appPorts.set(name, Number(env.PORT));
    for (const ep of endpointsIn(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '')) otlpPorts.add(ep.port);
  }
  section('docker-compose.yml', composeProblems, `${services.size} services`);

  // deploy/
  const observability = [];
  observability.push(...checkPrometheus(readYaml('deploy/prometheus/prometheus.yml'), services, appPorts));
  observability.push(...checkCollector(readYaml('deploy/otel-collector/config.yaml'), services, [...otlpPorts]));
  const dsDir = 'deploy/grafana/provisioning/datasources';
  const uids = new Map();
  for (const f of readdirSync(join(ROOT, dsDir)).filter((f) => /\.ya?ml$/.test(f))) {
    const { problems, uids: found } = checkDatasources(readYaml(join(dsDir, f)), services);
    observability.push(...problems);
    for (const [k, v] of found) uids.set(k, v);
  }
  const providers = readdirSync(join(ROOT, 'deploy/grafana/provisioning/dashboards')).filter((f) => /\.ya?ml$/.test(f));
  if (providers.length === 0) observability.push('deploy/grafana/provisioning/dashboards: no dashboard provider');
  const grafana = compose?.services?.grafana;
  const mounts = (grafana?.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));
  for (const f of providers) {
    for (const p of readYaml(join('deploy/grafana/provisioning/dashboards', f))?.providers ?? []) {
      const path = p.options?.path;
      if (!path) observability.push(`${f}: provider ${p.name} has no options.path`);
      else if (grafana && !mounts.some(([, target]) => target === path)) observability.push(`${f}: provider ${p.name} reads ${path}, which docker-compose.yml does not mount into grafana`);
    }
  }
  const dashboards = readdirSync(join(ROOT, 'deploy/grafana/dashboards')).filter((f) => f.endsWith('.json'));
  if (dashboards.length === 0) observability.push('deploy/grafana/dashboards: no dashboard');
  for (const f of dashboards) {
    const file = `deploy/grafana/dashboards/${f}`;
    let json;
    try {
      json = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
    } catch (error) {
      observability.push(`${file}: not JSON (${error.message})`);
      continue;
    }
    observability.push(...checkDashboard(file, json, uids, { requireAllMetrics: f === 'closeloop-journeys.json' }));
  }
  const home = grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home && !dashboards.some((f) => home.endsWith(`/${f}`))) observability.push(`docker-compose.yml grafana: home dashboard ${home} is not in deploy/grafana/dashboards`);
  section('deploy/ (collector, Prometheus, Grafana)', observability, `${dashboards.length} dashboard(s), ${uids.size} datasources`);

  // The ACL table: what the code says now.
  const tableProblems = [];
  let committed;
  try {
    committed = JSON.parse(readFileSync(join(ROOT, ACLS_FILE), 'utf8'));
  } catch (error) {
    tableProblems.push(`${ACLS_FILE}: ${error.code === 'ENOENT' ? 'missing' : error.message} (generate: node tools/validate-deploy/validate.mjs --write-kafka-acls)`);
  }
  if (committed && renderAclTable(committed) !== renderAclTable(aclTable)) {
    const changed = aclTable.services.filter((s) => JSON.stringify(s) !== JSON.stringify(committed.services?.find((c) => c.service === s.service))).map((s) => s.service);
    tableProblems.push(`${ACLS_FILE} differs from what the code says (${changed.length ? `services ${changed.join(', ')}` : 'topics or cluster'}); regenerate: node tools/validate-deploy/validate.mjs --write-kafka-acls`);
  }
  section(ACLS_FILE, tableProblems, `${aclTable.services.length} Kafka users, ${aclTable.services.reduce((n, s) => n + s.acls.length, 0)} ACL rules`);

  // Kubernetes overlays. The Secret of each service's Kafka user is written by Strimzi's user operator.
  for (const { label, file } of args.k8s) {
    const objects = readYamlDocs(file);
    const externalSecrets = new Map(args.external.get(label) ?? []);
    for (const s of aclTable.services) if (!externalSecrets.has(s.user)) externalSecrets.set(s.user, ['password', 'sasl.jaas.config']);
    const problems = objects.length
      ? [...(await checkRendered(label, objects, { apps, externalSecrets })), ...checkK8sAgainstList(label, objects, listed), ...checkK8sKafka(label, objects, aclTable)]
      : [`${label}: renders nothing`];
    section(label, problems, `${objects.length} objects`);
  }

  // Strimzi topics and users
  const strimziObjects = readYamlDocs(args.strimzi);
  const userObjects = strimziObjects.filter((o) => o?.kind === 'KafkaUser');
  const topicObjects = strimziObjects.filter((o) => o?.kind !== 'KafkaUser');
  section('k8s/strimzi', [...checkKafkaTopics(topicObjects, topics), ...checkKafkaUsers(userObjects, aclTable)], `${topicObjects.length} KafkaTopics for ${topics.length} topics, ${userObjects.length} KafkaUsers`);

  let total = 0;
  for (const { name, problems, detail } of sections) {
    total += problems.length;
    if (problems.length === 0) process.stdout.write(`validate-deploy: ok   ${name} (${detail})\n`);
    else {
      process.stdout.write(`validate-deploy: FAIL ${name}: ${problems.length} problem(s)\n`);
      for (const p of problems) process.stdout.write(`  - ${p}\n`);
    }
  }
  return total === 0 ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`validate-deploy: ERROR ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
