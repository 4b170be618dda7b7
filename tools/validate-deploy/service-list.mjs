// Checks of the files that name the services against the one list, deploy/services.json
// (tools/services/service-list.mjs reads it): the apps themselves, their config schemas, and the
// files that stay hand-written (docker-compose.yml, k8s/, deploy/prometheus, the project.json of
// the suites that start every service, the security suite's AppModules). A service missing from
// one of them, or named there with another port, schema or group, is a problem that says which
// file and what the list says.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { SERVICES_FILE } from '../services/service-list.mjs';

const LIST = SERVICES_FILE;
const names = (services) => services.map((s) => s.name);

/** Every name in `have` that the list lacks, and every listed name `have` lacks, as problems of `where`. */
const sameNames = (where, have, services, what) => {
  const problems = [];
  const listed = new Set(names(services));
  for (const name of have) if (!listed.has(name)) problems.push(`${where}: ${what} ${name}, which is not a service of ${LIST}`);
  for (const name of listed) if (!have.includes(name)) problems.push(`${where}: no ${what} ${name} (${LIST} lists it)`);
  return problems;
};

const literal = (text, pattern) => pattern.exec(text ?? '')?.[1];

/**
 * The apps against the list: every apps/<name>/src/main.ts is a listed service and every listed
 * service has one; its app.module.ts declares the list's schema and consumer group, its main.ts and
 * tracing.ts its name.
 * @param {{ name: string, kind: string, owner: string, port: number, schema: string, consumerGroup: string }[]} services
 * @param {Map<string, { main?: string, appModule?: string, tracing?: string }>} apps  apps/<name> with a src/main.ts -> their sources
 */
