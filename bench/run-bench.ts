/**
 * The benchmark: drives N new-hire journeys through intake's HTTP API against a running stack
 * and reports verified journeys per second, request-to-confirmed latency, Kafka throughput and
 * lag, per-service CPU and peak RSS, PostgreSQL rows written per journey, and a correctness check.
 * Run it with `npm run bench` (bench/bench.sh starts the stack on a fresh database first).
 * `--source hr` feeds the journeys in as Workday hire events on the HR topic instead (bench/hr-source.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { EVENT_CONTRACTS, OutcomeConfirmedV1, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import { serviceEntry, serviceList } from '@closeloop/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import { startHrSource } from './hr-source';

const ROOT = join(__dirname, '../..');
/** The services, their consumer groups and schemas: deploy/services.json. */
const SERVICES = serviceList().map((s) => s.name);
const GROUPS = serviceList().map((s) => s.consumerGroup);
const SCHEMAS = serviceList().map((s) => s.schema);
const TOPICS = EVENT_CONTRACTS.map((c) => c.topic);

const { values: args } = parseArgs({
  options: {
    journeys: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    rate: { type: 'string', default: '0' },
    label: { type: 'string', default: '' },
    /** http: POST /journeys; hr: Workday hire events on hr.workday.worker-events.v1. */
    source: { type: 'string', default: 'http' },
    'intake-url': { type: 'string', default: `http://127.0.0.1:${serviceEntry('intake').port}` },
    'database-url': { type: 'string', default: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/closeloop_bench' },
    brokers: { type: 'string', default: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092' },
    'state-dir': { type: 'string', default: process.env['CLOSELOOP_STATE_DIR'] ?? join(ROOT, '.run') },
    timeout: { type: 'string', default: '600' },
  },
});

const N = Number(args.journeys);
const CONCURRENCY = Number(args.concurrency);
const RATE = Number(args.rate);
if (!(N > 0) || !(CONCURRENCY > 0) || !(RATE >= 0)) throw new Error('--journeys and --concurrency must be positive, --rate >= 0');
const SOURCE = args.source;
if (SOURCE !== 'http' && SOURCE !== 'hr') throw new Error('--source must be http (POST /journeys) or hr (Workday hire events on the HR topic)');
/** The topics whose events are counted and whose consumer lag is read: with --source hr, the HR topic too. */
const COUNTED_TOPICS = SOURCE === 'hr' ? [...TOPICS, WORKDAY_WORKER_EVENTS_TOPIC] : TOPICS;

/** intake authenticates its callers: the benchmark is a requester of the development identity provider, whose keys tools/stack.sh gave intake. */
const AUTHORIZATION = `Bearer ${execFileSync(
  process.execPath,
  [join(ROOT, 'tools/auth/dev-identity.mjs'), 'token', '--sub', 'bench@acme.test', '--roles', 'requester', '--expires', '12h', '--dir', join(args['state-dir'], 'dev-auth')],
  { encoding: 'utf8' },
).trim()}`;

const CLK_TCK = 100;
const procStats = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
};
/** Every running instance of each service: `<service>.pid`, `<service>-2.pid`, ... */
const servicePids = () => {
  const dir = join(args['state-dir'], 'pids');
  const pids: Record<string, number> = {};
  for (const file of readdirSync(dir)) {
    const match = /^(.+?)(-\d+)?\.pid$/.exec(file);
    if (!match || !SERVICES.includes(match[1] as string)) continue;
    pids[file.replace(/\.pid$/, '')] = Number(readFileSync(join(dir, file), 'utf8').trim());
  }
  return pids;
};
const kafkaPid = () => Number(readFileSync(join(args['state-dir'], 'kafka', 'kafka.pid'), 'utf8').trim());
/** PostgreSQL's own processes (postmaster and backends), found by their owner. */
const postgresCpuSeconds = () => {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (statSync(`/proc/${entry}`).uid !== POSTGRES_UID) continue;
      total += procStats(Number(entry)).cpuSeconds;
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
};
const POSTGRES_UID = (() => {
  try {
    return statSync('/var/run/postgresql').uid;
  } catch {
    return -1;
  }
})();

const highWatermarks = async (admin: Admin) => {
  let total = 0n;
  for (const topic of COUNTED_TOPICS) for (const p of await admin.fetchTopicOffsets(topic)) total += BigInt(p.high);
  return total;
};

const consumerLag = async (admin: Admin) => {
  const lag: Record<string, number> = {};
  for (const group of GROUPS) {
    let behind = 0n;
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics: COUNTED_TOPICS })) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
      for (const p of partitions) if (p.offset !== '-1') behind += (ends.get(p.partition) ?? 0n) - BigInt(p.offset);
    }
    lag[group] = Number(behind);
  }
  return lag;
};

