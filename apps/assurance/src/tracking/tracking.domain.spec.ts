import {
  AccessVerifiedV1,
  AccountFailedV1,
  AccountVerifiedV1,
  buildEvent,
  ComplianceVerifiedV1,
  type EventContract,
  type EventEnvelope,
  JourneyRequestedV1,
  type PayloadOf,
} from '@closeloop/contracts';

import { judge, newJourney, observe, type TrackedJourney } from './tracking.domain';

const REQUEST = '0b8f3c2e-6a0e-4d0b-9a43-3c6a3e7e2f10';
let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, s));
const event = <C extends EventContract>(contract: C, payload: PayloadOf<C>, second: number): EventEnvelope =>
  buildEvent(contract, { requestId: REQUEST, journeyType: 'new-hire', producer: 'test' }, payload, {
    eventId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    occurredAt: at(second),
  });

const requested = () =>
  event(
    JourneyRequestedV1,
    {
      type: 'new-hire',
      requestedBy: 'm',
      subject: { employeeId: 'E1', email: 'e1@x.test', displayName: 'E' },
      groups: ['staff'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: at(0).toISOString(),
    },
    0,
  );
const account = () => event(AccountVerifiedV1, { accountId: 'u-E1', employeeId: 'E1', enabled: true, groups: ['staff'], verifiedAt: at(1).toISOString() }, 1);
const access = () =>
  event(AccessVerifiedV1, { accountId: 'u-E1', grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: at(2).toISOString() }, 2);
const device = () =>
  event(ComplianceVerifiedV1, { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', enrolled: true, compliant: true, checkedAt: at(3).toISOString() }, 3);
const accountFailed = () => event(AccountFailedV1, { step: 'identity', code: 'VERIFICATION_MISMATCH', reason: 'disabled', failedAt: at(1).toISOString() }, 1);

/** Given these events, in this order: the journey and every verdict reached along the way. */
const given = (...events: EventEnvelope[]) => {
  let journey: TrackedJourney = newJourney(REQUEST, 'new-hire');
  const verdicts: string[] = [];
  for (const e of events) {
    const judged = judge(observe(journey, e), at(10));
    journey = judged.journey;
    if (judged.verdict) verdicts.push(judged.verdict.kind);
  }
  return { journey, verdicts };
};

describe('new-hire journey tracking', () => {
  it('is confirmed once every verification signal of the definition of done has arrived', () => {
    const { journey, verdicts } = given(requested(), account(), access(), device());
    expect(verdicts).toEqual(['confirmed']);
    expect(journey.status).toBe('confirmed');
  });

  it('is not confirmed while a signal is missing', () => {
    expect(given(requested(), account(), device()).verdicts).toEqual([]);
  });

  it('reaches the same verdict whatever order the events arrive in', () => {
    const events = { requested: requested(), account: account(), access: access(), device: device() };
    const a = given(events.device, events.access, events.account, events.requested);
    const b = given(events.requested, events.account, events.access, events.device);
    expect(a.verdicts).toEqual(['confirmed']);
    expect(a.journey).toEqual(b.journey);
  });

  it('ignores a signal delivered twice and confirms only once', () => {
    const acc = account();
    const { verdicts } = given(requested(), acc, acc, access(), device(), device());
    expect(verdicts).toEqual(['confirmed']);
  });

  it('computes the outcome record from the request time to the confirmation', () => {
    let journey = newJourney(REQUEST, 'new-hire');
    for (const e of [requested(), account(), access()]) journey = observe(journey, e);
    const { verdict } = judge(observe(journey, device()), at(7));
    expect(verdict).toMatchObject({
      kind: 'confirmed',
      outcome: { definitionVersion: 1, startedAt: at(0).toISOString(), confirmedAt: at(7).toISOString(), durationMs: 7000 },
    });
    if (verdict?.kind !== 'confirmed') throw new Error('expected a confirmation');
    expect(verdict.outcome.signals.map((s) => s.signal)).toEqual([AccountVerifiedV1.topic, AccessVerifiedV1.topic, ComplianceVerifiedV1.topic]);
  });

  it('fails at the first failed step, once, and is never confirmed afterwards', () => {
    const { journey, verdicts } = given(requested(), accountFailed(), access(), device(), account());
    expect(verdicts).toEqual(['failed']);
    expect(journey.status).toBe('failed');
    expect(journey.failures[0]).toMatchObject({ step: 'identity', code: 'VERIFICATION_MISMATCH' });
  });
});
