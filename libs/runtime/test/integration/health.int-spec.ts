import { connect, createServer, type Server, type Socket } from 'node:net';

import { openDatabase } from '@closeloop/database';
import { createKafka, KafkaBatchServer } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { testEnv } from '@closeloop/testing';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka } from 'kafkajs';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { HealthController } from '../../src/health.controller';
import { KafkaAdmin } from '../../src/kafka-admin';

/** A TCP proxy to PostgreSQL that the test can cut, as a network failure would. */
const startProxy = async (target: URL): Promise<{ port: number; cut: () => Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const socket = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(socket);
    client.pipe(socket).pipe(client);
    const drop = () => {
      client.destroy();
      socket.destroy();
    };
    client.on('error', drop).on('close', drop);
    socket.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
};

/** A port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

const healthApp = async (dataSource: DataSource, kafka: Kafka): Promise<INestApplication> => {
  @Module({
    controllers: [HealthController],
    providers: [
      { provide: DataSource, useValue: dataSource },
      KafkaAdmin,
      { provide: Kafka, useValue: kafka },
      { provide: KafkaBatchServer, useValue: new KafkaBatchServer({ kafka, producer: kafka.producer(), groupId: 'health-int' }) },
    ],
  })
  class HealthTestModule {}
  const app = await NestFactory.create(HealthTestModule, { logger: false });
  await app.init();
  return app;
};

describe('health checks', () => {
  const { DATABASE_URL, KAFKA_BROKERS } = testEnv();
  const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'health-int' }, createLogger('kafkajs'));

  it('is ready while PostgreSQL and Kafka answer, and answers 503 naming PostgreSQL once it is unreachable', async () => {
    const target = new URL(DATABASE_URL);
    const proxy = await startProxy(target);
    const viaProxy = new URL(DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const dataSource = await openDatabase({ url: viaProxy.toString(), schema: 'health_int', poolSize: 2, migrations: [], applicationName: 'health-int' });
    const app = await healthApp(dataSource, kafka);
    try {
      const ready = await request(app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { postgres: 'ok', kafka: 'ok', consumer: 'ok' } });

      await proxy.cut();
      const down = await request(app.getHttpServer()).get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('unavailable');
      expect(down.body.checks).toMatchObject({ kafka: 'ok', consumer: 'ok', postgres: expect.stringMatching(/^PostgreSQL: /) });
      expect(down.body.checks.postgres).not.toBe('PostgreSQL: ');
      // The process itself is fine: liveness does not depend on PostgreSQL.
      expect((await request(app.getHttpServer()).get('/health/live')).status).toBe(200);
    } finally {
      await app.close();
      await dataSource.destroy().catch(() => undefined);
    }
  });

  it('answers 503 naming Kafka when no broker answers', async () => {
    const dataSource = await openDatabase({ url: DATABASE_URL, schema: 'health_int', poolSize: 2, migrations: [], applicationName: 'health-int' });
    const unreachable = createKafka({ brokers: [`127.0.0.1:${await closedPort()}`], clientId: 'health-int' }, createLogger('kafkajs'));
    const app = await healthApp(dataSource, unreachable);
    try {
      const down = await request(app.getHttpServer()).get('/health/ready');
      expect(down.status).toBe(503);
      expect(down.body.checks).toMatchObject({ postgres: 'ok', consumer: 'ok', kafka: expect.stringMatching(/^Kafka: .*(ECONNREFUSED|Connection|did not answer)/) });
      expect((await request(app.getHttpServer()).get('/health/live')).status).toBe(200);
    } finally {
      await app.close();
      await dataSource.destroy();
    }
  });
});
