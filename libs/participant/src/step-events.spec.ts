import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1 } from '@closeloop/contracts';

import { requestAsks } from './step-asks';
import { causedEvent, compensatedEvent, outcomeEvent, outcomeEvents, stamp } from './step-events';
import { failed, verified } from './step-result';
import { ACCOUNT_STEP, AT, newHire, retryOf } from './test-events.fake';


const identity = { eventId: '00000000-0000-4000-8000-000000000001', occurredAt: AT };
const source = { clock: { now: () => AT }, ids: { next: () => identity.eventId } };

describe('step events', () => {
  it('reports a verified result with its evidence, caused by the request, keyed by the journey', () => {
    const hire = newHire('E7');
    const out = outcomeEvent(ACCOUNT_STEP, hire, hire.payload, verified({ accountId: 'u-E7' }), source);
    expect(out).toMatchObject({ topic: AccountVerifiedV1.topic, key: hire.requestId });
    expect(AccountVerifiedV1.schema.parse(out.event)).toMatchObject({
      eventId: identity.eventId,
      causationId: hire.eventId,
      producer: 'identity-domain',
      payload: { accountId: 'u-E7', employeeId: 'E7', enabled: true, groups: ['staff'], verifiedAt: AT.toISOString() },
    });
  });

  it('reports a failed result with the step, the code, the reason and the attempt the cause asked for', () => {
    const hire = newHire();
    const out = outcomeEvent(ACCOUNT_STEP, retryOf(hire, 3), hire.payload, failed('VERIFICATION_MISMATCH', 'read-back disagrees'), source);
    expect(out.topic).toBe(AccountFailedV1.topic);
    expect(AccountFailedV1.schema.parse(out.event).payload).toEqual({ step: 'identity', attempt: 3, code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees', failedAt: AT.toISOString() });
    expect(outcomeEvent(ACCOUNT_STEP, hire, hire.payload, failed('PROVISIONING_FAILED', 'no'), source, 2).event.payload).toMatchObject({ attempt: 2 });
  });

  it('confirms an undo with the step and what was undone', () => {
    const hire = newHire();
    const out = compensatedEvent(ACCOUNT_STEP, hire, 'account disabled', source);
    expect(out.topic).toBe(AccountCompensatedV1.topic);
    expect(AccountCompensatedV1.schema.parse(out.event).payload).toEqual({ step: 'identity', undone: 'account disabled', compensatedAt: AT.toISOString() });
  });

  it('stamps each event with a new id and the clock’s time', () => {
    let n = 0;
    const ports = { clock: { now: () => AT }, ids: { next: () => `id-${(n += 1)}` } };
    expect([stamp(ports), stamp(ports)]).toEqual([
      { eventId: 'id-1', occurredAt: AT },
      { eventId: 'id-2', occurredAt: AT },
    ]);
    expect(causedEvent(AccountCompensatedV1, newHire(), 'me', { step: 's', undone: 'u', compensatedAt: AT.toISOString() }, identity).event.producer).toBe('me');
  });

  it('reports each attempt made on a request, caused by its ask, with the request as the subject', () => {
    const [a, b] = [newHire('A'), newHire('B')];
    const attempts = requestAsks([a, b]).map((ask, i) => ({ ask, result: i === 0 ? verified({ accountId: 'u-A' }) : failed('PROVISIONING_FAILED', 'refused') }));
    const out = outcomeEvents(ACCOUNT_STEP, attempts, source);
    expect(out.map((e) => [e.topic, e.event.causationId])).toEqual([
      [AccountVerifiedV1.topic, a.eventId],
      [AccountFailedV1.topic, b.eventId],
    ]);
    expect(out[0]?.event.payload).toMatchObject({ employeeId: 'A' });
  });
});
