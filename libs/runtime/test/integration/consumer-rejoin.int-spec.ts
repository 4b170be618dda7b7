import { randomUUID } from 'node:crypto';

import { KafkaBatchServer, RAW_MESSAGES, type RawMessageBatch } from '@closeloop/messaging';
import { metricsRegistry } from '@closeloop/observability';
import { eventually, publish, testKafka } from '@closeloop/testing';
import request from 'supertest';

import { consumerHarness } from '../support/consumer-harness';

const TOPIC = `test.rejoin-records.${randomUUID().slice(0, 8)}`;
const harness = consumerHarness('consumer-rejoin', TOPIC);
const { kafka } = harness;

beforeAll(() => harness.setUp());
afterAll(() => harness.tearDown());

const rejoins = async (): Promise<number> => {
  const text = await metricsRegistry.getSingleMetricAsString('closeloop_consumer_rejoins_total');
  return Number(/closeloop_consumer_rejoins_total(?:\{[^}]*\})? (\d+)/.exec(text)?.[1] ?? 0);
};

/** Blocks the event loop as a long GC pause or a SIGSTOP would: no heartbeat leaves the process. */
const freeze = (ms: number): void => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* paused */
  }
};

describe('a consumer the group forgot while it was paused', () => {
  it('is rebuilt and rejoins by itself; /health/ready says so meanwhile, /health/live stays 200, and the record is handled', async () => {
    const handled: string[] = [];
    let paused = false;
    const server = new KafkaBatchServer({ kafka, producer: harness.producer(), groupId: `rejoin-int-${randomUUID().slice(0, 8)}`, maxBackoffMs: 100 });
    server.addHandler(
      TOPIC,
      async (batch: RawMessageBatch) => {
        if (!paused) {
          paused = true;
          // Longer than the session timeout (10 s): the coordinator evicts the member meanwhile.
          freeze(13_000);
        }
        handled.push(...batch.messages.map((m) => m.value));
      },
      true,
      RAW_MESSAGES,
    );
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve())));
    const app = await harness.healthApp(server);
    const http = request(app.getHttpServer());
    const before = await rejoins();
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(server.consumerHealth().state), 50);
    try {
      await eventually(async () => expect((await http.get('/health/ready')).status).toBe(200), 30000);
      await publish(testKafka(), TOPIC, [{ key: 'r-1', value: 'a record' }]);

      const notReady = await eventually(async () => {
        const response = await http.get('/health/ready');
        expect(response.body.checks?.consumer).toMatch(/^consumer rejoining \(attempt \d+\)/);
        return response;
      }, 40000, 50);
      expect(notReady.status).toBe(503);
      expect((await http.get('/health/live')).status).toBe(200);

      await eventually(async () => {
        expect(server.consumerHealth().state).toBe('running');
        expect((await http.get('/health/ready')).status).toBe(200);
      }, 60000);
      expect(await rejoins()).toBeGreaterThan(before);
      expect(seen.has('crashed')).toBe(false);
      await eventually(() => expect(handled).toContain('a record'), 30000);
    } finally {
      clearInterval(watch);
      await server.close();
      await app.close();
    }
  }, 120000);
});
