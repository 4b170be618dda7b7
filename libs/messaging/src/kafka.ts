import { readFileSync } from 'node:fs';

import type { Logger } from '@closeloop/observability';
import { type Admin, Kafka, type KafkaConfig, logLevel, Partitioners, type Producer } from 'kafkajs';

/** SASL/SCRAM credentials of the service's Kafka user (a Strimzi `KafkaUser`, see k8s/strimzi). */
export interface KafkaSaslSettings {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256';
  readonly username: string;
  readonly password: string;
}

/** TLS to the brokers: the CAs that sign their certificates (PEM file), or the system's. */
export interface KafkaTlsSettings {
  readonly caFile?: string;
  readonly rejectUnauthorized: boolean;
}

/** Where and how to connect; `kafkaClientSecurity` (libs/config) gives `sasl` and `ssl` from the environment. */
export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: KafkaSaslSettings;
  readonly ssl?: KafkaTlsSettings;
}

/**
 * The kafkajs `sasl` and `ssl` options of the settings. The CA file is read here, once per
 * client; a file that cannot be read stops the start-up with its path.
 */
export const kafkaConnectionOptions = (
  settings: Pick<KafkaSettings, 'sasl' | 'ssl'>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Pick<KafkaConfig, 'sasl' | 'ssl'> => {
  const options: Pick<KafkaConfig, 'sasl' | 'ssl'> = {};
  if (settings.sasl) {
    const { mechanism, username, password } = settings.sasl;
    options.sasl = mechanism === 'scram-sha-512' ? { mechanism, username, password } : { mechanism, username, password };
  }
  if (settings.ssl) {
    const { caFile, rejectUnauthorized } = settings.ssl;
    if (caFile === undefined) options.ssl = rejectUnauthorized ? true : { rejectUnauthorized };
    else {
      let ca: string;
      try {
        ca = readFile(caFile);
      } catch (error) {
        throw new Error(`the Kafka TLS CA file ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
      }
      options.ssl = { ca: [ca], rejectUnauthorized };
    }
  }
  return options;
};

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client (SASL and TLS as the settings say) whose log lines go through the service's JSON logger. */
export const createKafka = (settings: KafkaSettings, logger: Logger): Kafka =>
  new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ...kafkaConnectionOptions(settings),
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
