import { KafkaBatchServer, type OutboxBacklog,OutboxRelay } from '@closeloop/messaging';
import { createLogger, gauge } from '@closeloop/observability';
import { Injectable, type OnModuleInit } from '@nestjs/common';

import { KafkaAdmin } from './kafka-admin';

/** The sources the gauges read at scrape time; the service module of this process sets them. */
interface Sources {
  readonly relay: OutboxRelay;
  readonly server: KafkaBatchServer;
  readonly admin: KafkaAdmin;
}

let sources: Sources | undefined;
const unavailable = (what: string, error: unknown) => createLogger('RuntimeMetrics').debug({ err: String(error) }, `${what} unavailable`);

/** One outbox query serves both outbox gauges of a scrape. */
let backlog: { at: number; value: Promise<OutboxBacklog> } | undefined;
const currentBacklog = (relay: OutboxRelay): Promise<OutboxBacklog> => {
  if (!backlog || Date.now() - backlog.at > 1000) backlog = { at: Date.now(), value: relay.backlog() };
  return backlog.value;
};

gauge({
  name: 'closeloop_outbox_backlog',
  help: 'Outbox rows committed and not yet published to Kafka',
  async collect() {
    if (!sources) return;
    try {
      this.set((await currentBacklog(sources.relay)).rows);
    } catch (error) {
      unavailable('outbox backlog', error);
      this.reset();
    }
  },
});

gauge({
  name: 'closeloop_outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox row (0 when the outbox is empty)',
  async collect() {
    if (!sources) return;
    try {
      this.set((await currentBacklog(sources.relay)).oldestAgeSeconds);
    } catch (error) {
      unavailable('outbox age', error);
      this.reset();
    }
  },
});

/**
 * Lag of the service's consumer group per topic it reads, summed over partitions: each
 * partition's high watermark minus the group's committed offset (minus the earliest retained
 * offset while the group has committed nothing there). Read from the cluster at scrape time, so
 * every instance of a service reports the same, whole-group value: aggregate instances with
 * `max`, not `sum`. Absent while Kafka does not answer.
 */
gauge({
  name: 'closeloop_consumer_lag',
  help: 'Messages the service consumer group has not committed yet, per topic (all partitions)',
  labelNames: ['topic'],
  async collect() {
    if (!sources) return;
    const { server, admin } = sources;
    const topics = server.subscribedTopics();
    this.reset();
    if (topics.length === 0) return;
    try {
      const lags = await admin.run('Kafka', 3000, async (client) => {
        const [committed, ends] = await Promise.all([
          client.fetchOffsets({ groupId: server.groupId, topics }),
          Promise.all(topics.map(async (topic) => ({ topic, partitions: await client.fetchTopicOffsets(topic) }))),
        ]);
        const committedOf = new Map(committed.flatMap(({ topic, partitions }) => partitions.map((p) => [`${topic}:${p.partition}`, BigInt(p.offset)] as const)));
        return ends.map(({ topic, partitions }) => {
          let lag = 0n;
          for (const p of partitions) {
            const position = committedOf.get(`${topic}:${p.partition}`) ?? -1n;
            const from = position >= 0n ? position : BigInt(p.low);
            const behind = BigInt(p.high) - from;
            if (behind > 0n) lag += behind;
          }
          return { topic, lag: Number(lag) };
        });
      });
      for (const { topic, lag } of lags) this.set({ topic }, lag);
    } catch (error) {
      unavailable('consumer lag', error);
    }
  },
});

/** Points the scrape-time gauges (outbox backlog and age, consumer lag) at this service. */
@Injectable()
export class RuntimeMetrics implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly server: KafkaBatchServer,
    private readonly admin: KafkaAdmin,
  ) {}

  onModuleInit(): void {
    sources = { relay: this.relay, server: this.server, admin: this.admin };
  }
}
