import { type JourneyEscalatedV1, type JourneyFailedV1, JourneyRequestedV1, NewHireRequestSchema, type OutcomeConfirmedV1 } from '@closeloop/contracts';

import { acceptRequest, applyAssuranceEvent } from './journeys.domain';

const request = NewHireRequestSchema.parse({
  type: 'new-hire',
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
  groups: ['staff'],
  apps: [{ app: 'asana', role: 'member' }],
  device: { model: 'laptop-14' },
});
const now = new Date('2026-01-01T09:00:00.000Z');
const accepted = acceptRequest({
  request,
  requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
  now,
  idempotencyKey: 'k-1',
  requestHash: 'h',
  definitionVersion: 1,
});

describe('acceptRequest', () => {
  it('records the journey as requested and emits a valid journey.requested event keyed by the request', () => {
    expect(accepted.journey).toMatchObject({ status: 'requested', journeyType: 'new-hire', idempotencyKey: 'k-1', definitionVersion: 1 });
    expect(JourneyRequestedV1.schema.parse(accepted.event)).toEqual(accepted.event);
    expect(accepted.event).toMatchObject({ requestId: accepted.journey.requestId, producer: 'intake', payload: { definitionVersion: 1, requestedAt: now.toISOString() } });
  });

  it('applies the default licence', () => {
    expect(accepted.event.payload.type === "new-hire" && accepted.event.payload.apps[0]).toEqual({ app: 'asana', role: 'member', licence: 'standard' });
  });
});

describe('applyAssuranceEvent', () => {
  const confirmed = { eventType: 'assurance.outcome.confirmed', payload: { durationMs: 5 } } as unknown as OutcomeConfirmedV1;
  const failed = { eventType: 'assurance.journey.failed', payload: { step: 'saas' } } as unknown as JourneyFailedV1;
  const later = new Date('2026-01-01T09:00:05.000Z');

  it('marks the journey confirmed with its outcome', () => {
    expect(applyAssuranceEvent(accepted.journey, confirmed, later)).toMatchObject({ status: 'confirmed', outcome: { durationMs: 5 }, updatedAt: later });
  });

  it('marks it failed with the failure', () => {
    expect(applyAssuranceEvent(accepted.journey, failed, later)).toMatchObject({ status: 'failed', failure: { step: 'saas' } });
  });

  it('shows an escalation, which a later confirmation still overrides', () => {
    const escalated = { eventType: 'assurance.journey.escalated', payload: { step: 'identity', attempts: 3 } } as unknown as JourneyEscalatedV1;
    const open = applyAssuranceEvent(accepted.journey, escalated, later);
    expect(open).toMatchObject({ status: 'escalated', failure: { step: 'identity' } });
    expect(open && applyAssuranceEvent(open, confirmed, later)).toMatchObject({ status: 'confirmed' });
  });

  it('never downgrades a confirmed journey, nor fails one twice', () => {
    const done = applyAssuranceEvent(accepted.journey, confirmed, later);
    expect(done && applyAssuranceEvent(done, failed, later)).toBeNull();
    const broken = applyAssuranceEvent(accepted.journey, failed, later);
    expect(broken && applyAssuranceEvent(broken, failed, later)).toBeNull();
  });
});
