import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { AccountVerifiedV1, buildEvent, CompensationRequestedV1, type JourneyRequestedPayload, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, publish, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';

import { AppModule } from '../../src/app.module';
import { IdentityConfigSchema } from '../../src/config/identity.config';

/*
 * The identity service in-process on Kafka and PostgreSQL, and the journey events its
 * integration specs publish and wait for.
 */

export const kafka = testKafka('identity-journeys-int');

/** The running service, and an admin's headers for the simulator's fault switch (a token of the test identity provider). */
export interface IdentityService {
  readonly app: INestApplication;
  readonly admin: { authorization: string };
}

/** Starts the service before the spec's tests and stops it after them; what it returns is filled in once started. */
export const useIdentityService = (): IdentityService => {
  const service = {} as { app: INestApplication; admin: { authorization: string } };
  let idp: TestIdentityProvider | undefined;
  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    service.admin = await idp.headers({ sub: 'simulator-admin@acme.test', roles: ['admin'] });
    service.app = await createServiceApp(AppModule.register(parseConfig(IdentityConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
    await service.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await idp?.stop();
    await service.app?.close();
  });
  return service;
};

export const subject = (employeeId: string) => ({ employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId });
export const newEmployee = () => `E-${randomUUID().slice(0, 8)}`;
export const meta = () => ({ definitionVersion: 1, requestedAt: new Date().toISOString() });

export const requested = (payload: JourneyRequestedPayload) =>
  buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: new Date() });
export type Requested = ReturnType<typeof requested>;

export const send = async (topic: string, event: { requestId: string }) => publish(kafka, topic, [{ key: event.requestId, value: JSON.stringify(event) }]);
export const first = async (topic: string, requestId: string) =>
  (await consumeUntil(kafka, topic, (m) => m.message.key?.toString() === requestId))[0]?.value as { eventId: string; payload: Record<string, unknown> };

export const groupsOf = async (employeeId: string) =>
  (
    await sql<{ group_name: string }>(
      'SELECT m.group_name FROM identity.sim_directory_group_members m JOIN identity.sim_directory_users u USING (account_id) WHERE u.employee_id = $1 ORDER BY 1',
      [employeeId],
    )
  ).map((r) => r.group_name);
export const accountOf = async (employeeId: string) => (await sql<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]))[0];

/** The subject's account, created the way it is in production: by an onboarding journey. */
export const newHire = (employeeId: string, groups: string[]) =>
  requested({ type: 'new-hire', requestedBy: 'manager@acme.test', subject: subject(employeeId), groups, apps: [{ app: 'asana', role: 'member', licence: 'standard' }], device: { model: 'laptop-14' }, ...meta() });
export const onboard = async (employeeId: string, groups: string[]) => {
  const event = newHire(employeeId, groups);
  await send(JourneyRequestedV1.topic, event);
  await first(AccountVerifiedV1.topic, event.requestId);
  return event;
};

export const retryOf = (of: Requested, step: string, attempt: number) =>
  buildEvent(
    StepRetryRequestedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' },
    { step, owner: 'identity', attempt, reason: 'STEP_FAILED', request: of.payload, evidence: {} },
    { eventId: randomUUID(), occurredAt: new Date() },
  );
export const compensationOf = (of: Requested, step: string) =>
  buildEvent(
    CompensationRequestedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' },
    { step, owner: 'identity', attempt: 1, reason: 'failed by ops-ada: abandoned', request: of.payload, evidence: {} },
    { eventId: randomUUID(), occurredAt: new Date() },
  );
