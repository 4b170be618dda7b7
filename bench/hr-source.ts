/**
 * The benchmark's HR variant (`npm run bench -- --source hr`): instead of POSTing to intake, it
 * publishes Workday hire events to the HR topic, as the HR integration would, and learns which
 * journey each started from `intake.journey.requested.v1` (as a downstream consumer would). The
 * latency of a journey runs from the publish of its hire event to its confirmation.
 */
import { randomUUID } from 'node:crypto';

import { deadLetterTopic, type JourneyRequestedV1, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import { type Admin, type Kafka, Partitioners } from 'kafkajs';

/** Job profiles of the shipped mapping table (apps/intake/upstream/upstream-mappings.yaml): 2 groups, 3 apps, a standard laptop. */
const PROFILES = [
  { id: 'JP-ENG-SWE', descriptor: 'Software Engineer', org: 'Engineering' },
  { id: 'JP-SAL-AE', descriptor: 'Account Executive', org: 'Sales' },
];

/** A Workday Worker_Hired event for bench worker `i` of a run. */
export const workdayHire = (i: number, run: string) => {
  const profile = PROFILES[i % PROFILES.length] as (typeof PROFILES)[number];
  return {
    eventType: 'Worker_Hired',
    eventId: randomUUID().replace(/-/g, ''),
    tenant: 'acme',
    effectiveDate: '2026-03-02',
    completedAt: new Date().toISOString(),
    worker: {
      workerId: `B${run}-${i}`,
      workerType: 'Employee',
      name: { firstName: 'Bench', lastName: `Worker ${i}` },
      email: `b${run}.${i}@acme.test`,
      position: {
        positionId: `P-${run}-${i}`,
        jobProfile: { id: profile.id, descriptor: profile.descriptor },
        supervisoryOrganization: { id: `SUP-${profile.org.toUpperCase()}`, descriptor: profile.org },
        location: { id: 'LOC-LON', descriptor: 'London' },
      },
    },
  };
};

export interface HrSource {
  /** Publishes worker `i`'s hire event; resolves with the journey intake started for it, once seen. */
  submit(i: number, sentAt: Map<string, number>): Promise<string>;
  /** For each journey, ms from the publish of its hire event until its `journey.requested` was seen: intake's part. */
  acceptLatencies(): number[];
  /** Messages dead-lettered on the HR topic since the source started (a correct run has none). */
  deadLetters(): Promise<number>;
  stop(): Promise<void>;
}

const dlqEnd = async (admin: Admin) => (await admin.fetchTopicOffsets(deadLetterTopic(WORKDAY_WORKER_EVENTS_TOPIC))).reduce((n, p) => n + BigInt(p.high), 0n);

export const startHrSource = async (kafka: Kafka, admin: Admin, run: string): Promise<HrSource> => {
  const dlqBefore = await dlqEnd(admin);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = new Map<string, string>(); // employeeId → requestId
  const waiters = new Map<string, (requestId: string) => void>();
  const accepted: number[] = [];
  const consumer = kafka.consumer({ groupId: `bench-hr-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'intake.journey.requested.v1', fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const event = JSON.parse(message.value?.toString() ?? '{}') as Partial<JourneyRequestedV1>;
        const employeeId = event.payload?.subject.employeeId;
        if (!employeeId || !event.requestId || started.has(employeeId)) continue;
        started.set(employeeId, event.requestId);
        waiters.get(employeeId)?.(event.requestId);
        waiters.delete(employeeId);
      }
    },
  });
  await joined;

  return {
    async submit(i, sentAt) {
      const event = workdayHire(i, run);
      const employeeId = event.worker.workerId;
      const seen = new Promise<string>((resolve) => waiters.set(employeeId, resolve));
      const publishedAt = performance.now();
      await producer.send({ topic: WORKDAY_WORKER_EVENTS_TOPIC, acks: -1, messages: [{ key: employeeId, value: JSON.stringify(event) }] });
      const requestId = await seen;
      accepted.push(performance.now() - publishedAt);
      sentAt.set(requestId, publishedAt);
      return requestId;
    },
    acceptLatencies() {
      return [...accepted];
    },
    async deadLetters() {
      return Number((await dlqEnd(admin)) - dlqBefore);
    },
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
};
