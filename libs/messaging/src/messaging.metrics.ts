import { counter, durationBuckets, gauge, histogram } from '@closeloop/observability';

import type { StuckPartition } from './consumer-progress';

/** The consumers of this process whose stuck partitions the gauge reports (a test process may hold several). */
const stuckSources = new Set<() => readonly StuckPartition[]>();

/** Adds a consumer's stuck partitions to `closeloop_consumer_stuck_seconds`; returns how to take them off. */
export const reportStuckPartitions = (source: () => readonly StuckPartition[]): (() => void) => {
  stuckSources.add(source);
  return () => stuckSources.delete(source);
};

/**
 * The messaging series every service exposes on `/metrics` (names are what the dashboards
 * query). Counters count per instance since it started; Prometheus sums instances.
 */
export const messagingMetrics = {
  /** Messages of a topic this consumer group has handled (or dead-lettered) and committed. */
  consumed: counter({ name: 'closeloop_events_consumed_total', help: 'Messages consumed and committed, per source topic', labelNames: ['topic'] }),
  /** Events the outbox relay published (Kafka acknowledged them). */
  produced: counter({ name: 'closeloop_events_produced_total', help: 'Events published from the outbox, per topic', labelNames: ['topic'] }),
  /** Messages sent to `<topic>.dlq`, labelled with the source topic. */
  deadLettered: counter({ name: 'closeloop_events_dead_lettered_total', help: 'Messages dead-lettered, per source topic', labelNames: ['topic'] }),
  /** One observation per call of an `@EventPattern` handler with a batch (failed calls included). */
  handlerDuration: histogram({
    name: 'closeloop_handler_duration_seconds',
    help: 'Duration of one batch handler call, per topic',
    labelNames: ['topic'],
    buckets: durationBuckets,
  }),
  /** Each failed attempt at a batch (the handler threw, or its dead letters were not taken); the batch is tried again. */
  batchFailures: counter({
    name: 'closeloop_consumer_batch_failures_total',
    help: 'Failed attempts at a batch of a source topic (each is delivered again)',
    labelNames: ['topic'],
  }),
  /** New consumers built after kafkajs gave up on one (a missed rebalance, a forgotten member): each rejoins the group. */
  consumerRejoins: counter({ name: 'closeloop_consumer_rejoins_total', help: 'Consumers rebuilt to rejoin the group after kafkajs gave up on one' }),
  /** Sends to `<topic>.dlq` the broker did not take (retried with backoff). */
  deadLetterFailures: counter({ name: 'closeloop_dead_letter_failures_total', help: 'Dead-letter sends that failed, per source topic', labelNames: ['topic'] }),
  /** Outbox rows that can never be published, moved to `outbox_dead_letters`. */
  outboxDeadLettered: counter({
    name: 'closeloop_outbox_dead_lettered_total',
    help: 'Outbox rows Kafka can never take (too large, refused), moved to outbox_dead_letters, per topic',
    labelNames: ['topic'],
  }),
  /** Partitions a consumer of this process is stuck on; absent while none is (see `ConsumerProgress`). */
  stuckSeconds: gauge({
    name: 'closeloop_consumer_stuck_seconds',
    help: 'Seconds a partition has not moved past the same offset, for partitions stuck past the thresholds (absent otherwise)',
    labelNames: ['topic', 'partition'],
    collect() {
      this.reset();
      for (const source of stuckSources) {
        for (const stuck of source()) this.set({ topic: stuck.topic, partition: String(stuck.partition) }, stuck.seconds);
      }
    },
  }),
};
