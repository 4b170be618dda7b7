import { randomUUID } from 'node:crypto';

import { buildEvent, ComplianceFailedV1, type EventContract, type EventEnvelope, JourneyRequestedV1, type PayloadOf } from '@closeloop/contracts';
import { eventually, publish } from '@closeloop/testing';

import { sendJson } from './http-client';
import type { SecurityContext } from './service-context';

export interface EscalatedJourney {
  readonly requestId: string;
  readonly employeeId: string;
  readonly requestedBy: string;
  readonly keyCreator: string;
}

const event = <C extends EventContract>(contract: C, requestId: string, payload: PayloadOf<C>): EventEnvelope =>
  buildEvent(contract, { requestId, journeyType: 'new-hire', producer: 'security-test' }, payload, { eventId: randomUUID(), occurredAt: new Date() });

/**
 * A new hire requested with an API key whose device step fails on every attempt: assurance (the
 * running service) retries it and then escalates it to the work queue. Resolves once it is there.
 */
export const escalatedJourney = async (ctx: SecurityContext): Promise<EscalatedJourney> => {
  const requestId = randomUUID();
  const employeeId = `E-${randomUUID().slice(0, 8)}`;
  const journey = { requestId, employeeId, requestedBy: `requester.${employeeId.toLowerCase()}@acme.test`, keyCreator: `key.admin.${employeeId.toLowerCase()}@acme.test` };
  const send = (e: EventEnvelope) => publish(ctx.kafka, `${e.eventType}.v${e.version}`, [{ key: e.requestId, value: JSON.stringify(e) }]);
  await send(
    event(JourneyRequestedV1, requestId, {
      type: 'new-hire',
      requestedBy: journey.requestedBy,
      requestedVia: { apiKeyId: '0123456789abcdef', apiKeyName: 'hr-feed', createdBy: journey.keyCreator },
      subject: { employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId },
      groups: ['staff'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: new Date().toISOString(),
    }),
  );
  const auditor = await ctx.as('security.auditor@acme.test', ['auditor']);
  const seen = () => sendJson(ctx.svc.url, 'GET', `/journeys/${requestId}`, undefined, auditor);
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await eventually(async () => expect((await seen()).json?.steps?.device?.attempt).toBe(attempt), 30000);
    await send(event(ComplianceFailedV1, requestId, { step: 'device', attempt, code: 'NOT_COMPLIANT', reason: 'disk not encrypted', failedAt: new Date().toISOString() }));
  }
  await eventually(async () => expect((await seen()).json?.status).toBe('escalated'), 30000);
  return journey;
};
