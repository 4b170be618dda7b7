#!/usr/bin/env node
// docs/events.md from libs/contracts, so the topic and journey tables cannot drift from the code.
//
//   node tools/docs/contract-docs.mjs --write   regenerate docs/events.md
//   node tools/docs/contract-docs.mjs --check   exit 1, saying what to run, when docs/events.md is out of date
//
// It compiles libs/contracts/src with SWC into a scratch folder under .cache/ (as
// tools/validate-deploy does), so it needs no earlier build, and reads EVENT_CONTRACTS (topic,
// event type, version, owner, the zod payload) and JOURNEY_DEFINITIONS (steps, deadlines,
// retries, escalation queues, the definition of done). A step's completedBy / failedBy /
// compensatedBy and a doneWhen entry may be a topic string or an event contract ({ topic, ... }).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUTPUT = 'docs/events.md';
const CONTRACTS_SRC = 'libs/contracts/src';
const COMMAND = 'node tools/docs/contract-docs.mjs --write';

// ---------------------------------------------------------------- loading the contracts

/** The compiled libs/contracts module (its index), compiled afresh from the source. */
export const loadContracts = () => {
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const out = mkdtempSync(join(ROOT, '.cache', 'contract-docs-')); // inside the repository: zod resolves from node_modules
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/swc'), [CONTRACTS_SRC, '-d', out, '--config-file', join(ROOT, '.swcrc'), '--quiet'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const require = createRequire(join(out, 'index.js'));
    return require(join(out, CONTRACTS_SRC, 'index.js'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};

// ---------------------------------------------------------------- describing zod schemas (zod 4)

/** A topic, whether given as its name or as an event contract. */
export const topicOf = (x) => (typeof x === 'string' ? x : x?.topic);

const defOf = (schema) => schema?._zod?.def ?? schema?.def ?? {};

/** Wrappers that do not change what a field holds, for the reader of an event. */
const unwrap = (schema) => {
  let s = schema;
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (def.type === 'optional') optional = true;
    if (['optional', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe') s = def.in;
    else if (def.type === 'lazy') s = def.getter();
    else break;
  }
  return { schema: s, optional };
};

/** A string's or number's format (email, uuid, datetime, safeint, ...), given as the type or as a check. */
const formatOf = (def) => def.format ?? (def.checks ?? []).map((c) => defOf(c).format).find((f) => f && f !== 'regex');

/** A short type: string, datetime, integer, true, "a" or "b", string[], object, ... */
export const describeType = (schema, depth = 0) => {
  const { schema: s } = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case 'string': {
      const format = formatOf(def);
      return format && format !== 'regex' ? format : 'string';
    }
    case 'number':
      return /int/.test(formatOf(def) ?? '') ? 'integer' : 'number';
    case 'literal':
      return def.values.map((v) => JSON.stringify(v)).join(' or ');
    case 'enum':
      return Object.values(def.entries)
        .map((v) => JSON.stringify(v))
        .join(' or ');
    case 'array':
      return depth > 1 ? 'array' : `${describeType(def.element, depth + 1)}[]`;
    case 'nullable':
      return `${describeType(def.innerType, depth)} or null`;
    case 'union':
      return depth > 1 ? 'union' : [...new Set(def.options.map((o) => describeType(o, depth + 1)))].join(' or ');
    default:
      return def.type ?? 'unknown';
  }
};

/** The top-level fields of an object schema: [{ name, type, optional }]. */
export const objectFields = (schema) => {
  const { schema: s } = unwrap(schema);
  const shape = defOf(s).type === 'object' ? (s.shape ?? defOf(s).shape) : undefined;
  if (!shape) return undefined;
  return Object.entries(shape).map(([name, field]) => ({ name, type: describeType(field), optional: unwrap(field).optional }));
};

const fieldList = (fields) => fields.map((f) => `\`${f.name}${f.optional ? '?' : ''}\` ${f.type}`).join(', ');

/**
 * The payload's top-level fields as one line of Markdown. A union of objects (a discriminated
 * union, say) gives the fields all its options share, then each option's own.
 */
export const describePayload = (schema) => {
  const fields = objectFields(schema);
  if (fields) return fieldList(fields);
  const { schema: s } = unwrap(schema);
  const def = defOf(s);
  if (def.type !== 'union') return describeType(s);
  const options = def.options.map((o) => objectFields(o));
  if (options.some((o) => !o)) return describeType(s);
  const disc = def.discriminator;
  const key = (f) => `${f.name}\u0000${f.optional}\u0000${f.type}`;
  const common = options[0].filter((f) => options.every((o) => o.some((g) => g.name === f.name)));
  const commonNames = new Set(common.map((f) => f.name));
  const shared = common.map((f) =>
    f.name === disc ? { ...f, type: '(one of those below)' } : options.every((o) => key(o.find((g) => g.name === f.name)) === key(f)) ? f : { ...f, type: 'by option' },
  );
  const parts = [`all: ${fieldList(shared)}`];
  options.forEach((o, i) => {
    const d = disc && o.find((f) => f.name === disc);
    const label = d ? `\`${disc}\` ${d.type}` : `option ${i + 1}`;
    const own = o.filter((f) => !commonNames.has(f.name));
    parts.push(`${label}: ${own.length ? fieldList(own) : 'nothing more'}`);
  });
  return parts.join('; ');
};

// ---------------------------------------------------------------- rendering

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text) => `\`${text}\``;
const duration = (ms) => (typeof ms !== 'number' ? '–' : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

const retryText = (retry) => {
  if (!retry) return '–';
  const parts = [`${retry.maxAttempts} attempts`];
  if (retry.backoffMs !== undefined) parts.push(`backoff ${duration(retry.backoffMs)} doubling${retry.maxBackoffMs !== undefined ? ` up to ${duration(retry.maxBackoffMs)}` : ''}`);
  if (retry.jitter !== undefined) parts.push(`${Math.round(retry.jitter * 100)}% jitter`);
  return parts.join(', ');
};

/** Where a topic's contract is declared: the first source file of libs/contracts naming it. */
const sourceIndex = () => {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)) files.push({ path, text: readFileSync(join(ROOT, path), 'utf8') });
    }
  };
  walk(CONTRACTS_SRC);
  return (topic) => files.find((f) => f.text.includes(`'${topic}'`) || f.text.includes(`"${topic}"`))?.path;
};

