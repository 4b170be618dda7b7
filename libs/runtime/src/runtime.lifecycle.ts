import { deadLetterTopic,EVENT_CONTRACTS } from '@closeloop/contracts';
import { ensureTopics,OutboxRelay } from '@closeloop/messaging';
import { createLogger, shutdownTracing } from '@closeloop/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';

import { COMMON_CONFIG, PRODUCER, type RuntimeConfig } from './tokens';

/**
 * Brings the infrastructure up in order (topics before consumers, outbox relay once the app
 * runs) and down in reverse (relay, producer, database pool).
 */
@Injectable()
export class RuntimeLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(RuntimeLifecycle.name);

  constructor(
    private readonly kafka: Kafka,
    @Inject(PRODUCER) private readonly producer: Producer,
    private readonly relay: OutboxRelay,
    private readonly dataSource: DataSource,
    @Inject(COMMON_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = EVENT_CONTRACTS.flatMap((c) => [c.topic, deadLetterTopic(c.topic)]);
      await ensureTopics(admin, topics, this.config.KAFKA_TOPIC_PARTITIONS);
    } finally {
      await admin.disconnect();
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
    this.logger.info('outbox relay started');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.info({ signal }, 'shutting down');
    await this.relay.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
    await shutdownTracing(); // exports the spans still buffered
  }
}
