/**
 * Assurance alone: a recorded stream of journey events (generated: many journeys interleaved,
 * with duplicates and reordering) is written to the topics first, then assurance is started on
 * a fresh database and consumes it. Reports events/s and assurance's peak RSS. Run it with
 * `npm run bench:replay -- --events 1000000`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  AccessVerifiedV1,
  AccountVerifiedV1,
  buildEvent,
  ComplianceVerifiedV1,
  type EventContract,
  JourneyRequestedV1,
  type PayloadOf,
} from '@closeloop/contracts';
import { type Admin, CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { Client } from 'pg';

const ROOT = join(__dirname, '../..');
const GROUP = 'closeloop.assurance';
const TOPICS = [JourneyRequestedV1.topic, AccountVerifiedV1.topic, AccessVerifiedV1.topic, ComplianceVerifiedV1.topic];

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    duplicates: { type: 'string', default: '0.05' },
    'database-url': { type: 'string', default: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/closeloop_replay' },
    brokers: { type: 'string', default: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092' },
    'state-dir': { type: 'string', default: process.env['CLOSELOOP_STATE_DIR'] ?? join(ROOT, '.run') },
    phase: { type: 'string', default: 'produce' },
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const lag = async (admin: Admin): Promise<bigint> => {
  let behind = 0n;
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId: GROUP, topics: TOPICS })) {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    for (const p of partitions) behind += (ends.get(p.partition) ?? 0n) - (p.offset === '-1' ? 0n : BigInt(p.offset));
  }
  return behind;
};

/** Writes the stream: journeys in windows of 64, their events shuffled within the window, some twice. */
const produce = async (kafka: Kafka, admin: Admin): Promise<{ events: number; journeys: number }> => {
  const target = Number(args.events);
  const duplicateRate = Number(args.duplicates);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const now = new Date();
  const at = now.toISOString();
  const event = <C extends EventContract>(contract: C, requestId: string, payload: PayloadOf<C>) =>
    buildEvent(contract, { requestId, journeyType: 'new-hire', producer: 'replay' }, payload, { eventId: randomUUID(), occurredAt: now });
  const pending = new Map<string, Message[]>(TOPICS.map((t) => [t, []]));
  let events = 0;
  let journeys = 0;
  const flush = async () => {
    await producer.sendBatch({
      acks: 1,
      compression: CompressionTypes.None,
      topicMessages: [...pending].filter(([, m]) => m.length).map(([topic, messages]) => ({ topic, messages })),
    });
    for (const list of pending.values()) list.length = 0;
  };
  while (events < target) {
    const window: Array<[string, Message]> = [];
    for (let j = 0; j < 64 && events < target; j++, journeys++) {
      const id = randomUUID();
      const e = [
        [JourneyRequestedV1.topic, event(JourneyRequestedV1, id, { type: 'new-hire', requestedBy: 'replay', subject: { employeeId: `R${journeys}`, email: `r${journeys}@acme.test`, displayName: 'R' }, groups: ['staff'], apps: [{ app: 'asana', role: 'member', licence: 'standard' }], device: { model: 'laptop-14' }, definitionVersion: 1, requestedAt: at })],
        [AccountVerifiedV1.topic, event(AccountVerifiedV1, id, { accountId: `u-R${journeys}`, employeeId: `R${journeys}`, enabled: true, groups: ['staff'], verifiedAt: at })],
        [AccessVerifiedV1.topic, event(AccessVerifiedV1, id, { accountId: `u-R${journeys}`, grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: at })],
        [ComplianceVerifiedV1.topic, event(ComplianceVerifiedV1, id, { assetTag: `AT-R${journeys}`, serialNumber: `SN-R${journeys}`, model: 'laptop-14', enrolled: true, compliant: true, checkedAt: at })],
      ] as const;
      for (const [topic, ev] of e) {
        const message: Message = { key: id, value: JSON.stringify(ev) };
        window.push([topic, message]);
        events++;
        if (Math.random() < duplicateRate) {
          window.push([topic, message]);
          events++;
        }
      }
    }
    // Reorder: any event of the window may come before any other (across topics and journeys).
    for (let i = window.length - 1; i > 0; i--) {
      const k = Math.floor(Math.random() * (i + 1));
      [window[i], window[k]] = [window[k] as [string, Message], window[i] as [string, Message]];
    }
    for (const [topic, message] of window) pending.get(topic)?.push(message);
    if ([...pending.values()].reduce((n, l) => n + l.length, 0) >= 20000) await flush();
  }
  await flush();
  await producer.disconnect();
  process.stdout.write(`replay: wrote ${events} events of ${journeys} journeys; assurance lag now ${await lag(admin)}\n`);
  return { events, journeys };
};

/** Waits until assurance has consumed everything, sampling its RSS; writes the result. */
const measure = async (admin: Admin) => {
  const pid = Number(readFileSync(join(args['state-dir'], 'pids', 'assurance.pid'), 'utf8').trim());
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const start = await lag(admin);
  const t0 = performance.now();
  let peak = rss();
  const samples: Array<{ s: number; rssMb: number; lag: number }> = [];
  for (;;) {
    const behind = await lag(admin);
    const now = rss();
    peak = Math.max(peak, now);
    samples.push({ s: +((performance.now() - t0) / 1000).toFixed(1), rssMb: +now.toFixed(0), lag: Number(behind) });
    if (behind === 0n) break;
    await sleep(1000);
  }
  const seconds = (performance.now() - t0) / 1000;
  const db = new Client({ connectionString: args['database-url'] });
  await db.connect();
  const { rows } = await db.query("SELECT count(*)::int AS journeys, count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed FROM assurance.journeys");
  const outcomes = (await db.query('SELECT count(*)::int AS n FROM assurance.outcomes')).rows[0].n;
  await db.end();
  const result = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
    events: Number(start),
    seconds: +seconds.toFixed(1),
    eventsPerSecond: +(Number(start) / seconds).toFixed(0),
    peakRssMb: +peak.toFixed(0),
    journeysTracked: rows[0].journeys,
    journeysConfirmed: rows[0].confirmed,
    outcomeRecords: outcomes,
    rssSamples: samples.filter((_, i) => i % 10 === 0),
  };
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.at.replace(/[:.]/g, '-')}-assurance-replay.json`), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    `### assurance replay: ${result.events} events`,
    '',
    `Machine: ${result.machine.cpus} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}. ${result.at}`,
    '',
    '| metric | value |',
    '|---|---|',
    `| events/s | ${result.eventsPerSecond} (${result.events} in ${result.seconds} s) |`,
    `| assurance peak RSS | ${result.peakRssMb} MB (samples: ${result.rssSamples.map((s) => `${s.s}s ${s.rssMb}MB`).join(', ')}) |`,
    `| journeys tracked / confirmed / outcome records | ${result.journeysTracked} / ${result.journeysConfirmed} / ${result.outcomeRecords} |`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'latest-assurance-replay.md'), md);
  process.stdout.write(`\n${md}\n`);
  if (result.journeysConfirmed !== result.outcomeRecords || result.journeysTracked !== result.journeysConfirmed) {
    process.stderr.write('replay: every journey of the stream should be confirmed exactly once\n');
    process.exit(1);
  }
};

const main = async () => {
  const kafka = new Kafka({ clientId: 'replay', brokers: args.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (args.phase === 'produce') await produce(kafka, admin);
    else if (args.phase === 'drain') while ((await lag(admin)) > 0n) await sleep(500);
    else await measure(admin);
  } finally {
    await admin.disconnect();
  }
};

main().catch((error) => {
  process.stderr.write(`replay: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
