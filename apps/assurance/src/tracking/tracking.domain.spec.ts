import {
  AccessCompensatedV1,
  AccessVerifiedV1,
  AccountCompensatedV1,
  AccountFailedV1,
  AccountVerifiedV1,
  ApprovalDecidedV1,
  AssignmentCompensatedV1,
  buildEvent,
  ComplianceVerifiedV1,
  definitionDocument,
  type EventContract,
  type EventEnvelope,
  JourneyCancelRequestedV1,
  type JourneyDefinitionDocument,
  JourneyRequestedV1,
  NEW_HIRE_V1,
  type PayloadOf,
} from '@closeloop/contracts';

import { type Circumstances, type Emission, newJourney, nextDueAt, observe, resolveEscalation, tick, type TrackedJourney } from './tracking.domain';

const REQUEST = '0b8f3c2e-6a0e-4d0b-9a43-3c6a3e7e2f10';
let seq = 0;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 9, 0, s));
const event = <C extends EventContract>(contract: C, payload: PayloadOf<C>, second: number): EventEnvelope =>
  buildEvent(contract, { requestId: REQUEST, journeyType: 'new-hire', producer: 'test' }, payload, {
    eventId: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    occurredAt: at(second),
  });

const requested = (definition?: JourneyDefinitionDocument) =>
  event(
    JourneyRequestedV1,
    {
      type: 'new-hire',
      requestedBy: 'm',
      subject: { employeeId: 'E1', email: 'e1@x.test', displayName: 'E' },
      groups: ['staff'],
      apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
      device: { model: 'laptop-14' },
      definitionVersion: definition?.version ?? 1,
      ...(definition ? { definition } : {}),
      requestedAt: at(0).toISOString(),
    },
    0,
  );
const account = () => event(AccountVerifiedV1, { accountId: 'u-E1', employeeId: 'E1', enabled: true, groups: ['staff'], verifiedAt: at(1).toISOString() }, 1);
const access = () =>
  event(AccessVerifiedV1, { accountId: 'u-E1', grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: at(2).toISOString() }, 2);
