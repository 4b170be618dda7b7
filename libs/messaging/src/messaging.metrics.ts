import { counter, durationBuckets, histogram } from '@closeloop/observability';

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
};
