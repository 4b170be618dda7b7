import { deadLetterTopic } from '@closeloop/contracts';
import { openDatabase } from '@closeloop/database';
import { createIdempotentProducer, createKafka, ensureTopics, KafkaBatchServer } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { testEnv } from '@closeloop/testing';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Admin, Kafka, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';

import { HealthController } from '../../src/health.controller';
import { KafkaAdmin } from '../../src/kafka-admin';

/**
 * What the consumer-health integration specs share: a Kafka client, an idempotent producer, a
 * topic (and its .dlq) of their own, a database connection, and a Nest app serving only the
 * health checks of a given batch server. Call `setUp()` in `beforeAll` and `tearDown()` in
 * `afterAll`.
 */
export const consumerHarness = (name: string, topic: string) => {
  const { DATABASE_URL, KAFKA_BROKERS } = testEnv();
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: `${name}-int` }, createLogger('kafkajs'));
  let admin: Admin;
  let producer: Producer;
  let dataSource: DataSource;

  return {
    kafka,
    producer: (): Producer => producer,
    async setUp(): Promise<void> {
      admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, [topic, deadLetterTopic(topic)], 1);
      producer = createIdempotentProducer(kafka);
      await producer.connect();
      const schema = `${name.replace(/-/g, '_')}_int`;
      dataSource = await openDatabase({ url: DATABASE_URL, schema, poolSize: 2, migrations: [], applicationName: `${name}-int` });
    },
    async tearDown(): Promise<void> {
      await admin.deleteTopics({ topics: [topic, deadLetterTopic(topic)] }).catch(() => undefined);
      await admin.disconnect();
      await producer.disconnect();
      await dataSource.destroy();
    },
    /** A Nest app with `/health/live` and `/health/ready` of this batch server. */
    async healthApp(server: KafkaBatchServer): Promise<INestApplication> {
      @Module({
        controllers: [HealthController],
        providers: [{ provide: DataSource, useValue: dataSource }, KafkaAdmin, { provide: Kafka, useValue: kafka }, { provide: KafkaBatchServer, useValue: server }],
      })
      class HealthTestModule {}
      const app = await NestFactory.create(HealthTestModule, { logger: false });
      await app.init();
      return app;
    },
  };
};
