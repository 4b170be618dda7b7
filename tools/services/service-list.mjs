#!/usr/bin/env node
// The one list of the services: deploy/services.json. Every script, test and deployment check
// reads it from here (TypeScript: libs/testing/src/service-list.ts); the hand-written deployment
// files (docker-compose.yml, k8s/, deploy/prometheus) are checked against it by
// tools/validate-deploy.sh. Plain Node 24 ESM, no dependencies.
//
//   node tools/services/service-list.mjs [field...]   one line per service, its fields separated
//                                                      by a space (default: name), e.g. `name port`
//
// Fields: see SERVICE_FIELDS. Exit code 1 with every problem listed when the file is invalid.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICES_FILE = 'deploy/services.json';

/** What each field of an entry means; the order is the order they are written in. */
export const SERVICE_FIELDS = {
  name: 'apps/<name>: its image, compose service, Deployment, Kafka user closeloop-<name> and OTEL service name',
  kind: 'intake, domain (runs journey steps in its target systems) or assurance',
  owner: 'the first segment of the topics it publishes; for a domain service also the step owner the journey definitions name',
  port: 'its HTTP port: the default of PORT in its config, and the port compose, Kubernetes and Prometheus use',
  schema: 'its PostgreSQL schema (every table it reads or writes is in it)',
  consumerGroup: 'its Kafka consumer group, closeloop.<name>',
  simulators: 'whether it embeds simulators of its target systems (SIMULATOR, SIMULATOR_FAULTS, /simulator/faults)',
};
export const SERVICE_KINDS = ['intake', 'domain', 'assurance'];

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SCHEMA = /^[a-z][a-z0-9_]*$/;

/** Everything wrong with a parsed deploy/services.json, each problem naming the entry and field. */
export const serviceListProblems = (doc) => {
  const problems = [];
  if (!Array.isArray(doc?.services) || doc.services.length === 0) return [`${SERVICES_FILE}: "services" must be a non-empty array`];
  const seen = { name: new Map(), port: new Map(), schema: new Map(), owner: new Map() };
  for (const [i, s] of doc.services.entries()) {
    const at = `${SERVICES_FILE}: services[${i}]${typeof s?.name === 'string' ? ` (${s.name})` : ''}`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      problems.push(`${at}: not an object`);
      continue;
    }
    for (const key of Object.keys(s)) if (!(key in SERVICE_FIELDS)) problems.push(`${at}: unknown field ${key} (fields: ${Object.keys(SERVICE_FIELDS).join(', ')})`);
    for (const key of Object.keys(SERVICE_FIELDS)) if (!(key in s)) problems.push(`${at}: ${key} is missing (${SERVICE_FIELDS[key]})`);
    if ('name' in s && !(typeof s.name === 'string' && NAME.test(s.name))) problems.push(`${at}: name must be kebab-case (a-z, 0-9, -)`);
    if ('kind' in s && !SERVICE_KINDS.includes(s.kind)) problems.push(`${at}: kind must be one of ${SERVICE_KINDS.join(', ')}`);
    if ('owner' in s && !(typeof s.owner === 'string' && NAME.test(s.owner))) problems.push(`${at}: owner must be kebab-case (the first segment of its topics)`);
    if ('port' in s && !(Number.isInteger(s.port) && s.port > 0 && s.port < 65536)) problems.push(`${at}: port must be an integer from 1 to 65535`);
    if ('schema' in s && !(typeof s.schema === 'string' && SCHEMA.test(s.schema))) problems.push(`${at}: schema must be a lower-case PostgreSQL identifier (a-z, 0-9, _)`);
    if ('consumerGroup' in s && typeof s.name === 'string' && s.consumerGroup !== `closeloop.${s.name}`) problems.push(`${at}: consumerGroup must be closeloop.${s.name}`);
    if ('simulators' in s && typeof s.simulators !== 'boolean') problems.push(`${at}: simulators must be true or false`);
    for (const key of Object.keys(seen)) {
      if (s[key] === undefined) continue;
      if (seen[key].has(s[key])) problems.push(`${at}: ${key} ${s[key]} is taken by ${seen[key].get(s[key])}`);
      else seen[key].set(s[key], s.name);
    }
  }
  return problems;
};

/** deploy/services.json as it is written: one line per service, fields in SERVICE_FIELDS order. */
export const renderServiceList = (doc) => {
  const entry = (s) => `{ ${Object.keys(SERVICE_FIELDS).map((k) => `${JSON.stringify(k)}: ${JSON.stringify(s[k])}`).join(', ')} }`;
  return [
    '{',
    `  "$comment": [\n${(doc.$comment ?? []).map((c) => `    ${JSON.stringify(c)}`).join(',\n')}\n  ],`,
    `  "services": [\n${doc.services.map((s) => `    ${entry(s)}`).join(',\n')}\n  ]`,
    '}',
    '',
  ].join('\n');
};

/** The parsed file (with $comment), refused with every problem when it is not a valid list. */
export const readServiceDocument = (root) => {
  const file = join(root, SERVICES_FILE);
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${SERVICES_FILE}: ${error.code === 'ENOENT' ? 'missing' : error.message}`);
  }
  const problems = serviceListProblems(doc);
  if (problems.length) throw new Error(`${SERVICES_FILE} is not a valid list of services:\n  - ${problems.join('\n  - ')}`);
  return doc;
};

/** The services, in the order of the file. */
export const readServiceList = (root) => readServiceDocument(root).services;

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const fields = process.argv.slice(2);
  for (const f of fields) {
    if (!(f in SERVICE_FIELDS)) {
      process.stderr.write(`service-list: unknown field ${f} (fields: ${Object.keys(SERVICE_FIELDS).join(', ')})\n`);
      process.exit(2);
    }
  }
  try {
    const services = readServiceList(resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
    for (const s of services) process.stdout.write(`${(fields.length ? fields : ['name']).map((f) => s[f]).join(' ')}\n`);
  } catch (error) {
    process.stderr.write(`service-list: ${error.message}\n`);
    process.exit(1);
  }
}
