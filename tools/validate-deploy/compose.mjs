// Checks of docker-compose.yml, on the file as `docker-compose config` resolved it (variables
// interpolated, YAML anchors merged, paths made absolute).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

import { endpointsIn } from './endpoints.mjs';
import { imagePinProblem } from './images.mjs';
import { checkServiceEnv } from './service-env.mjs';

/** The settings every service built from the Dockerfile must get explicitly (their defaults point at 127.0.0.1). */
const REQUIRED_APP_ENV = ['KAFKA_BROKERS', 'DATABASE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'PORT'];

const asEnv = (environment) => {
  if (!environment) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((line) => {
      const eq = String(line).indexOf('=');
      return eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
};

/**
 * Ports as { target, published, hostIp } from short ("127.0.0.1:29092:29092/tcp", "3000:3000",
 * "9090") or long syntax; hostIp is undefined when the port binds every interface.
 */
export const parsePorts = (ports = []) =>
  ports.map((p) => {
    if (p && typeof p === 'object') return { target: Number(p.target), published: p.published === undefined ? undefined : Number(p.published), hostIp: p.host_ip || undefined };
    const spec = String(p).replace(/\/(tcp|udp|sctp)$/, '');
    const parts = spec.split(':');
    const target = Number(parts[parts.length - 1]);
    const published = parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
    const hostIp = parts.length >= 3 ? parts.slice(0, -2).join(':').replace(/^\[|\]$/g, '') || undefined : undefined;
    return { target, published, hostIp };
  });

/** Host addresses that keep a published port on the machine itself. */
const LOOPBACK_IPS = new Set(['127.0.0.1', '::1']);

/** What each service listens on inside the network (expose + ports' container side) and publishes on the host. */
export const listeningPorts = (service) => {
  const listen = new Set((service.expose ?? []).map((e) => Number(String(e).replace(/\/(tcp|udp)$/, ''))));
  const published = new Set();
  for (const { target, published: pub } of parsePorts(service.ports)) {
    listen.add(target);
    if (pub !== undefined) published.add(pub);
  }
  return { listen, published };
};

const bindMountSources = (service, root) =>
  (service.volumes ?? []).flatMap((v) => {
    if (v && typeof v === 'object') return v.type === 'bind' ? [v.source] : [];
    const source = String(v).split(':')[0];
    const isPath = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
    return isPath ? [isAbsolute(source) ? source : resolve(root, source)] : [];
  });

const dependsOn = (service) => {
  const d = service.depends_on;
  if (!d) return {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((name) => [name, { condition: 'service_started' }]));
  return d;
};

/**
 * @param {object} config   the parsed output of `docker-compose config`
 * @param {{ root: string, apps: Map<string, object> }} options  apps: service name -> config schema
 * @returns {string[]} problems
 */
export const checkCompose = (config, { root, apps }) => {
  const problems = [];
  const services = config?.services ?? {};
  const names = Object.keys(services);
  if (names.length === 0) return ['docker-compose.yml: no services'];
  const built = new Map(); // app -> compose service

  for (const [name, service] of Object.entries(services)) {
    const at = `docker-compose.yml service ${name}`;

    const pin = imagePinProblem(service.image);
    if (pin) problems.push(`${at}: ${service.build ? 'give the built image a pinned name: ' : ''}${pin}`);

    if (service.build) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build;
      const context = isAbsolute(build.context ?? '.') ? build.context : resolve(root, build.context ?? '.');
      if (!existsSync(context) || !statSync(context).isDirectory()) problems.push(`${at}: build context ${context} does not exist`);
      const dockerfile = join(context, build.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile)) problems.push(`${at}: Dockerfile ${dockerfile} does not exist`);
      const app = build.args?.APP;
      const stages = existsSync(dockerfile) ? [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]) : [];
      if (build.target && existsSync(dockerfile) && !stages.includes(build.target)) problems.push(`${at}: build target ${build.target} is not a stage of ${dockerfile} (stages: ${stages.join(', ')})`);
      if (build.target && build.target !== stages[stages.length - 1] && !app) {
        // a tool built from another stage of the Dockerfile (dev-identity): no APP
      } else if (!app) problems.push(`${at}: built from the Dockerfile without the build argument APP`);
      else if (!apps.has(app)) problems.push(`${at}: build argument APP=${app} is not a service (apps/${app}/src/main.ts missing); services: ${[...apps.keys()].join(', ')}`);
      else if (built.has(app)) problems.push(`${at}: builds ${app}, which service ${built.get(app)} builds too`);
      else built.set(app, name);
    }

    for (const source of bindMountSources(service, root)) {
      if (!existsSync(source)) problems.push(`${at}: mounts ${source}, which does not exist`);
    }

    const deps = dependsOn(service);
    for (const [dep, { condition } = {}] of Object.entries(deps)) {
      if (!services[dep]) {
        problems.push(`${at}: depends on ${dep}, which is not a service in the file`);
        continue;
      }
      if (condition === 'service_healthy' && !services[dep].healthcheck) {
        problems.push(`${at}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }

    for (const { target, published, hostIp } of parsePorts(service.ports)) {
      if (!LOOPBACK_IPS.has(hostIp ?? '')) {
        problems.push(`${at}: port ${published ?? '(any)'}:${target} is published on ${hostIp ?? 'every interface'}; publish it on 127.0.0.1 only ("127.0.0.1:${published ?? target}:${target}")`);
      }
    }

    const env = asEnv(service.environment);
    const own = listeningPorts(service);
    for (const [key, value] of Object.entries(env)) {
      for (const ep of endpointsIn(value)) {
        if (ep.kind === 'bind') continue;
        if (ep.kind === 'loopback') {
          if (!own.published.has(ep.port) && !own.listen.has(ep.port)) {
            problems.push(`${at}: ${key} refers to ${ep.text}: inside a container that is the container itself, which neither listens on nor publishes port ${ep.port}`);
          }
          continue;
        }
        const target = services[ep.host];
        if (!target) {
          problems.push(`${at}: ${key} refers to ${ep.host}:${ep.port}, but there is no service "${ep.host}" in the file (services: ${names.join(', ')})`);
          continue;
        }
        const { listen } = listeningPorts(target);
        if (!listen.has(ep.port)) {
          problems.push(`${at}: ${key} refers to ${ep.host}:${ep.port}, but ${ep.host} listens on ${[...listen].join(', ') || 'no declared port'} (declare it in expose or ports)`);
        }
        if (ep.host !== name && !deps[ep.host]) {
          problems.push(`${at}: ${key} refers to ${ep.host}, which is missing from its depends_on`);
        }
      }
    }

    const app = service.build?.args?.APP;
    if (app && apps.has(app)) {
      for (const key of REQUIRED_APP_ENV) {
        if (!env[key]) problems.push(`${at}: ${key} is not set (the service's default points at 127.0.0.1, not at a container)`);
      }
      if (env.OTEL_SERVICE_NAME && env.OTEL_SERVICE_NAME !== app) problems.push(`${at}: OTEL_SERVICE_NAME is ${env.OTEL_SERVICE_NAME}, expected ${app}`);
      if (env.PORT && !own.listen.has(Number(env.PORT))) problems.push(`${at}: PORT ${env.PORT} is not among its ports`);
      problems.push(...checkServiceEnv(at, env, apps.get(app)));
      const test = [].concat(service.healthcheck?.test ?? []).join(' ');
      if (!test.includes('/health/ready')) problems.push(`${at}: needs a healthcheck on /health/ready`);
      if (service.user === 'root' || service.user === '0') problems.push(`${at}: runs as root`);
    }
  }

  for (const app of apps.keys()) {
    if (!built.has(app)) problems.push(`docker-compose.yml: no service builds ${app} (build.args.APP: ${app})`);
  }
  return problems;
};
