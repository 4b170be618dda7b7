import { randomUUID } from 'node:crypto';

import { buildEvent, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';

import { TerminalError } from './errors';
import { refuseUntrackedDefinitions } from './tracked-definitions';

const request = (definitionVersion: number) => ({
  type: 'new-hire' as const,
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
  groups: [],
  apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
  device: { model: 'laptop-14' },
  definitionVersion,
  requestedAt: new Date().toISOString(),
});
const meta = () => ({ requestId: randomUUID(), journeyType: 'new-hire' as const, producer: 'test' });
const identity = () => ({ eventId: randomUUID(), occurredAt: new Date() });

describe('refuseUntrackedDefinitions', () => {
  it('passes requests, retries and compensations of live definitions', () => {
    const events = [
      buildEvent(JourneyRequestedV1, meta(), request(1), identity()),
      buildEvent(StepRetryRequestedV1, meta(), { step: 'identity', owner: 'identity', attempt: 2, reason: 'STEP_FAILED', request: request(1), evidence: {} }, identity()),
    ];
    expect(refuseUntrackedDefinitions(events)).toBe(events);
  });

  it('throws a terminal error naming the journey and the version nobody tracks, for a request or a retry carrying one', () => {
    const unknown = buildEvent(JourneyRequestedV1, meta(), request(99), identity());
    expect(() => refuseUntrackedDefinitions([unknown])).toThrow(TerminalError);
    expect(() => refuseUntrackedDefinitions([unknown])).toThrow(`journey ${unknown.requestId} is a new-hire of definition v99, which it does not carry and which is not a shipped definition`);
    const retry = buildEvent(StepRetryRequestedV1, meta(), { step: 'identity', owner: 'identity', attempt: 2, reason: 'STEP_FAILED', request: request(7), evidence: {} }, identity());
    expect(() => refuseUntrackedDefinitions([retry])).toThrow('definition v7');
  });
});