export const checkAppsAgainstList = (services, apps) => {
  const problems = sameNames('apps/', [...apps.keys()], services, 'service');
  for (const s of services) {
    const app = apps.get(s.name);
    if (!app) continue;
    const at = `apps/${s.name}/src`;
    const schema = literal(app.appModule, /\bschema:\s*['"]([^'"]+)['"]/);
    if (schema !== s.schema) problems.push(`${at}/app.module.ts: schema is ${schema ?? 'not declared'}, ${LIST} says ${s.schema}`);
    const group = literal(app.appModule, /\bconsumerGroup:\s*['"]([^'"]+)['"]/);
    if (group !== s.consumerGroup) problems.push(`${at}/app.module.ts: consumerGroup is ${group ?? 'not declared'}, ${LIST} says ${s.consumerGroup}`);
    const migrated = literal(app.appModule, /messagingTablesMigration\(\s*['"]([^'"]+)['"]/);
    if (migrated !== undefined && migrated !== s.schema) problems.push(`${at}/app.module.ts: messagingTablesMigration('${migrated}', ...) is not its schema ${s.schema}`);
    const run = literal(app.main, /runService\(\{\s*name:\s*['"]([^'"]+)['"]/);
    if (run !== s.name) problems.push(`${at}/main.ts: runService({ name: ${run ?? '?'} }), expected '${s.name}'`);
    const traced = literal(app.tracing, /startTracing\(\s*['"]([^'"]+)['"]/);
    if (traced !== s.name) problems.push(`${at}/tracing.ts: startTracing(${traced ?? '?'}), expected '${s.name}'`);
  }
  return problems;
};

/**
 * Each service's config schema against the list: the default of PORT is its port; it reads the
 * simulator settings (SIMULATOR) exactly when the list says it embeds simulators.
 * @param {Map<string, import('zod').ZodTypeAny>} schemas  service -> config schema
 */
export const checkConfigAgainstList = (services, schemas) => {
  const problems = [];
  for (const s of services) {
    const schema = schemas.get(s.name);
    if (!schema) continue;
    const at = `apps/${s.name}/src/config`;
    const shape = schema.shape ?? {};
    const port = shape.PORT?.safeParse(undefined);
    if (!port?.success || port.data !== s.port) problems.push(`${at}: PORT defaults to ${port?.success ? port.data : 'nothing'}, ${LIST} says ${s.port} (PORT: portSetting(${s.port}))`);
    const simulated = 'SIMULATOR' in shape;
    if (simulated !== s.simulators) {
      problems.push(
        s.simulators
          ? `${at}: reads no SIMULATOR setting, but ${LIST} says it embeds simulators (simulatorConfigShape)`
          : `${at}: reads the SIMULATOR settings, but ${LIST} says it embeds no simulators (simulators: true there)`,
      );
    }
  }
  return problems;
};

const envOf = (service) => {
  const e = service?.environment ?? {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((l) => [String(l).split('=')[0], String(l).split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
};

const publishes = (service, port) =>
  (service.ports ?? []).some((p) => {
    if (p && typeof p === 'object') return Number(p.target) === port && Number(p.published) === port;
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    return Number(parts[parts.length - 1]) === port && Number(parts[parts.length - 2]) === port;
  });

/**
 * docker-compose.yml (resolved by `docker-compose config`) against the list: a compose service of
 * each name that builds it (APP), listens on its port (PORT) and publishes that port.
 */
export const checkComposeAgainstList = (config, services) => {
  const problems = [];
  const composeServices = config?.services ?? {};
  const built = Object.entries(composeServices).filter(([, s]) => s.build?.args?.APP).map(([name]) => name);
  for (const s of services) {
    const c = composeServices[s.name];
    const at = `docker-compose.yml service ${s.name}`;
    if (!c) {
      problems.push(`docker-compose.yml: no service ${s.name} (${LIST} lists it; npm run new:domain-service adds one for a new domain service)`);
      continue;
    }
    if (c.build?.args?.APP !== s.name) problems.push(`${at}: builds APP=${c.build?.args?.APP ?? '(none)'}, expected ${s.name}`);
    const env = envOf(c);
    if (env.PORT !== String(s.port)) problems.push(`${at}: PORT is ${env.PORT || 'unset'}, ${LIST} says ${s.port}`);
    if (!publishes(c, s.port)) problems.push(`${at}: does not publish its port ${s.port} ("127.0.0.1:${s.port}:${s.port}")`);
  }
  for (const name of built) if (!services.some((s) => s.name === name)) problems.push(`docker-compose.yml: service ${name} is built from the Dockerfile but is not a service of ${LIST}`);
  return problems;
};

/**
 * A rendered overlay against the list: each Deployment's container listens on the list's port
 * (PORT, containerPort, the Prometheus annotation), its image is the service's, and its Service
 * exposes that port.
 */
export const checkK8sAgainstList = (label, objects, services) => {
  const problems = [];
  const named = (kind, name) => objects.find((o) => o?.kind === kind && o?.metadata?.name === name);
  for (const s of services) {
    const d = named('Deployment', s.name);
    if (!d) continue; // checkRendered reports it
    const id = `${label}: Deployment ${s.name}`;
    const c = (d.spec?.template?.spec?.containers ?? []).find((x) => x.name === s.name);
    if (!c) {
      problems.push(`${id}: no container named ${s.name}`);
      continue;
    }
    const port = (c.env ?? []).find((e) => e.name === 'PORT')?.value;
    if (String(port) !== String(s.port)) problems.push(`${id}: env PORT is ${port ?? 'unset'}, ${LIST} says ${s.port}`);
    if (!(c.ports ?? []).some((p) => p.containerPort === s.port)) problems.push(`${id}: no containerPort ${s.port}`);
    const scrape = d.spec?.template?.metadata?.annotations?.['prometheus.io/port'];
    if (scrape !== undefined && String(scrape) !== String(s.port)) problems.push(`${id}: annotation prometheus.io/port is ${scrape}, ${LIST} says ${s.port}`);
    const image = String(c.image ?? '').replace(/[:@].*$/, '');
    if (image !== `closeloop/${s.name}` && !image.endsWith(`/closeloop/${s.name}`)) problems.push(`${id}: image ${c.image} is not closeloop/${s.name}`);
    const svc = named('Service', s.name);
    if (svc && !(svc.spec?.ports ?? []).some((p) => p.port === s.port)) problems.push(`${label}: Service ${s.name} does not expose port ${s.port}`);
  }
  return problems;
};

/**
 * The kustomizations against the list: k8s/base names a manifest `<name>.yaml` for each service
 * (and no other), and the production overlay sets the image of each.
 * @param {object} base  k8s/base/kustomization.yaml, parsed
 * @param {object} production  k8s/overlays/production/kustomization.yaml, parsed
 */
export const checkKustomizationsAgainstList = (base, production, services) => {
  const resources = (base?.resources ?? []).filter((r) => /\.ya?ml$/.test(r)).map((r) => r.replace(/\.ya?ml$/, ''));
  const images = (production?.images ?? []).map((i) => String(i.name ?? '').replace(/^closeloop\//, ''));
  return [
    ...sameNames('k8s/base/kustomization.yaml', resources, services, 'resource for'),
    ...sameNames('k8s/overlays/production/kustomization.yaml', images, services, 'image of'),
  ];
};

/** deploy/prometheus/prometheus.yml against the list: the job `closeloop` scrapes each service at <name>:<port>. */
export const checkPrometheusAgainstList = (config, services) => {
  const at = 'deploy/prometheus/prometheus.yml';
  const job = (config?.scrape_configs ?? []).find((j) => j.job_name === 'closeloop');
  if (!job) return [`${at}: no job closeloop (it scrapes the services of ${LIST})`];
  const targets = (job.static_configs ?? []).flatMap((c) => c.targets ?? []).map(String);
  const problems = [];
  for (const s of services) if (!targets.includes(`${s.name}:${s.port}`)) problems.push(`${at}: job closeloop does not scrape ${s.name}:${s.port} (${LIST} lists it)`);
  for (const t of targets) if (!services.some((s) => `${s.name}:${s.port}` === t)) problems.push(`${at}: job closeloop scrapes ${t}, which is no service and port of ${LIST}`);
  return problems;
};

/**
 * The suites that start every service (apps/e2e, apps/security) depend on each of them: their
 * project.json names them all in implicitDependencies, so Nx builds them first.
 * @param {{ file: string, json: object }[]} projects
 */
export const checkProjectsAgainstList = (projects, services) =>
  projects.flatMap(({ file, json }) => sameNames(file, json?.implicitDependencies ?? [], services, 'implicitDependency'));

/**
 * The security suite builds each service from its AppModule (apps/security/src/support/services.ts,
 * MODULES): one entry per service of the list, by the same names.
 */
export const checkSecurityModules = (file, text, services) => {
  const body = /const MODULES\b[^\n]*?=(?!>)\s*\{([\s\S]*?)\n\};/.exec(text ?? '')?.[1];
  if (body === undefined) return [`${file}: no MODULES object (one AppModule per service of ${LIST})`];
  const keys = [...body.matchAll(/^\s*(?:'([^']+)'|"([^"]+)"|([A-Za-z_$][\w$]*))\s*:/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
  return sameNames(`${file} MODULES`, keys, services, 'entry');
};

/** The suites that start every service, and the file of the security suite's AppModules. */
export const SUITE_PROJECTS = ['apps/e2e/project.json', 'apps/security/project.json'];
export const SECURITY_MODULES = 'apps/security/src/support/services.ts';

/**
 * The hand-written files of a checkout at `root` that name every service, as they are written,
 * against the list: the kustomizations, Prometheus, the suites' project.json and the security
 * suite's MODULES. (docker-compose.yml and the manifests are checked as rendered, with
 * checkComposeAgainstList and checkK8sAgainstList.)
 */
export const checkFilesAgainstList = (root, services) => {
  const read = (file) => readFileSync(join(root, file), 'utf8');
  return [
    ...checkKustomizationsAgainstList(parseYaml(read('k8s/base/kustomization.yaml')), parseYaml(read('k8s/overlays/production/kustomization.yaml')), services),
    ...checkPrometheusAgainstList(parseYaml(read('deploy/prometheus/prometheus.yml')), services),
    ...checkProjectsAgainstList(SUITE_PROJECTS.map((file) => ({ file, json: JSON.parse(read(file)) })), services),
    ...checkSecurityModules(SECURITY_MODULES, read(SECURITY_MODULES), services),
  ];
};
