import { accessDenialsMigration, AuthModule } from '@closeloop/auth';
import { kafkaClientSecurity } from '@closeloop/config';
import { openDatabase } from '@closeloop/database';
import { createIdempotentProducer, createKafka, Inbox, KafkaBatchServer, Outbox, outboxDeadLettersMigration, OutboxRelay, outboxTraceContextMigration } from '@closeloop/messaging';
import { configureMetrics, createLogger } from '@closeloop/observability';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';

import { CLOCK, ID_GENERATOR, systemClock, uuidGenerator } from './clock';
import { HealthController } from './health.controller';
import { KafkaAdmin } from './kafka-admin';
import { MetricsController } from './metrics.controller';
import { RuntimeLifecycle } from './runtime.lifecycle';
import { RuntimeMetrics } from './runtime.metrics';
import { COMMON_CONFIG, PRODUCER, type RuntimeConfig, SERVICE, type ServiceDescriptor } from './tokens';

/**
 * Migrations of the libraries' own tables that came after the outbox and inbox themselves: the
 * runtime runs them in every service's schema after the service's own.
 */
const libraryMigrations = (schema: string) => [outboxTraceContextMigration(schema, 1732600000000), accessDenialsMigration(schema, 1732700000000), outboxDeadLettersMigration(schema, 1732810000000)];

/**
 * The infrastructure every service shares: its database (migrated at start-up), Kafka client,
 * idempotent producer, outbox, inbox, outbox relay, batch consumer transport, health checks and
 * `/metrics`.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(service: ServiceDescriptor, config: RuntimeConfig): DynamicModule {
    configureMetrics(service.name);
    return {
      module: RuntimeModule,
      // Every service authenticates every HTTP caller (libs/auth): a new service cannot forget it.
      imports: [AuthModule.forRoot({ config, service: service.name, schema: service.schema })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE, useValue: service },
        { provide: COMMON_CONFIG, useValue: config },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidGenerator },
        {
          provide: DataSource,
          useFactory: () =>
            openDatabase({
              url: config.DATABASE_URL,
              schema: service.schema,
              poolSize: config.DATABASE_POOL_SIZE,
              migrations: [...service.migrations, ...libraryMigrations(service.schema)],
              entities: service.entities ? [...service.entities] : [],
              applicationName: service.name,
            }),
        },
        {
          provide: Kafka,
          useFactory: () =>
            // SASL/SCRAM and TLS from KAFKA_SASL_* / KAFKA_SSL* (docs/security-kafka.md).
            createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? service.name, ...kafkaClientSecurity(config) }, createLogger('kafkajs')),
        },
        {
          provide: PRODUCER,
          inject: [Kafka],
          useFactory: async (kafka: Kafka) => {
            const producer = createIdempotentProducer(kafka);
            await producer.connect();
            return producer;
          },
        },
        { provide: Outbox, useValue: new Outbox(service.schema, { journeyTraceTable: service.journeyTraceTable }) },
        { provide: Inbox, useValue: new Inbox(service.schema, service.consumerGroup) },
        {
          provide: OutboxRelay,
          inject: [DataSource, PRODUCER],
          useFactory: (dataSource: DataSource, producer: Producer) =>
            new OutboxRelay(dataSource, producer, { schema: service.schema, databaseUrl: config.DATABASE_URL, pollMs: config.OUTBOX_POLL_MS }),
        },
        {
          provide: KafkaBatchServer,
          inject: [Kafka, PRODUCER],
          useFactory: (kafka: Kafka, producer: Producer) => new KafkaBatchServer({ kafka, producer, groupId: service.consumerGroup, partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY }),
        },
        KafkaAdmin,
        RuntimeMetrics,
        RuntimeLifecycle,
      ],
      exports: [SERVICE, COMMON_CONFIG, CLOCK, ID_GENERATOR, DataSource, Kafka, PRODUCER, Outbox, Inbox, OutboxRelay, KafkaBatchServer],
    };
  }
}
