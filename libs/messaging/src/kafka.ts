import type { Logger } from '@closeloop/observability';
import { type Admin, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose log lines go through the service's JSON logger. */
export const createKafka = (settings: KafkaSettings, logger: Logger): Kafka =>
  new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        // kafkajs logs every error response at ERROR, also the ones it retries (a new topic's
        // leader not elected yet, the group coordinator loading): those are warnings.
        const retried = level === logLevel.ERROR && typeof message === 'string' && message.startsWith('Response ');
        logger[retried ? 'warn' : (LEVELS[level] ?? 'info')]({ kafka: extra }, message);
      },
  });

/** The idempotent producer: acks from all in-sync replicas, no duplicates on a retried send. */
export const createIdempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

/**
 * Creates the topics that do not exist yet. Services starting together race to create the same
 * topics; the loser sees transient metadata errors, so the check is repeated a few times.
 */
export const ensureTopics = async (admin: Admin, topics: readonly string[], partitions: number, attempts = 10): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      });
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
};
