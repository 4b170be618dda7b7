import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { buildEvent, JourneyRequestedPayloadSchema, JourneyRequestedV1, ownerTopics, SAMPLE_PAYLOADS } from '@closeloop/contracts';
import { KafkaBatchServer } from '@closeloop/messaging';
import { createServiceApp } from '@closeloop/runtime';
import { eventually, publish, sql, testEnv, testKafka, waitForGroupToCatchUp } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { FacilitiesConfigSchema } from '../../src/config/facilities.config';

/** facilities-domain in-process, as main.ts builds it, against the test broker and database. */
const kafka = testKafka('facilities-domain-int');
let app: INestApplication;
/** The events its consumer handed to a handler and committed, as they come. */
const handled: { topic: string; requestId: string }[] = [];

beforeAll(async () => {
  app = await createServiceApp(AppModule.register(parseConfig(FacilitiesConfigSchema, { ...testEnv(), PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
  app.get(KafkaBatchServer).onHandled((topic, events) => handled.push(...events.map((e) => ({ topic, requestId: e.requestId }))));
});

afterAll(async () => {
  await app?.close();
});

describe('facilities-domain', () => {
  it('is ready: PostgreSQL, Kafka and its consumer answer', async () => {
    const response = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it('keeps its tables in its own schema, facilities: the outbox, the inbox and the steps it runs', async () => {
    const tables = await sql<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', ['facilities']);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['outbox_messages', 'inbox_messages', 'journey_steps']));
  });

  it('consumes as closeloop.facilities-domain what the journey definitions say its owner facilities hears of', () => {
    const server = app.get(KafkaBatchServer);
    expect(server.groupId).toBe('closeloop.facilities-domain');
    expect(server.subscribedTopics().sort()).toEqual(ownerTopics('facilities').sort());
  });

  it('consumes journey requests: its handler gets them and its group commits past them', async () => {
    const payload = JourneyRequestedPayloadSchema.parse(SAMPLE_PAYLOADS[JourneyRequestedV1.topic]);
    const event = buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: new Date() });
    await publish(kafka, JourneyRequestedV1.topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
    await eventually(() => expect(handled).toContainEqual({ topic: JourneyRequestedV1.topic, requestId: event.requestId }), 30000, 200);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitForGroupToCatchUp(admin, 'closeloop.facilities-domain', [JourneyRequestedV1.topic]);
    } finally {
      await admin.disconnect();
    }
  });
});
