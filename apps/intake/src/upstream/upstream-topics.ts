import { deadLetterTopic, SERVICENOW_REQUEST_ITEMS_TOPIC, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import { ensureTopics } from '@closeloop/messaging';
import { COMMON_CONFIG, type RuntimeConfig } from '@closeloop/runtime';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Kafka } from 'kafkajs';

export const UPSTREAM_TOPICS = [WORKDAY_WORKER_EVENTS_TOPIC, SERVICENOW_REQUEST_ITEMS_TOPIC] as const;

/**
 * The upstream topics and their dead-letter topics, created when missing before intake
 * subscribes (the upstream integrations own the topics; on a cluster where they exist already,
 * nothing is created).
 */
@Injectable()
export class UpstreamTopics implements OnModuleInit {
  constructor(
    private readonly kafka: Kafka,
    @Inject(COMMON_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, UPSTREAM_TOPICS.flatMap((t) => [t, deadLetterTopic(t)]), this.config.KAFKA_TOPIC_PARTITIONS);
    } finally {
      await admin.disconnect();
    }
  }
}
