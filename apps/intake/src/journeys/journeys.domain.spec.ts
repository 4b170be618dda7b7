import { definitionDocument, type JourneyEscalatedV1, type JourneyFailedV1, JourneyRequestedV1, JourneyRequestSchema, NEW_HIRE_V1, NewHireRequestSchema, type OutcomeConfirmedV1 } from '@closeloop/contracts';

import { acceptRequest, applyAssuranceEvent, applyPreApproval, cancelJourney, duplicateIssues, requestedEvent } from './journeys.domain';

const request = NewHireRequestSchema.parse({
  type: 'new-hire',
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
  groups: ['staff'],
  apps: [{ app: 'asana', role: 'member' }],
  device: { model: 'laptop-14' },
});
const now = new Date('2026-01-01T09:00:00.000Z');
const definition = definitionDocument(NEW_HIRE_V1);
const accepted = acceptRequest({
  request,
  requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
  now,
  idempotencyKey: 'k-1',
  requestHash: 'h',
  definitionVersion: 1,
  definition,
  policy: { policyVersion: 1, rule: 'onboarding-and-moves', control: 'exception-approval', approverGroup: 'onboarding-leads' },
});
const awaiting = acceptRequest({
  request: { ...request, groups: ['prod-admins'] },
  requestId: '3f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
  eventId: '8e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
  now,
  idempotencyKey: null,
  requestHash: 'h2',
  definitionVersion: 1,
  definition,
  policy: { policyVersion: 1, rule: 'privileged-groups', control: 'pre-approval', approverGroup: 'iam-approvers' },
});

describe('acceptRequest', () => {
  it('records the journey as requested and emits a valid journey.requested event keyed by the request', () => {
    expect(accepted.journey).toMatchObject({ status: 'requested', journeyType: 'new-hire', idempotencyKey: 'k-1', definitionVersion: 1 });
    expect(JourneyRequestedV1.schema.parse(accepted.event)).toEqual(accepted.event);
    expect(accepted.event).toMatchObject({ requestId: accepted.journey.requestId, producer: 'intake', payload: { definitionVersion: 1, requestedAt: now.toISOString() } });
    // Every participant runs the journey by the definition it carries.
    expect(accepted.event?.payload.definition).toEqual(definition);
  });

  it('applies the default licence', () => {
    expect(accepted.event?.payload.type === 'new-hire' && accepted.event.payload.apps[0]).toEqual({ app: 'asana', role: 'member', licence: 'standard' });
  });

  it('carries the policy decision in the event', () => {
    expect(accepted.event?.payload.policy).toEqual({ policyVersion: 1, rule: 'onboarding-and-moves', control: 'exception-approval', approverGroup: 'onboarding-leads' });
  });

  it('under pre-action approval, waits for a person and emits nothing', () => {
    expect(awaiting.journey.status).toBe('awaiting-approval');
    expect(awaiting.event).toBeNull();
  });
});

describe('pre-action approval', () => {
  const later = new Date('2026-01-01T10:00:00.000Z');
  it('approved: the journey is requested', () => {
    expect(applyPreApproval(awaiting.journey, true, 'ok', later)?.status).toBe('requested');
  });
  it('rejected: the journey ends rejected with the reason', () => {
    expect(applyPreApproval(awaiting.journey, false, 'rejected by a2: no', later)).toMatchObject({ status: 'rejected', failure: { reason: 'rejected by a2: no' } });
  });
  it('decides only a journey that waits', () => {
    expect(applyPreApproval(accepted.journey, true, 'ok', later)).toBeNull();
  });
  it('a cancel before approval ends it rejected, nothing to compensate', () => {
    expect(cancelJourney(awaiting.journey, later)).toMatchObject({ status: 'rejected', failure: { reason: 'cancelled before approval' } });
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

describe('requestedVia', () => {
  const via = { apiKeyId: '3f9c2a1b4d5e6f70', apiKeyName: 'workday-hr', createdBy: 'admin@acme.test' };

  it('carries the API key a journey was submitted with, and its creator, in journey.requested', () => {
    const viaKey = acceptRequest({
      request,
      requestId: '4f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
      eventId: '9e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
      now,
      idempotencyKey: null,
      requestHash: 'h3',
      definitionVersion: 1,
      definition,
      policy: { policyVersion: 1, rule: 'onboarding-and-moves', control: 'exception-approval', approverGroup: 'onboarding-leads' },
      requestedVia: via,
    });
    expect(viaKey.journey.requestedVia).toEqual(via);
    expect(JourneyRequestedV1.schema.parse(viaKey.event).payload.requestedVia).toEqual(via);
  });

  it('is absent for a journey a person submitted, also when its approval starts it later', () => {
    expect(accepted.event?.payload.requestedVia).toBeUndefined();
    expect(requestedEvent(awaiting.journey, definition, '9e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918', now).payload).not.toHaveProperty('requestedVia');
  });
});

describe('duplicateIssues', () => {
  const subject = { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' };

  it('names a group and an app a new hire lists twice (apps by name, whatever the role)', () => {
    const hire = JourneyRequestSchema.parse({
      type: 'new-hire',
      requestedBy: 'hm',
      subject,
      groups: ['staff', 'sales', 'staff'],
      apps: [{ app: 'slack', role: 'member' }, { app: 'asana', role: 'member' }, { app: 'slack', role: 'admin' }],
      device: { model: 'laptop-14' },
    });
    expect(duplicateIssues(hire)).toEqual([
      { field: 'groups.2', message: 'group staff is listed more than once (first at groups.0): name each group once' },
      { field: 'apps.2', message: 'app slack is listed more than once (first at apps.0): name each app once' },
    ]);
  });

  it('names duplicates in each list of an access change', () => {
    const move = JourneyRequestSchema.parse({
      type: 'access-change',
      requestedBy: 'hm',
      subject,
      remove: { groups: ['sales', 'sales'], apps: ['crm', 'crm'] },
      grant: { groups: ['eng', 'ops', 'eng'], apps: [{ app: 'github', role: 'developer' }, { app: 'github', role: 'maintainer' }] },
    });
    expect(duplicateIssues(move).map((i) => i.field)).toEqual(['remove.groups.1', 'remove.apps.1', 'grant.groups.2', 'grant.apps.1']);
  });

  it('finds nothing in a request that names each once', () => {
    expect(duplicateIssues(request)).toEqual([]);
  });
});
