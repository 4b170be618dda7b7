import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { AccountFailedV1, AccountVerifiedV1, buildEvent, deadLetterTopic, JourneyRequestedV1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, publish, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { IdentityConfigSchema } from '../../src/config/identity.config';

const kafka = testKafka('identity-int');
let app: INestApplication;
/** The simulator's fault switch is an admin's: a token of the test identity provider. */
let idp: TestIdentityProvider;
let admin: { authorization: string };

const requested = (employeeId: string) => {
  const requestId = randomUUID();
  const now = new Date();
  return buildEvent(
    JourneyRequestedV1,
    { requestId, journeyType: 'new-hire', producer: 'intake' },
    {
      type: 'new-hire',
      requestedBy: 'manager@acme.test',
      subject: { employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId },
      groups: ['staff', 'engineering'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: now.toISOString(),
    },
    { eventId: randomUUID(), occurredAt: now },
  );
};

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: 'simulator-admin@acme.test', roles: ['admin'] });
  app = await createServiceApp(AppModule.register(parseConfig(IdentityConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await idp?.stop();
  await app?.close();
});

describe('identity provisioning', () => {
  it('creates the account with its groups, reads it back, and reports it verified once', async () => {
    const event = requested(`E-${randomUUID().slice(0, 8)}`);
    await publish(kafka, JourneyRequestedV1.topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
    const [verified] = await consumeUntil(kafka, AccountVerifiedV1.topic, (m) => m.message.key?.toString() === event.requestId);
    expect(verified?.value).toMatchObject({ causationId: event.eventId, payload: { enabled: true, groups: ['staff', 'engineering'], employeeId: event.payload.subject.employeeId } });
    const members = await sql('SELECT group_name FROM identity.sim_directory_group_members WHERE account_id = $1 ORDER BY group_name', [`u-${event.payload.subject.employeeId}`]);
    expect(members.map((m) => m['group_name'])).toEqual(['engineering', 'staff']);
  });

  it('reports a failure with the reason when the directory says yes but the read-back disagrees', async () => {
    const employeeId = `E-${randomUUID().slice(0, 8)}`;
    await request(app.getHttpServer()).put('/simulator/faults').set(admin).send({ readBackDisagrees: true, onlyFor: [employeeId] }).expect(200);
    try {
      const event = requested(employeeId);
      await publish(kafka, JourneyRequestedV1.topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
      const [failed] = await consumeUntil(kafka, AccountFailedV1.topic, (m) => m.message.key?.toString() === event.requestId);
      expect(failed?.value).toMatchObject({ payload: { step: 'identity', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the account is disabled' } });
    } finally {
      await request(app.getHttpServer()).put('/simulator/faults').set(admin).send({}).expect(200);
    }
  });

  it('rejects invalid fault settings with 400', async () => {
    const response = await request(app.getHttpServer()).put('/simulator/faults').set(admin).send({ latencyMs: -1, surprise: true }).expect(400);
    expect(response.body.message).toContain('latencyMs');
  });

  it('dead-letters a request of a definition version nobody tracks, with the reason, and creates nothing', async () => {
    const employeeId = `E-${randomUUID().slice(0, 8)}`;
    const live = requested(employeeId);
    const untracked = { ...live, payload: { ...live.payload, definitionVersion: 42 } };
    await publish(kafka, JourneyRequestedV1.topic, [{ key: untracked.requestId, value: JSON.stringify(untracked) }]);
    const [dead] = await consumeUntil(kafka, deadLetterTopic(JourneyRequestedV1.topic), (m) => m.message.key?.toString() === untracked.requestId);
    expect(dead?.message.headers?.['dlq-reason']?.toString()).toContain(`journey ${untracked.requestId} is a new-hire of definition v42, which it does not carry and which is not a shipped definition`);
    expect(await sql('SELECT 1 FROM identity.accounts WHERE employee_id = $1', [employeeId])).toHaveLength(0);
  });
});