/** Markdown link from docs/ to a file of the repository. */
const link = (path) => (path ? `[${path.replace(`${CONTRACTS_SRC}/`, '')}](${relative(join(ROOT, 'docs'), join(ROOT, path))})` : '–');

export const render = (contracts) => {
  const events = contracts.EVENT_CONTRACTS;
  const definitions = contracts.JOURNEY_DEFINITIONS;
  if (!Array.isArray(events) || events.length === 0) throw new Error('@closeloop/contracts exports no EVENT_CONTRACTS');
  if (!Array.isArray(definitions) || definitions.length === 0) throw new Error('@closeloop/contracts exports no JOURNEY_DEFINITIONS');
  const sourceOf = sourceIndex();
  const dlq = typeof contracts.deadLetterTopic === 'function' ? contracts.deadLetterTopic('<topic>') : '<topic>.dlq';

  const lines = [
    '# Events and journey definitions',
    '',
    `<!-- Generated from libs/contracts by \`${COMMAND}\`. Do not edit by hand: the docs stage of npm test fails when this file is out of date. -->`,
    '',
    'Every topic Closeloop publishes, and every journey definition, as declared in',
    '[libs/contracts](../libs/contracts/src/index.ts). How the services use them:',
    '[architecture.md](architecture.md) and [journeys.md](journeys.md).',
    '',
    '## Topics',
    '',
    'Every event travels in one envelope (`eventId`, `eventType`, `version`, `requestId`, `journeyType`,',
    '`occurredAt`, `producer`, `causationId?`, `payload`); the Kafka message key is the `requestId`.',
    `Only the owner publishes to a topic. Each topic has a dead-letter topic, \`${dlq}\`, written by`,
    'the consumer groups that could not handle a message. Fields marked `?` are optional.',
    '',
    '| topic | event type | version | owner | payload fields | declared in |',
    '|---|---|---|---|---|---|',
  ];
  for (const c of [...events].sort((a, b) => a.topic.localeCompare(b.topic))) {
    lines.push(`| ${code(c.topic)} | ${code(c.eventType)} | ${c.version} | ${c.owner} | ${cell(describePayload(c.payload))} | ${link(sourceOf(c.topic))} |`);
  }

  const upstream = [
    [contracts.WORKDAY_WORKER_EVENTS_TOPIC, contracts.WorkdayWorkerEventSchema, 'Workday (HR)'],
    [contracts.SERVICENOW_REQUEST_ITEMS_TOPIC, contracts.ServiceNowRequestItemSchema, 'ServiceNow (ITSM)'],
  ].filter(([topic, schema]) => typeof topic === 'string' && schema);
  if (upstream.length) {
    lines.push(
      '',
      '## Upstream topics',
      '',
      'Published by the upstream systems, consumed by intake. Their records are not Closeloop envelopes:',
      'each topic has its own contract.',
      '',
      '| topic | publisher | record fields | declared in |',
      '|---|---|---|---|',
    );
    for (const [topic, schema, publisher] of upstream) lines.push(`| ${code(topic)} | ${publisher} | ${cell(describePayload(schema))} | ${link(sourceOf(topic))} |`);
  }

  lines.push(
    '',
    '## Journey definitions',
    '',
    'A journey keeps the definition version it started with. A step is verified by its "completed by"',
    'event; its deadline (per attempt) starts once the steps it comes after are verified; when the',
    'attempts are used up it escalates to the work queue named. The journey is done when every',
    'signal of "done when" has arrived.',
  );
  for (const d of definitions) {
    lines.push(
      '',
      `### ${d.type} v${d.version}`,
      '',
      ...(d.description ? [cell(d.description), ''] : []),
      `Done when: ${(d.doneWhen ?? []).map((x) => code(topicOf(x))).join(', ') || '–'}.`,
      '',
      '| step | owner | after | completed by | failed by | compensated by | deadline | retry | escalates to |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const s of d.steps) {
      const topic = (x) => (x === undefined ? '–' : code(topicOf(x)));
      lines.push(
        `| ${s.name} | ${s.owner} | ${(s.after ?? []).join(', ') || '–'} | ${topic(s.completedBy)} | ${topic(s.failedBy)} | ${topic(s.compensatedBy)} | ${duration(s.deadlineMs)} | ${cell(retryText(s.retry))} | ${s.escalateTo ?? '–'} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
};

// ---------------------------------------------------------------- command line

const main = (args) => {
  const mode = args[0];
  if (args.length !== 1 || !['--write', '--check'].includes(mode)) {
    console.error('usage: node tools/docs/contract-docs.mjs --write | --check');
    return 2;
  }
  const wanted = render(loadContracts());
  const file = join(ROOT, OUTPUT);
  if (mode === '--write') {
    writeFileSync(file, wanted);
    console.log(`contract-docs: wrote ${OUTPUT} (${wanted.split('\n').length} lines)`);
    return 0;
  }
  let current = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: reported below
  }
  if (current === wanted) {
    console.log(`contract-docs: ${OUTPUT} matches libs/contracts`);
    return 0;
  }
  if (current === null) {
    console.error(`contract-docs: ${OUTPUT} is missing. Generate it with: ${COMMAND}`);
    return 1;
  }
  const a = current.split('\n');
  const b = wanted.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  console.error(`contract-docs: ${OUTPUT} is out of date with libs/contracts (first difference at line ${i + 1}).`);
  console.error(`  in the file:        ${a[i] ?? '(end of file)'}`);
  console.error(`  from the contracts: ${b[i] ?? '(end of file)'}`);
  console.error(`Regenerate it with: ${COMMAND}`);
  return 1;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`contract-docs: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  }
}