const rowsWritten = async (db: Client) => {
  const { rows } = await db.query(
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS n FROM pg_stat_user_tables WHERE schemaname = ANY($1)`,
    [SCHEMAS],
  );
  return Number(rows[0].n);
};

/** Transactions committed in the bench database (the services', and the few of this script). */
const commits = async (db: Client) => Number((await db.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n);

/**
 * What assurance did besides confirming, for the run's journeys: retries by why they were asked
 * (DEADLINE_MISSED: no outcome by the step's deadline; with no fault injected, the request was
 * still waiting in a queue), stalls and escalations.
 */
const exceptions = async (db: Client, ids: readonly string[]) => {
  const { rows } = await db.query(
    `SELECT count(*) FILTER (WHERE action = 'step.retry-requested' AND reason LIKE 'DEADLINE_MISSED:%')::int AS deadline_retries,
            count(*) FILTER (WHERE action = 'step.retry-requested' AND reason NOT LIKE 'DEADLINE_MISSED:%')::int AS other_retries,
            count(*) FILTER (WHERE action = 'step.stalled')::int AS stalls,
            count(*) FILTER (WHERE action = 'journey.escalated')::int AS escalations
     FROM assurance.audit_entries WHERE request_id = ANY($1::uuid[])`,
    [ids],
  );
  return { deadlineRetries: rows[0].deadline_retries, otherRetries: rows[0].other_retries, stalls: rows[0].stalls, escalations: rows[0].escalations };
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const request = (i: number, run: string) => ({
  type: 'new-hire',
  requestedBy: 'bench@acme.test',
  subject: { employeeId: `B${run}-${i}`, email: `b${run}.${i}@acme.test`, displayName: `Bench ${i}` },
  groups: ['staff', i % 2 ? 'engineering' : 'sales'],
  apps: [{ app: 'asana', role: 'member' }, { app: 'slack', role: 'member', licence: 'pro' }],
  device: { model: ['laptop-14', 'laptop-16', 'desktop-mini'][i % 3] }, // standard devices: no pre-action approval (apps/intake/policy)
});

const main = async () => {
  const run = Date.now().toString(36);
  const kafka = new Kafka({ clientId: 'bench', brokers: args.brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const db = new Client({ connectionString: args['database-url'] });
  await db.connect();
  const hr = SOURCE === 'hr' ? await startHrSource(kafka, admin, run) : undefined;

  // Confirmations, as an observer downstream of assurance would see them.
  const sentAt = new Map<string, number>();
  const confirmedAt = new Map<string, number>();
  let duplicates = 0;
  const waiters = new Map<string, () => void>();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: OutcomeConfirmedV1.topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const message of batch.messages) {
        const id = message.key?.toString() ?? '';
        if (confirmedAt.has(id)) duplicates++;
        else confirmedAt.set(id, now);
        waiters.get(id)?.();
        waiters.delete(id);
      }
    },
  });
  await joined;
  await sleep(500); // the group has its partitions and starts at the end of the topic

  const pids = servicePids();
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, procStats(pid).cpuSeconds]));
  const kafkaCpuBefore = procStats(kafkaPid()).cpuSeconds;
  const postgresCpuBefore = postgresCpuSeconds();
  const hwBefore = await highWatermarks(admin);
  const rowsBefore = await rowsWritten(db);
  const commitsBefore = await commits(db);

  const submit = async (i: number) => {
    if (hr) return hr.submit(i, sentAt);
    const started = performance.now();
    const response = await fetch(`${args['intake-url']}/journeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${run}-${i}`, authorization: AUTHORIZATION },
      body: JSON.stringify(request(i, run)),
    });
    const body = (await response.json()) as { requestId?: string };
    if (response.status !== 202 || !body.requestId) throw new Error(`POST /journeys answered ${response.status}: ${JSON.stringify(body)}`);
    sentAt.set(body.requestId, started);
    return body.requestId;
  };
  const confirmation = (id: string) => (confirmedAt.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(id, resolve)));

  const t0 = performance.now();
  const deadline = Date.now() + Number(args.timeout) * 1000;
  if (RATE > 0) {
    // Open loop: a fixed arrival rate, whatever the confirmations do.
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      inflight.push(submit(i).then(confirmation));
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not every journey was confirmed within --timeout ${args.timeout} s`)), deadline - Date.now());
    });
    await Promise.race([Promise.all(inflight), timedOut]).finally(() => clearTimeout(timer));
  } else {
    // Closed loop: CONCURRENCY journeys in flight, the next one submitted when one is confirmed.
    let next = 0;
    const worker = async () => {
      while (next < N && Date.now() < deadline) {
        const i = next++;
        await confirmation(await submit(i));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }
  const t1 = Math.max(...confirmedAt.values());
  const elapsedS = (t1 - t0) / 1000;

  await sleep(1500); // let relays, consumers and pg_stat catch up before reading the counters
  const latencies = [...sentAt].map(([id, s]) => (confirmedAt.get(id) ?? NaN) - s).filter(Number.isFinite).sort((a, b) => a - b);
  const hwAfter = await highWatermarks(admin);
  const lag = await consumerLag(admin);
  const rowsAfter = await rowsWritten(db);
  const commitsAfter = await commits(db);
  const perService = Object.fromEntries(
    Object.entries(pids).map(([s, pid]) => {
      const now = procStats(pid);
      const cpuSeconds = now.cpuSeconds - (cpuBefore[s] ?? 0);
      return [s, { cpuSeconds: +cpuSeconds.toFixed(1), cpuMsPerJourney: +((cpuSeconds * 1000) / N).toFixed(2), peakRssMb: +now.peakRssMb.toFixed(0) }];
    }),
  );
  const kafkaNow = procStats(kafkaPid());
  const kafkaCpu = kafkaNow.cpuSeconds - kafkaCpuBefore;
  perService['kafka (JVM)'] = { cpuSeconds: +kafkaCpu.toFixed(1), cpuMsPerJourney: +((kafkaCpu * 1000) / N).toFixed(2), peakRssMb: +kafkaNow.peakRssMb.toFixed(0) };
  const postgresCpu = postgresCpuSeconds() - postgresCpuBefore;
  perService['postgresql (all backends)'] = { cpuSeconds: +postgresCpu.toFixed(1), cpuMsPerJourney: +((postgresCpu * 1000) / N).toFixed(2), peakRssMb: NaN };
  const servicesCpuMsPerJourney = +Object.entries(perService)
    .filter(([s]) => !s.startsWith('kafka') && !s.startsWith('postgresql'))
    .reduce((sum, [, v]) => sum + v.cpuMsPerJourney, 0)
    .toFixed(2);

  const ids = [...sentAt.keys()];
  const exceptional = await exceptions(db, ids);
  const { rows: outcomeRows } = await db.query('SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS d FROM assurance.outcomes WHERE request_id = ANY($1::uuid[])', [ids]);
  let unpublished = 0;
  for (const schema of SCHEMAS) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_messages`);
    unpublished += rows[0].n;
  }
  const hrDeadLetters = hr ? await hr.deadLetters() : 0;
  const correctness = {
    submitted: sentAt.size,
    outcomeRecords: outcomeRows[0].n,
    distinctOutcomeRecords: outcomeRows[0].d,
    confirmedEventsSeen: confirmedAt.size,
    duplicateConfirmedEvents: duplicates,
    unpublishedOutboxRows: unpublished,
    ...(hr ? { deadLetteredHireEvents: hrDeadLetters } : {}),
  };
  const ok =
    correctness.submitted === N && correctness.outcomeRecords === N && correctness.distinctOutcomeRecords === N && correctness.confirmedEventsSeen === N && unpublished === 0 && hrDeadLetters === 0;

  const result = {
    label: args.label || `${SOURCE === 'hr' ? 'hr-' : ''}${RATE > 0 ? `rate-${RATE}` : `closed-${CONCURRENCY}`}`,
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
    settings: {
      journeys: N,
      source: SOURCE === 'hr' ? `Workday hire events on ${WORKDAY_WORKER_EVENTS_TOPIC}` : 'POST /journeys',
      mode: RATE > 0 ? `open loop, ${RATE} journeys/s` : `closed loop, ${CONCURRENCY} in flight`,
      instances: Object.keys(servicePids()).filter((k) => /-\d+$/.test(k)).length > 0 ? 2 : 1,
    },
    verifiedJourneysPerSecond: +(N / elapsedS).toFixed(1),
    elapsedSeconds: +elapsedS.toFixed(2),
    latencyMs: {
      p50: +percentile(latencies, 50).toFixed(0),
      p95: +percentile(latencies, 95).toFixed(0),
      p99: +percentile(latencies, 99).toFixed(0),
      max: +(latencies[latencies.length - 1] ?? NaN).toFixed(0),
    },
    kafka: { events: Number(hwAfter - hwBefore), eventsPerSecond: +(Number(hwAfter - hwBefore) / elapsedS).toFixed(0), consumerLagAtEnd: lag },
    postgresRowsWrittenPerJourney: +((rowsAfter - rowsBefore) / N).toFixed(1),
    postgresCommitsPerJourney: +((commitsAfter - commitsBefore) / N).toFixed(1),
    servicesCpuMsPerJourney,
    exceptions: exceptional,
    perService,
    correctness: { ...correctness, ok },
  };
  const accepted = hr ? hr.acceptLatencies().sort((a, b) => a - b) : [];
  const acceptMs = { p50: +percentile(accepted, 50).toFixed(0), p95: +percentile(accepted, 95).toFixed(0), p99: +percentile(accepted, 99).toFixed(0) };
  if (hr) Object.assign(result, { hireEventToJourneyRequestedMs: acceptMs });

  const md = [
    `### ${result.label}: ${N} new-hire journeys from ${result.settings.source}, ${result.settings.mode}, ${result.settings.instances} instance(s) of each domain service and assurance`,
    '',
    `Machine: ${result.machine.cpus} cores (${result.machine.cpuModel}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; Kafka, PostgreSQL and all ${Object.keys(pids).length} service processes on it. ${result.at}`,
    '',
    '| metric | value |',
    '|---|---|',
    `| verified journeys/s | ${result.verifiedJourneysPerSecond} (${N} in ${result.elapsedSeconds} s) |`,
    `| request → confirmed p50 / p95 / p99 / max | ${result.latencyMs.p50} / ${result.latencyMs.p95} / ${result.latencyMs.p99} / ${result.latencyMs.max} ms |`,
    ...(hr ? [`| hire event published → journey requested p50 / p95 / p99 | ${acceptMs.p50} / ${acceptMs.p95} / ${acceptMs.p99} ms |`] : []),
    `| Kafka events/s | ${result.kafka.eventsPerSecond} (${result.kafka.events} events) |`,
    `| consumer lag at end | ${Object.entries(lag).map(([g, n]) => `${g.replace('closeloop.', '')} ${n}`).join(', ')} |`,
    `| PostgreSQL rows written per journey | ${result.postgresRowsWrittenPerJourney} |`,
    `| PostgreSQL commits per journey | ${result.postgresCommitsPerJourney} |`,
    `| CPU ms per journey: services / Kafka / PostgreSQL | ${servicesCpuMsPerJourney} / ${perService['kafka (JVM)']?.cpuMsPerJourney} / ${perService['postgresql (all backends)']?.cpuMsPerJourney} |`,
    `| step retries after a missed deadline (no fault injected: the request waited in a queue) / other retries | ${exceptional.deadlineRetries} / ${exceptional.otherRetries} |`,
    `| stalls / escalations | ${exceptional.stalls} / ${exceptional.escalations} |`,
    `| correctness | ${ok ? 'OK' : 'FAILED'}: ${correctness.outcomeRecords} outcome records for ${correctness.submitted} journeys, ${correctness.duplicateConfirmedEvents} duplicate confirmations, ${unpublished} unpublished outbox rows${hr ? `, ${hrDeadLetters} dead-lettered hire events` : ''} |`,
    '',
    '| process | CPU s | CPU ms per journey | peak RSS MB |',
    '|---|---|---|---|',
    ...Object.entries(perService).map(([s, v]) => `| ${s} | ${v.cpuSeconds} | ${v.cpuMsPerJourney} | ${v.peakRssMb} |`),
    '',
  ].join('\n');

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = result.at.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}-${result.label}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, `${stamp}-${result.label}.md`), md);
  writeFileSync(join(dir, `latest-${SOURCE === 'hr' ? 'hr-' : ''}${RATE > 0 ? 'rate' : 'closed'}.md`), md);
  process.stdout.write(`\n${md}\n`);

  await hr?.stop();
  await consumer.disconnect();
  await admin.disconnect();
  await db.end();
  if (!ok) {
    process.stderr.write('bench: correctness check FAILED\n');
    process.exit(1);
  }
};

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