const device = () =>
  event(ComplianceVerifiedV1, { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', enrolled: true, compliant: true, checkedAt: at(3).toISOString() }, 3);
const accountFailed = (second = 1, attempt = 1) =>
  event(AccountFailedV1, { step: 'identity', attempt, code: 'VERIFICATION_MISMATCH', reason: 'disabled', failedAt: at(second).toISOString() }, second);

const when = (second: number): Circumstances => ({ now: at(second), random: () => 0.5 });

/** Given these events, in this order, each observed at second 10: the journey and everything emitted. */
const given = (...events: EventEnvelope[]) => {
  let journey: TrackedJourney = newJourney(REQUEST, 'new-hire');
  const emitted: Emission[] = [];
  for (const e of events) {
    const decision = observe(journey, e, when(10));
    journey = decision.journey;
    emitted.push(...decision.emissions);
  }
  return { journey, emitted, kinds: emitted.map((e) => e.kind) };
};

describe('new-hire journey tracking', () => {
  it('is confirmed once every verification signal of the definition of done has arrived', () => {
    const { journey, kinds } = given(requested(), account(), access(), device());
    expect(kinds).toEqual(['confirmed']);
    expect(journey.status).toBe('confirmed');
    expect(nextDueAt(journey)).toBeNull();
  });

  it('is not confirmed while a signal is missing', () => {
    expect(given(requested(), account(), device()).kinds).toEqual([]);
  });

  it('reaches the same verdict whatever order the events arrive in', () => {
    const events = { requested: requested(), account: account(), access: access(), device: device() };
    const a = given(events.device, events.access, events.account, events.requested);
    const b = given(events.requested, events.account, events.access, events.device);
    expect(a.kinds).toEqual(['confirmed']);
    expect(a.journey.signals).toEqual(b.journey.signals);
    expect(a.journey.status).toBe(b.journey.status);
  });

  it('ignores a signal delivered twice and confirms only once', () => {
    const acc = account();
    const dev = device();
    expect(given(requested(), acc, acc, access(), dev, dev).kinds).toEqual(['confirmed']);
  });

  it('computes the outcome record from the request time to the confirmation', () => {
    let journey = newJourney(REQUEST, 'new-hire');
    for (const e of [requested(), account(), access()]) journey = observe(journey, e, when(5)).journey;
    const [verdict] = observe(journey, device(), when(7)).emissions;
    expect(verdict).toMatchObject({
      kind: 'confirmed',
      outcome: { definitionVersion: 1, startedAt: at(0).toISOString(), confirmedAt: at(7).toISOString(), durationMs: 7000 },
    });
    if (verdict?.kind !== 'confirmed') throw new Error('expected a confirmation');
    expect(verdict.outcome.signals.map((s) => s.signal)).toEqual([AccountVerifiedV1.topic, AccessVerifiedV1.topic, ComplianceVerifiedV1.topic]);
  });
});

describe('deadlines, retries and escalation', () => {
  it('starts a step\'s deadline only when the steps before it are verified', () => {
    const started = given(requested()).journey;
    expect(started.steps['identity']).toMatchObject({ status: 'open', attempt: 1, dueAt: at(25).toISOString() });
    expect(started.steps['saas']).toMatchObject({ status: 'waiting', dueAt: null });
    const afterIdentity = observe(started, account(), when(12)).journey;
    expect(afterIdentity.steps['saas']).toMatchObject({ status: 'open', dueAt: at(27).toISOString() });
    expect(nextDueAt(afterIdentity)).toBe(at(25).toISOString());
  });

  it('retries a failed verification after the backoff, with the attempt number', () => {
    const failed = given(requested(), accountFailed()).journey;
    // backoff 500 ms with 20% jitter; random 0.5 -> 450 ms
    expect(failed.steps['identity']).toMatchObject({ status: 'retrying', attempt: 1, dueAt: new Date(at(10).getTime() + 450).toISOString() });
    expect(tick(failed, when(10)).emissions).toEqual([]);
    const retried = tick(failed, when(11));
    expect(retried.emissions).toEqual([{ kind: 'retry', step: 'identity', owner: 'identity', attempt: 2, reason: 'STEP_FAILED' }]);
    expect(retried.journey.steps['identity']).toMatchObject({ status: 'open', attempt: 2, dueAt: at(26).toISOString() });
  });

  it('escalates with the whole history once the last attempt failed, and a late verified outcome still confirms', () => {
    let journey = given(requested()).journey;
    const emitted: Emission[] = [];
    for (const second of [1, 2, 3]) {
      const failed = observe(journey, accountFailed(second, second), when(second + 10));
      journey = tick(failed.journey, when(second + 11)).journey;
      emitted.push(...failed.emissions);
    }
    const escalation = emitted.find((e) => e.kind === 'escalated');
    expect(escalation).toMatchObject({ kind: 'escalated', step: 'identity', attempts: 3, escalateTo: 'iam-operations', reason: 'VERIFICATION_MISMATCH: disabled' });
    if (escalation?.kind !== 'escalated') throw new Error('expected an escalation');
    expect(escalation.history.map((h) => h.what)).toEqual(['requested', 'identity attempt 1 failed', 'identity attempt 2 failed', 'identity attempt 3 failed']);
    expect(journey.status).toBe('escalated');
    expect(journey.steps['identity']?.status).toBe('escalated');

    let fixed = journey;
    for (const e of [account(), access(), device()]) fixed = observe(fixed, e, when(40)).journey;
    expect(fixed.status).toBe('confirmed');
  });

  it('detects a stalled step at its deadline, then asks for another attempt', () => {
    const withIdentity = given(requested(), account(), device()).journey;
    const saasDue = withIdentity.steps['saas']?.dueAt as string;
    expect(tick(withIdentity, { now: new Date(Date.parse(saasDue) - 1), random: () => 0.5 }).emissions).toEqual([]);
    const stalled = tick(withIdentity, { now: new Date(saasDue), random: () => 0.5 });
    expect(stalled.emissions).toEqual([{ kind: 'stalled', step: 'saas', attempt: 1, deadlineAt: saasDue }]);
    const retried = tick(stalled.journey, { now: new Date(Date.parse(saasDue) + 1000), random: () => 0.5 });
    expect(retried.emissions).toEqual([{ kind: 'retry', step: 'saas', owner: 'saas', attempt: 2, reason: 'DEADLINE_MISSED' }]);
    const confirmed = observe(retried.journey, access(), { now: new Date(Date.parse(saasDue) + 2000), random: () => 0.5 });
    expect(confirmed.emissions.map((e) => e.kind)).toEqual(['confirmed']);
  });

  it('does not let a late failure of an earlier attempt end the attempt now running', () => {
    const failed = given(requested(), accountFailed(1, 1)).journey;
    const second = tick(failed, when(11)).journey;
    expect(second.steps['identity']).toMatchObject({ status: 'open', attempt: 2 });
    const late = observe(second, accountFailed(2, 1), when(12));
    expect(late.journey.steps['identity']).toMatchObject({ status: 'open', attempt: 2 });
    expect(late.journey.failures).toHaveLength(2);
  });

  it('retries a step whose failure report overtook the request, without waiting for its deadline', () => {
    const { journey } = given(accountFailed(), requested());
    expect(journey.steps['identity']).toMatchObject({ status: 'retrying', attempt: 1, lastEnd: 'STEP_FAILED' });
    expect(tick(journey, when(11)).emissions).toEqual([{ kind: 'retry', step: 'identity', owner: 'identity', attempt: 2, reason: 'STEP_FAILED' }]);
  });

  it('ignores a failure report of a step that is no longer open', () => {
    const { journey, kinds } = given(requested(), account(), accountFailed());
    expect(kinds).toEqual([]);
    expect(journey.steps['identity']?.status).toBe('verified');
  });
});

describe('operators resolving an escalated journey', () => {
  const escalatedJourney = () => {
    let journey = given(requested(), device()).journey;
    for (const second of [1, 2, 3]) journey = tick(observe(journey, accountFailed(second, second), when(second + 10)).journey, when(second + 11)).journey;
    expect(journey.status).toBe('escalated');
    return journey;
  };

  it('retry now: the step gets another attempt and a retry request with the operator as the reason', () => {
    const decided = resolveEscalation(escalatedJourney(), 'ops-1', { kind: 'retry' }, when(20));
    if (decided === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(decided.journey.status).toBe('open');
    expect(decided.journey.steps['identity']).toMatchObject({ status: 'open', attempt: 4 });
    expect(decided.emissions).toEqual([{ kind: 'retry', step: 'identity', owner: 'identity', attempt: 4, reason: 'OPERATOR' }]);
  });

  it('fixed by hand: the evidence becomes the verification signal, and the journey goes on', () => {
    const decided = resolveEscalation(escalatedJourney(), 'ops-1', { kind: 'fixed', evidence: { ticket: 'INC-1' }, signalId: '00000000-0000-4000-8000-00000000ffff' }, when(20));
    if (decided === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(decided.journey.signals[AccountVerifiedV1.topic]?.evidence).toEqual({ ticket: 'INC-1', fixedBy: 'ops-1', manual: true });
    expect(decided.journey.steps['saas']).toMatchObject({ status: 'open' });
    const confirmed = observe(decided.journey, access(), when(21));
    expect(confirmed.emissions.map((e) => e.kind)).toEqual(['confirmed']);
  });

  it('fail: the journey fails, its started steps are compensated, and nothing confirms it later', () => {
    const decided = resolveEscalation(escalatedJourney(), 'ops-1', { kind: 'fail', reason: 'hire withdrawn' }, when(20));
    if (decided === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(decided.emissions).toEqual([
      { kind: 'failed', step: 'identity', reason: 'hire withdrawn' },
      { kind: 'compensate', step: 'device', owner: 'device', attempt: 1, reason: 'failed by ops-1: hire withdrawn' },
    ]);
    expect(decided.journey.status).toBe('compensating');
    let after = decided.journey;
    for (const e of [account(), access()]) after = observe(after, e, when(30)).journey;
    expect(after.status).toBe('compensating');
  });

  it('refuses a journey that is not escalated', () => {
    expect(resolveEscalation(given(requested()).journey, 'ops-1', { kind: 'retry' }, when(20))).toBe('NOT_ESCALATED');
  });
});

describe('compensation', () => {
  const undone = (contract: EventContract, step: string) => event(contract, { step, undone: `${step} undone`, compensatedAt: at(30).toISOString() } as never, 30);
  const cancel = () => event(JourneyCancelRequestedV1, { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' }, 20);

  it('undoes every started step one at a time, in reverse order, and ends compensated when all are confirmed', () => {
    const inFlight = given(requested(), account(), device()).journey; // saas open, identity and device verified
    let decision = observe(inFlight, cancel(), when(20));
    expect(decision.journey.status).toBe('compensating');
    expect(decision.emissions).toEqual([{ kind: 'compensate', step: 'device', owner: 'device', attempt: 1, reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
    expect(nextDueAt(decision.journey)).toBe(at(35).toISOString());
    const order: string[] = ['device'];
    for (const [contract, step] of [
      [AssignmentCompensatedV1, 'device'],
      [AccessCompensatedV1, 'saas'],
      [AccountCompensatedV1, 'identity'],
    ] as const) {
      decision = observe(decision.journey, undone(contract, step), when(31));
      for (const e of decision.emissions) if (e.kind === 'compensate') order.push(e.step);
    }
    expect(order).toEqual(['device', 'saas', 'identity']);
    expect(decision.emissions).toEqual([{ kind: 'compensated', steps: ['device', 'saas', 'identity'], reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
    expect(decision.journey.status).toBe('compensated');
    expect(nextDueAt(decision.journey)).toBeNull();
    expect(observe(decision.journey, access(), when(40)).emissions).toEqual([]);
  });

  it('asks again when a compensation misses its deadline, then escalates it', () => {
    let journey = observe(given(requested(), account()).journey, cancel(), when(20)).journey;
    const kinds: string[] = [];
    for (const second of [36, 52, 68]) {
      const decision = tick(journey, when(second));
      journey = decision.journey;
      kinds.push(...decision.emissions.map((e) => (e.kind === 'compensate' ? `compensate ${e.step} #${e.attempt}` : `${e.kind} ${'step' in e ? e.step : ''}`)));
    }
    // device was started (its attempt open) too: it is undone first, and it is the one that hangs here
    expect(kinds).toEqual([
      'stalled compensate:device',
      'compensate device #2',
      'stalled compensate:device',
      'compensate device #3',
      'stalled compensate:device',
      'escalated compensate:device',
    ]);
    expect(journey.status).toBe('escalated'); // in the work queue, for a person
    expect(nextDueAt(journey)).toBeNull();
    expect(resolveEscalation(journey, 'ops-1', { kind: 'fail', reason: 'x' }, when(70))).toBe('NOT_ESCALATED');
    const retried = resolveEscalation(journey, 'ops-1', { kind: 'retry' }, when(70));
    if (retried === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(retried.journey.status).toBe('compensating');
    expect(retried.emissions).toEqual([{ kind: 'compensate', step: 'device', owner: 'device', attempt: 4, reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
    const done = resolveEscalation(journey, 'ops-1', { kind: 'fixed', evidence: { released: 'by hand' }, signalId: 'x' }, when(70));
    if (done === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(done.emissions).toEqual([{ kind: 'compensate', step: 'saas', owner: 'saas', attempt: 1, reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
    expect(done.journey.status).toBe('compensating');
  });

  it('takes a journey out of the work queue when the escalated step succeeds after all', () => {
    let journey = given(requested(), device()).journey;
    for (const second of [1, 2, 3]) journey = tick(observe(journey, accountFailed(second, second), when(second + 10)).journey, when(second + 11)).journey;
    expect(journey.status).toBe('escalated');
    const late = observe(journey, account(), when(20)).journey;
    expect(late.status).toBe('open');
    expect(late.steps['saas']?.status).toBe('open');
  });

  it('waits for the request when the cancel overtakes it, then undoes every step', () => {
    const early = observe(newJourney(REQUEST, 'new-hire'), cancel(), when(1));
    expect(early.emissions).toEqual([]);
    expect(early.journey.status).toBe('compensating');
    const later = observe(early.journey, requested(), when(2));
    expect(later.emissions).toEqual([{ kind: 'compensate', step: 'device', owner: 'device', attempt: 1, reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
    expect(later.journey.steps).toEqual({});
  });

  it('does not cancel a confirmed journey', () => {
    const done = given(requested(), account(), access(), device()).journey;
    expect(observe(done, cancel(), when(20)).emissions).toEqual([]);
  });
});

describe('several steps of one owner sharing a failure topic', () => {
  const at = { now: new Date('2026-03-01T10:00:00.000Z'), random: () => 0.5 };
  const requested = {
    eventId: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f',
    eventType: 'intake.journey.requested',
    version: 1,
    requestId: '1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9',
    journeyType: 'device-replacement' as const,
    occurredAt: at.now.toISOString(),
    producer: 'intake',
    payload: {
      type: 'device-replacement',
      requestedBy: 'it@acme.test',
      subject: { employeeId: 'E9', email: 'e9@acme.test', displayName: 'E Nine' },
      itsmRecordId: 'RITM0010009',
      retiredAssetTag: 'AT-OLD',
      reason: 'broken',
      device: { model: 'laptop-14' },
      definitionVersion: 1,
      requestedAt: at.now.toISOString(),
    },
  };
  const failureOf = (step: string, eventId: string) => ({
    eventId,
    eventType: 'device.compliance.failed',
    version: 1,
    requestId: requested.requestId,
    journeyType: 'device-replacement' as const,
    occurredAt: at.now.toISOString(),
    producer: 'device-domain',
    payload: { step, attempt: 1, code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: at.now.toISOString() },
  });

  it('ends the attempt of the step the failure names, not the first step with that topic', () => {
    const started = observe(newJourney(requested.requestId, 'device-replacement'), requested, at).journey;
    expect(started.steps['replacement']?.status).toBe('open');
    expect(started.steps['retirement']?.status).toBe('open');
    const after = observe(started, failureOf('retirement', '2b3c4d5e-6f70-4182-9304-b5c6d7e8f9a0'), at).journey;
    expect(after.steps['retirement']?.status).toBe('retrying');
    expect(after.steps['replacement']?.status).toBe('open');
    expect(after.failures.map((f) => f.step)).toEqual(['retirement']);
  });
});

describe("people's decisions at intake", () => {
  const decided = (kind: 'pre-approval' | 'exception' | 'attestation', decision: 'approved' | 'rejected' | 'expired', step?: string, attempts?: number) =>
    event(
      ApprovalDecidedV1,
      {
        taskId: '5b0c6a1e-9d2f-4e3a-8b7c-1d2e3f4a5b6c',
        kind,
        decision,
        decidedBy: 'approver-2',
        comment: 'checked',
        ...(step ? { step } : {}),
        ...(attempts ? { attempts } : {}),
        policyVersion: 1,
        rule: 'r',
        decidedAt: at(20).toISOString(),
      },
      20,
    );
  /** Three failed attempts of the identity step (each retried after its backoff): escalated. */
  const escalated = () => {
    let { journey } = given(requested());
    for (const [i, s] of [[1, 1], [2, 4], [3, 8]] as const) {
      journey = observe(journey, accountFailed(s, i), when(s)).journey;
      journey = tick(journey, when(s + 3)).journey;
    }
    expect(journey.status).toBe('escalated');
    return journey;
  };

  it('an approved exception retries the escalated step', () => {
    const decision = observe(escalated(), decided('exception', 'approved', 'identity'), when(21));
    expect(decision.emissions).toEqual([expect.objectContaining({ kind: 'retry', step: 'identity', reason: 'OPERATOR' })]);
  });

  it('a rejected exception fails the journey and compensates it', () => {
    const decision = observe(escalated(), decided('exception', 'rejected', 'identity'), when(21));
    expect(decision.emissions.map((e) => e.kind)).toEqual(['failed', 'compensate']);
    expect(decision.journey.status).toBe('compensating');
  });

  it('acts only on the escalation the task was opened for: its step, after that many attempts', () => {
    expect(observe(escalated(), decided('exception', 'approved', 'identity', 3), when(21)).emissions).toEqual([expect.objectContaining({ kind: 'retry', step: 'identity' })]);
    expect(observe(escalated(), decided('exception', 'approved', 'identity', 2), when(21)).emissions).toEqual([]);
    expect(observe(escalated(), decided('exception', 'rejected', 'saas', 3), when(21)).emissions).toEqual([]);
  });

  it('a decision on an escalation an operator already resolved changes nothing', () => {
    const { journey } = given(requested(), account(), access(), device());
    expect(observe(journey, decided('exception', 'rejected', 'identity'), when(21)).emissions).toEqual([]);
  });

  it('a rejected attestation compensates the confirmed journey in reverse order', () => {
    const { journey } = given(requested(), account(), access(), device());
    const decision = observe(journey, decided('attestation', 'rejected'), when(21));
    expect(decision.journey.status).toBe('compensating');
    expect(decision.emissions).toEqual([expect.objectContaining({ kind: 'compensate', step: 'device', reason: 'attestation rejected by approver-2: checked' })]);
  });

  it('an approved attestation and a pre-approval change nothing', () => {
    const { journey } = given(requested(), account(), access(), device());
    expect(observe(journey, decided('attestation', 'approved'), when(21)).emissions).toEqual([]);
    expect(observe(journey, decided('pre-approval', 'approved'), when(21)).emissions).toEqual([]);
  });
});

describe('the definition a journey carries', () => {
  const v1 = definitionDocument(NEW_HIRE_V1);
  /** A version without the device step. */
  const v2: JourneyDefinitionDocument = { ...v1, version: 2, steps: v1.steps.filter((s) => s.name !== 'device'), doneWhen: v1.doneWhen.filter((t) => t !== ComplianceVerifiedV1.topic) };

  it('is what the journey is confirmed by: a version without a step does not wait for it', () => {
    expect(given(requested(v2), account(), access()).kinds).toEqual(['confirmed']);
    expect(given(requested(v1), account(), access()).kinds).toEqual([]);
    expect(given(requested(v1), account(), access(), device()).kinds).toEqual(['confirmed']);
  });

  it('keeps its deadlines: a step of another version is no step of this journey', () => {
    const journey = given(requested(v2)).journey;
    expect(Object.keys(journey.steps)).toEqual(['identity', 'saas']);
  });

  it('escalates the undo of a step with no automatic undo at once, and a person records it', () => {
    const byHand: JourneyDefinitionDocument = { ...v1, version: 3, steps: v1.steps.map((s) => (s.name === 'device' ? { ...s, compensatedBy: null } : s)) };
    const inFlight = given(requested(byHand), account(), device()).journey;
    const cancelled = observe(inFlight, event(JourneyCancelRequestedV1, { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' }, 20), when(20));
    expect(cancelled.journey.status).toBe('escalated');
    expect(cancelled.emissions).toEqual([
      expect.objectContaining({ kind: 'escalated', step: 'compensate:device', escalateTo: 'end-user-computing', reason: 'device has no automatic undo: a person undoes it and records it as fixed (cancelled by manager@acme.test: offer withdrawn)' }),
    ]);
    expect(nextDueAt(cancelled.journey)).toBeNull();
    const fixed = resolveEscalation(cancelled.journey, 'ops-1', { kind: 'fixed', evidence: { returned: 'by hand' }, signalId: 'x' }, when(30));
    if (fixed === 'NOT_ESCALATED') throw new Error('expected a decision');
    expect(fixed.emissions).toEqual([{ kind: 'compensate', step: 'saas', owner: 'saas', attempt: 1, reason: 'cancelled by manager@acme.test: offer withdrawn' }]);
  });
});
