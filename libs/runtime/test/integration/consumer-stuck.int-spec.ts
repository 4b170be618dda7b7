import { randomUUID } from 'node:crypto';

import { KafkaBatchServer, RAW_MESSAGES, type RawMessageBatch, RetryableError } from '@closeloop/messaging';
import { metricsRegistry } from '@closeloop/observability';
import { eventually, publish, testKafka } from '@closeloop/testing';
import request from 'supertest';

import { consumerHarness } from '../support/consumer-harness';

const TOPIC = `test.stuck-records.${randomUUID().slice(0, 8)}`;
const harness = consumerHarness('consumer-stuck', TOPIC);
const { kafka } = harness;

beforeAll(() => harness.setUp());
afterAll(() => harness.tearDown());

const stuckSeries = async (): Promise<string[]> =>
  (await metricsRegistry.getSingleMetricAsString('closeloop_consumer_stuck_seconds')).split('\n').filter((line) => line.includes(`topic="${TOPIC}"`));

describe('a consumer stuck on an offset', () => {
  it('shows in /health/ready (503 naming the topic, partition, offset and since when) and in closeloop_consumer_stuck_seconds, until it moves on', async () => {
    let failing = true;
    const handled: string[] = [];
    const server = new KafkaBatchServer({ kafka, producer: harness.producer(), groupId: `stuck-int-${randomUUID().slice(0, 8)}`, maxBackoffMs: 100, stuckAfter: { afterFailures: 3 } });
    server.addHandler(
      TOPIC,
      async (batch: RawMessageBatch) => {
        if (failing) throw new RetryableError('the database is unavailable');
        handled.push(...batch.messages.map((m) => m.value));
      },
      true,
      RAW_MESSAGES,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    const app = await harness.healthApp(server);
    const http = request(app.getHttpServer());
    try {
      expect((await http.get('/health/ready')).status).toBe(200);
      await publish(testKafka(), TOPIC, [{ key: 'r-1', value: 'a record' }]);

      const ready = await eventually(async () => {
        const response = await http.get('/health/ready');
        expect(response.status).toBe(503);
        return response;
      }, 30000);
      expect(ready.body.checks).toMatchObject({ postgres: 'ok', kafka: 'ok' });
      expect(ready.body.checks.consumer).toMatch(
        new RegExp(`^consumer stuck: ${TOPIC.replace(/\./g, '\\.')} partition 0 stuck at offset 0 since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(\\d+ failed attempts; last: the database is unavailable\\)$`),
      );
      // Stuck is not dead: liveness stays up (a restart would not get past the offset either).
      expect((await http.get('/health/live')).status).toBe(200);
      expect(await stuckSeries()).toEqual([expect.stringMatching(new RegExp(`^closeloop_consumer_stuck_seconds\\{topic="${TOPIC.replace(/\./g, '\\.')}",partition="0"\\} [\\d.e-]+$`))]);

      failing = false;
      await eventually(() => expect(handled).toEqual(['a record']), 30000);
      expect((await http.get('/health/ready')).status).toBe(200);
      expect(server.stuckPartitions()).toEqual([]);
      expect(await stuckSeries()).toEqual([]);
    } finally {
      await app.close();
      await server.close();
    }
  });
});
