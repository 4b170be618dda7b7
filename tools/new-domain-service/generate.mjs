#!/usr/bin/env node
// Scaffolds a new domain service: the app (Nest plumbing, config, migrations, the journey events
// handler of its step owner, unit and integration tests), its entry in deploy/services.json, and
// its place in every hand-written file that names each service (docker-compose.yml, k8s/base and
// the production overlay, deploy/prometheus, the e2e and security suites); then regenerates the
// Kafka ACLs, KafkaUsers and KafkaTopics (tools/validate-deploy/validate.mjs). No step: the handler
// routes nothing until the team adds one (docs/add-a-domain-service.md). Plain Node 24 ESM.
//
//   npm run new:domain-service -- <name> --owner <owner> [--port <port>] [--schema <schema>] [--dry-run]
//   npm run new:domain-service -- <name> --remove [--dry-run]
//
//   <name>      the service, e.g. facilities-domain: apps/<name>, its image, Deployment, Kafka user
//   --owner     the step owner the journey definitions name, and the first segment of its topics
//               (libs/contracts/src/<owner>/), e.g. facilities
//   --port      its HTTP port (default: the highest port of deploy/services.json + 1)
//   --schema    its PostgreSQL schema (default: the owner, with _ for -)
//   --remove    undoes a generation: deletes apps/<name> and k8s/base/<name>.yaml (with whatever
//               was added to them since) and takes the service out of every file it was added to
//   --dry-run   prints what would be written, writes nothing
//   --root <dir>        another checkout than this one (the tests generate into a copy)
//   --timestamp <ms>    the first migration's timestamp (default: now)
//   --no-regenerate     skips the regeneration of the ACLs and topics (the tests' copy has no code to read)
//
// Exit code 0 when done, 1 with the reason when something is in the way (nothing is written then), 2 on bad usage.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readServiceDocument, serviceListProblems, SERVICES_FILE } from '../services/service-list.mjs';
import { edits, namesOf, renderFiles } from './scaffold.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

const usage = (message) => {
  process.stderr.write(`new-domain-service: ${message}\nusage: npm run new:domain-service -- <name> --owner <owner> [--port <port>] [--schema <schema>] [--dry-run]\n       npm run new:domain-service -- <name> --remove [--dry-run]\n`);
  process.exit(2);
};

const parseArgs = (argv) => {
  const args = { root: resolve(HERE, '../..'), dryRun: false, remove: false, regenerate: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--owner') args.owner = value();
    else if (a === '--port') args.port = value();
    else if (a === '--schema') args.schema = value();
    else if (a === '--root') args.root = resolve(value());
    else if (a === '--timestamp') args.timestamp = value();
    else if (a === '--remove') args.remove = true;
    else if (a === '--dry-run') args.dryRun = true;
    else if (a === '--no-regenerate') args.regenerate = false;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (args.name) usage(`one service at a time (${args.name}, ${a})`);
    else args.name = a;
  }
  if (!args.name) usage('the service name is missing');
  return args;
};

const fail = (message) => {
  process.stderr.write(`new-domain-service: ${message}\n`);
  process.exit(1);
};

/** The new entry of deploy/services.json, checked against the list as it would then be. */
const plannedService = (args, doc) => {
  if (!args.owner) usage('--owner is missing (the step owner the journey definitions name, e.g. facilities)');
  const port = args.port === undefined ? Math.max(...doc.services.map((s) => s.port)) + 1 : Number(args.port);
  const service = {
    name: args.name,
    kind: 'domain',
    owner: args.owner,
    port,
    schema: args.schema ?? args.owner.replace(/-/g, '_'),
    consumerGroup: `closeloop.${args.name}`,
    simulators: false,
  };
  const problems = serviceListProblems({ services: [...doc.services, service] }).filter((p) => p.includes(`services[${doc.services.length}]`));
  if (problems.length) fail(`${service.name} cannot join ${SERVICES_FILE}:\n  - ${problems.join('\n  - ')}`);
  return service;
};

const read = (root, file) => readFileSync(join(root, file), 'utf8');

/** Runs a validate.mjs write mode of the target checkout (so its code and list are the ones read). */
const regenerate = (root) => {
  for (const flag of ['--write-kafka-acls', '--write-strimzi-topics']) {
    process.stdout.write(`new-domain-service: node tools/validate-deploy/validate.mjs ${flag}\n`);
    execFileSync(process.execPath, [join(root, 'tools/validate-deploy/validate.mjs'), flag], { cwd: root, stdio: 'inherit' });
  }
};

const generate = (args) => {
  const doc = readServiceDocument(args.root);
  if (doc.services.some((s) => s.name === args.name)) fail(`${args.name} is already a service of ${SERVICES_FILE}`);
  const service = plannedService(args, doc);
  const after = doc.services[doc.services.length - 1];
  const names = namesOf(service, args.timestamp ?? Date.now());
  const files = renderFiles(names);
  for (const path of files.keys()) if (existsSync(join(args.root, path))) fail(`${path} exists already: nothing written`);
  // Every edit is made in memory first: one that cannot be made stops the run before anything is written.
  const changed = new Map(edits(service).map((e) => [e.file, e.add(read(args.root, e.file), after.name, after.port)]));
  if (!existsSync(join(args.root, 'libs/contracts/src', service.owner))) {
    process.stdout.write(`new-domain-service: note: libs/contracts/src/${service.owner}/ does not exist: ${service.name} publishes nothing until its owner's contracts do (docs/add-a-journey.md)\n`);
  }
  report(args, 'create', [...files.keys()]);
  report(args, 'edit', [...changed.keys()]);
  if (args.dryRun) return;
  for (const [path, content] of files) {
    mkdirSync(dirname(join(args.root, path)), { recursive: true });
    writeFileSync(join(args.root, path), content);
  }
  for (const [path, content] of changed) writeFileSync(join(args.root, path), content);
  if (args.regenerate) regenerate(args.root);
  process.stdout.write(
    `new-domain-service: ${service.name} (owner ${service.owner}, port ${service.port}, schema ${service.schema}) is in ${SERVICES_FILE} and every deployment file.\n` +
      `  next: its first step (docs/add-a-domain-service.md, "The first step"); check it all: TEST_ONLY="typecheck lint docs unit build deploy" npm test\n`,
  );
};

const remove = (args) => {
  const doc = readServiceDocument(args.root);
  const service = doc.services.find((s) => s.name === args.name);
  if (!service) fail(`${args.name} is not a service of ${SERVICES_FILE}`);
  if (service.kind !== 'domain') fail(`${args.name} is not a domain service (kind ${service.kind}): refused`);
  const changed = new Map(edits(service).map((e) => [e.file, e.remove(read(args.root, e.file))]));
  const gone = [`apps/${service.name}`, `k8s/base/${service.name}.yaml`].filter((p) => existsSync(join(args.root, p)));
  report(args, 'delete', gone);
  report(args, 'edit', [...changed.keys()]);
  if (args.dryRun) return;
  for (const [path, content] of changed) writeFileSync(join(args.root, path), content);
  for (const path of gone) rmSync(join(args.root, path), { recursive: true, force: true });
  if (args.regenerate) regenerate(args.root);
  process.stdout.write(`new-domain-service: ${service.name} removed\n`);
};

const report = (args, verb, paths) => {
  for (const path of paths) process.stdout.write(`new-domain-service: ${args.dryRun ? 'would ' : ''}${verb} ${path}\n`);
};

const args = parseArgs(process.argv.slice(2));
try {
  if (args.remove) remove(args);
  else generate(args);
} catch (error) {
  fail(error.message);
}