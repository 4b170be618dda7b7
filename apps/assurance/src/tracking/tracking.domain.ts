import {
  ApprovalDecidedV1,
  currentDefinition,
  definitionOfRequest,
  type EventEnvelope,
  JourneyCancelRequestedV1,
  type JourneyDefinition,
  JourneyRequestedV1,
  type JourneyType,
  retryDelayMs,
  type StepFailureCode,
  type VerificationSignal,
} from '@closeloop/contracts';

export type TrackedStatus = 'open' | 'confirmed' | 'escalated' | 'failed' | 'compensating' | 'compensated';

/** Past these, nothing moves the journey forward any more. */
const CLOSED: readonly TrackedStatus[] = ['confirmed', 'failed', 'compensating', 'compensated'];
export const isClosed = (status: TrackedStatus): boolean => CLOSED.includes(status);
/** Closed, or being compensated (also while a compensation waits on a person). */
const stopped = (journey: TrackedJourney): boolean => isClosed(journey.status) || journey.compensation !== null;

/** Undoing a cancelled or failed journey: its started steps, one at a time, in reverse order. */
export interface Compensation {
  readonly reason: string;
  readonly pending: readonly string[];
  readonly current: { readonly step: string; readonly attempt: number; readonly dueAt: string | null } | null;
  readonly done: readonly string[];
}
export type StepStatus = 'waiting' | 'open' | 'retrying' | 'verified' | 'escalated';
export type AttemptEnd = 'DEADLINE_MISSED' | 'STEP_FAILED';
export type RetryReason = AttemptEnd | 'OPERATOR';

/** One step of one journey: its attempt, and when assurance must act on it next. */
export interface StepState {
  readonly status: StepStatus;
  readonly attempt: number;
  /** open: the attempt's deadline; retrying: when to ask for the next attempt. */
  readonly dueAt: string | null;
  readonly lastEnd: AttemptEnd | null;
}

export interface StepFailure {
  readonly step: string;
  readonly attempt: number;
  readonly code: StepFailureCode;
  readonly reason: string;
  readonly eventId: string;
  readonly at: string;
}

export interface Stall {
  readonly step: string;
  readonly attempt: number;
  readonly at: string;
}

/** Assurance's view of one journey: the request, each step's state, what was verified, what failed. */
export interface TrackedJourney {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly definitionVersion: number | null;
  readonly status: TrackedStatus;
  readonly startedAt: string | null;
  readonly request: JourneyRequestedV1['payload'] | null;
  /** Verification signals by the topic that carried them; the first one of each counts. */
  readonly signals: Readonly<Record<string, VerificationSignal>>;
  readonly failures: readonly StepFailure[];
  readonly stalls: readonly Stall[];
  readonly steps: Readonly<Record<string, StepState>>;
  readonly compensation: Compensation | null;
  readonly confirmedAt: string | null;
}

export interface Outcome {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly definitionVersion: number;
  readonly signals: readonly VerificationSignal[];
  readonly startedAt: string;
  readonly confirmedAt: string;
  readonly durationMs: number;
}

export interface HistoryEntry {
  readonly at: string;
  readonly what: string;
  readonly detail: string;
}

/** What assurance must publish after a change: it acts only on exceptions, and on the verdict. */
export type Emission =
  | { readonly kind: 'confirmed'; readonly outcome: Outcome }
  | { readonly kind: 'stalled'; readonly step: string; readonly attempt: number; readonly deadlineAt: string }
  | { readonly kind: 'retry'; readonly step: string; readonly owner: string; readonly attempt: number; readonly reason: RetryReason }
  | { readonly kind: 'failed'; readonly step: string; readonly reason: string }
  | { readonly kind: 'compensate'; readonly step: string; readonly owner: string; readonly attempt: number; readonly reason: string }
  | { readonly kind: 'compensated'; readonly steps: readonly string[]; readonly reason: string }
  | {
      readonly kind: 'escalated';
      readonly step: string;
      readonly attempts: number;
      readonly reason: string;
      readonly escalateTo: string;
      readonly history: readonly HistoryEntry[];
    };

export interface Decision {
  readonly journey: TrackedJourney;
  readonly emissions: readonly Emission[];
}

/** The definition a journey whose request has not arrived yet is read by: the newest of its type the tracker knows. */
export interface DefinitionLookup {
  latest(type: JourneyType): JourneyDefinition | undefined;
}

/**
 * Time and chance come in from outside: `random()` in [0, 1) for the retry jitter. A journey
 * runs by the definition its request carries; until the request arrives, by `definitions`
 * (the shipped definitions when not given).
 */
export interface Circumstances {
  readonly now: Date;
  readonly random: () => number;
  readonly definitions?: DefinitionLookup;
}

export const newJourney = (requestId: string, journeyType: JourneyType): TrackedJourney => ({
  requestId,
  journeyType,
  definitionVersion: null,
  status: 'open',
  startedAt: null,
  request: null,
  signals: {},
  failures: [],
  stalls: [],
  steps: {},
  compensation: null,
  confirmedAt: null,
});

const definitionOf = (journey: TrackedJourney, at: Circumstances): JourneyDefinition | undefined =>
  journey.request ? definitionOfRequest(journey.request) : (at.definitions?.latest(journey.journeyType) ?? currentDefinition(journey.journeyType));

const topicOf = (event: EventEnvelope): string => `${event.eventType}.v${event.version}`;
const plus = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

/**
 * Opens every waiting step whose predecessors are all verified; its deadline starts now. A step
 * whose first attempt already reported a failure (the report overtook the events before it)
 * goes straight to its backoff and retry, instead of waiting out a deadline.
 */
const openReadySteps = (journey: TrackedJourney, definition: JourneyDefinition, at: Circumstances): TrackedJourney => {
  const steps = { ...journey.steps };
  for (const step of definition.steps) {
    const state = steps[step.name];
    if (state?.status !== 'waiting') continue;
    if (!step.after.every((name) => steps[name]?.status === 'verified')) continue;
    const failedAlready = journey.failures.some((f) => f.step === step.name && f.attempt === state.attempt);
    steps[step.name] =
      failedAlready && state.attempt < step.retry.maxAttempts
        ? { ...state, status: 'retrying', dueAt: plus(at.now, retryDelayMs(step.retry, state.attempt, at.random())), lastEnd: 'STEP_FAILED' }
        : { ...state, status: 'open', dueAt: plus(at.now, step.deadlineMs) };
  }
  return { ...journey, steps };
};

const initSteps = (journey: TrackedJourney, definition: JourneyDefinition, at: Circumstances): TrackedJourney => {
  const steps: Record<string, StepState> = {};
  for (const step of definition.steps) {
    const verified = journey.signals[step.completedBy.topic] !== undefined;
    steps[step.name] = { status: verified ? 'verified' : 'waiting', attempt: 1, dueAt: null, lastEnd: null };
  }
  return openReadySteps({ ...journey, steps }, definition, at);
};

export const history = (journey: TrackedJourney): HistoryEntry[] =>
  [
    ...(journey.startedAt ? [{ at: journey.startedAt, what: 'requested', detail: `${journey.journeyType} v${journey.definitionVersion ?? '?'}` }] : []),
    ...Object.values(journey.signals).map((s) => ({ at: s.at, what: 'verified', detail: s.signal })),
    ...journey.failures.map((f) => ({ at: f.at, what: `${f.step} attempt ${f.attempt} failed`, detail: `${f.code}: ${f.reason}` })),
    ...journey.stalls.map((s) => ({ at: s.at, what: `${s.step} attempt ${s.attempt} stalled`, detail: 'no outcome by its deadline' })),
  ].sort((a, b) => a.at.localeCompare(b.at));

/** An attempt ended without success: retry after the backoff, or escalate when none is left. */
const endAttempt = (journey: TrackedJourney, definition: JourneyDefinition, stepName: string, end: AttemptEnd, why: string, at: Circumstances): Decision => {
  const step = definition.steps.find((s) => s.name === stepName);
  const state = journey.steps[stepName];
  if (!step || !state) return { journey, emissions: [] };
  if (state.attempt < step.retry.maxAttempts) {
    const dueAt = plus(at.now, retryDelayMs(step.retry, state.attempt, at.random()));
    return { journey: { ...journey, steps: { ...journey.steps, [stepName]: { ...state, status: 'retrying', dueAt, lastEnd: end } } }, emissions: [] };
  }
  const escalated: TrackedJourney = {
    ...journey,
    status: journey.status === 'open' ? 'escalated' : journey.status,
    steps: { ...journey.steps, [stepName]: { ...state, status: 'escalated', dueAt: null, lastEnd: end } },
  };
  return {
    journey: escalated,
    emissions: [{ kind: 'escalated', step: stepName, attempts: state.attempt, reason: why, escalateTo: step.escalateTo, history: history(escalated) }],
  };
};

/** Confirmed once every verification signal of the definition of done has arrived, and never because a step merely ran. */
const judge = (journey: TrackedJourney, at: Circumstances): Decision => {
  if (stopped(journey) || journey.definitionVersion === null || journey.startedAt === null || !journey.request) return { journey, emissions: [] };
  const definition = definitionOf(journey, at);
  if (!definition) return { journey, emissions: [] };
  const { now } = at;
  const signals = definition.doneWhen.map((contract) => journey.signals[contract.topic]);
  if (signals.some((s) => s === undefined)) return { journey, emissions: [] };
  const confirmedAt = now.toISOString();
  const outcome: Outcome = {
    requestId: journey.requestId,
    journeyType: journey.journeyType,
    definitionVersion: definition.version,
    signals: signals as VerificationSignal[],
    startedAt: journey.startedAt,
    confirmedAt,
    durationMs: Math.max(0, now.getTime() - Date.parse(journey.startedAt)),
  };
  const steps = Object.fromEntries(Object.entries(journey.steps).map(([name, s]) => [name, { ...s, dueAt: null }]));
  return { journey: { ...journey, status: 'confirmed', confirmedAt, steps }, emissions: [{ kind: 'confirmed', outcome }] };
};

const withVerdict = (decision: Decision, at: Circumstances): Decision => {
  const judged = judge(decision.journey, at);
  return { journey: judged.journey, emissions: [...decision.emissions, ...judged.emissions] };
};

/** Applies one event of the journey, whatever order events arrive in. */
export const observe = (journey: TrackedJourney, event: EventEnvelope, at: Circumstances): Decision => {
  const topic = topicOf(event);
  if (topic === JourneyRequestedV1.topic) {
    const request = event.payload as JourneyRequestedV1['payload'];
    if (journey.status === 'compensating' && !journey.request && journey.compensation && !journey.compensation.current) {
      // The cancel overtook the request: now the owners can be asked to undo.
      const definition = definitionOfRequest(request);
      const [first, ...rest] = journey.compensation.pending;
      const waiting = { ...journey, definitionVersion: request.definitionVersion, startedAt: request.requestedAt, request, compensation: { ...journey.compensation, pending: rest } };
      return definition && first ? askToUndo(waiting, definition, first, 1, at) : { journey: waiting, emissions: [] };
    }
    if (journey.definitionVersion !== null) return { journey, emissions: [] };
    const started = { ...journey, definitionVersion: request.definitionVersion, startedAt: request.requestedAt, request };
    const definition = definitionOfRequest(request);
    return withVerdict({ journey: definition ? initSteps(started, definition, at) : started, emissions: [] }, at);
  }
  const definition = definitionOf(journey, at);
  if (topic === ApprovalDecidedV1.topic) return approvalDecided(journey, definition, event.payload as ApprovalDecidedV1['payload'], at);
  if (topic === JourneyCancelRequestedV1.topic) {
    if (!definition || stopped(journey)) return { journey, emissions: [] };
    const payload = event.payload as JourneyCancelRequestedV1['payload'];
    return startCompensation(journey, definition, `cancelled by ${payload.requestedBy}: ${payload.reason}`, at);
  }
  // One owner may run several steps of a journey and share a failure or compensation topic
  // between them: the payload's `step` names which (a single match needs no name).
  const named = (event.payload as { step?: unknown } | null)?.step;
  const pick = (matches: JourneyDefinition['steps']) => (matches.length > 1 ? matches.find((s) => s.name === named) : matches[0]);
  const undone = definition ? pick(definition.steps.filter((s) => s.compensatedBy?.topic === topic)) : undefined;
  if (definition && undone) return compensationConfirmed(journey, definition, undone.name, at);
  const step = definition ? pick(definition.steps.filter((s) => s.completedBy.topic === topic || s.failedBy.topic === topic)) : undefined;
  if (!definition || !step) return { journey, emissions: [] };
  const state = journey.steps[step.name];

  if (step.completedBy.topic === topic) {
    if (journey.signals[topic]) return { journey, emissions: [] };
    const signal: VerificationSignal = { signal: topic, eventId: event.eventId, at: event.occurredAt, evidence: event.payload as Record<string, unknown> };
    let next: TrackedJourney = { ...journey, signals: { ...journey.signals, [topic]: signal } };
    if (state && !stopped(journey)) {
      next = { ...next, steps: { ...next.steps, [step.name]: { ...state, status: 'verified', dueAt: null } } };
      next = openReadySteps(next, definition, at);
      // A late success of the escalated step takes the journey out of the work queue.
      if (next.status === 'escalated' && !Object.values(next.steps).some((s) => s.status === 'escalated')) next = { ...next, status: 'open' };
    }
    return withVerdict({ journey: next, emissions: [] }, at);
  }

  if (journey.failures.some((f) => f.eventId === event.eventId)) return { journey, emissions: [] };
  const payload = event.payload as { attempt: number; code: StepFailureCode; reason: string; failedAt: string };
  const failure: StepFailure = { step: step.name, attempt: payload.attempt, code: payload.code, reason: payload.reason, eventId: event.eventId, at: payload.failedAt };
  const next: TrackedJourney = { ...journey, failures: [...journey.failures, failure] };
  // A late report of an earlier attempt does not end the attempt now running.
  if (state?.status !== 'open' || stopped(journey) || payload.attempt < state.attempt) return { journey: next, emissions: [] };
  return endAttempt(next, definition, step.name, 'STEP_FAILED', `${payload.code}: ${payload.reason}`, at);
};

/**
 * Acts on every step that is due: an open attempt past its deadline is stalled (then retried
 * or escalated); a step waiting out its backoff gets its retry request.
 */
export const tick = (journey: TrackedJourney, at: Circumstances): Decision => {
  const definition = definitionOf(journey, at);
  if (definition && journey.compensation) return tickCompensation(journey, definition, at);
  if (!definition || isClosed(journey.status)) return { journey, emissions: [] };
  let current = journey;
  const emissions: Emission[] = [];
  for (const step of definition.steps) {
    const state = current.steps[step.name];
    if (!state?.dueAt || Date.parse(state.dueAt) > at.now.getTime()) continue;
    if (state.status === 'open') {
      emissions.push({ kind: 'stalled', step: step.name, attempt: state.attempt, deadlineAt: state.dueAt });
      current = { ...current, stalls: [...current.stalls, { step: step.name, attempt: state.attempt, at: at.now.toISOString() }] };
      const ended = endAttempt(current, definition, step.name, 'DEADLINE_MISSED', `attempt ${state.attempt} missed its deadline of ${step.deadlineMs} ms`, at);
      current = ended.journey;
      emissions.push(...ended.emissions);
    } else if (state.status === 'retrying') {
      const attempt = state.attempt + 1;
      current = { ...current, steps: { ...current.steps, [step.name]: { ...state, status: 'open', attempt, dueAt: plus(at.now, step.deadlineMs) } } };
      emissions.push({ kind: 'retry', step: step.name, owner: step.owner, attempt, reason: state.lastEnd ?? 'STEP_FAILED' });
    }
  }
  return { journey: current, emissions };
};

/** When assurance must next look at the journey; null when nothing is pending. */
export const nextDueAt = (journey: TrackedJourney): string | null => {
  if (journey.compensation) return journey.compensation.current?.dueAt ?? null;
  if (isClosed(journey.status)) return null;
  const due = Object.values(journey.steps)
    .filter((s) => (s.status === 'open' || s.status === 'retrying') && s.dueAt)
    .map((s) => s.dueAt as string)
    .sort();
  return due[0] ?? null;
};

/** What an operator decides about an escalated journey. */
export type OperatorDecision =
  | { readonly kind: 'retry' }
  | { readonly kind: 'fixed'; readonly evidence: Readonly<Record<string, unknown>>; readonly signalId: string }
  | { readonly kind: 'fail'; readonly reason: string };

export type ResolutionError = 'NOT_ESCALATED';

/**
 * Resolves an escalated journey: try the step again now, record it as fixed by hand (the
 * operator's evidence becomes the step's verification signal, so the journey can be confirmed),
 * or fail the journey.
 */
export const resolveEscalation = (
  journey: TrackedJourney,
  operator: string,
  decision: OperatorDecision,
  at: Circumstances,
  /** The escalated step to resolve; the first escalated one when not named. */
  only?: string,
): Decision | ResolutionError => {
  const definition = definitionOf(journey, at);
  const undoing = journey.compensation?.current;
  if (journey.status === 'escalated' && definition && undoing) {
    // A compensation waits on a person: try the undo again, or record it as done by hand.
    switch (decision.kind) {
      case 'retry':
        return askToUndo({ ...journey, status: 'compensating' }, definition, undoing.step, undoing.attempt + 1, at);
      case 'fixed':
        return compensationConfirmed(journey, definition, undoing.step, at);
      case 'fail':
        return 'NOT_ESCALATED';
    }
  }
  const stepName = Object.entries(journey.steps).find(([name, s]) => s.status === 'escalated' && (only === undefined || name === only))?.[0];
  const step = definition?.steps.find((s) => s.name === stepName);
  const state = stepName ? journey.steps[stepName] : undefined;
  if (journey.status !== 'escalated' || !definition || !step || !state) return 'NOT_ESCALATED';
  const stillEscalated = (steps: Record<string, StepState>) => Object.values(steps).some((s) => s.status === 'escalated');
  switch (decision.kind) {
    case 'retry': {
      const attempt = state.attempt + 1;
      const steps = { ...journey.steps, [step.name]: { ...state, status: 'open' as const, attempt, dueAt: plus(at.now, step.deadlineMs) } };
      return {
        journey: { ...journey, steps, status: stillEscalated(steps) ? 'escalated' : 'open' },
        emissions: [{ kind: 'retry', step: step.name, owner: step.owner, attempt, reason: 'OPERATOR' }],
      };
    }
    case 'fixed': {
      const signal: VerificationSignal = {
        signal: step.completedBy.topic,
        eventId: decision.signalId,
        at: at.now.toISOString(),
        evidence: { ...decision.evidence, fixedBy: operator, manual: true },
      };
      const steps = { ...journey.steps, [step.name]: { ...state, status: 'verified' as const, dueAt: null } };
      const fixed = openReadySteps({ ...journey, steps, signals: { ...journey.signals, [step.completedBy.topic]: signal }, status: stillEscalated(steps) ? 'escalated' : 'open' }, definition, at);
      return withVerdict({ journey: fixed, emissions: [] }, at);
    }
    case 'fail': {
      const compensating = startCompensation(journey, definition, `failed by ${operator}: ${decision.reason}`, at);
      return { journey: compensating.journey, emissions: [{ kind: 'failed', step: step.name, reason: decision.reason }, ...compensating.emissions] };
    }
  }
};

const askToUndo = (journey: TrackedJourney, definition: JourneyDefinition, stepName: string, attempt: number, at: Circumstances): Decision => {
  const step = definition.steps.find((s) => s.name === stepName);
  const compensation = journey.compensation as Compensation;
  if (step && step.compensatedBy === null) {
    // No automatic undo: the step's queue gets it at once, and a person records the undo ("fixed").
    const waiting: TrackedJourney = { ...journey, status: 'escalated', compensation: { ...compensation, current: { step: stepName, attempt, dueAt: null } } };
    const reason = `${stepName} has no automatic undo: a person undoes it and records it as fixed (${compensation.reason})`;
    return { journey: waiting, emissions: [{ kind: 'escalated', step: `compensate:${stepName}`, attempts: attempt, reason, escalateTo: step.escalateTo, history: history(waiting) }] };
  }
  const current = { step: stepName, attempt, dueAt: step ? plus(at.now, step.deadlineMs) : null };
  return {
    journey: { ...journey, compensation: { ...compensation, current } },
    emissions: [{ kind: 'compensate', step: stepName, owner: step?.owner ?? stepName, attempt, reason: compensation.reason }],
  };
};

/**
 * Undo every step of the journey, one at a time, in reverse order of the definition; forward
 * deadlines and retries stop. Every step, not only those seen to start: a step may be half done,
 * or its event still on its way, and undoing what never happened is a no-op for its owner, who
 * also keeps a tombstone so that a late forward event does nothing. Without the request yet
 * (the cancel overtook it), compensation waits for it: the owners need to know whom to undo.
 */
export const startCompensation = (journey: TrackedJourney, definition: JourneyDefinition, reason: string, at: Circumstances): Decision => {
  const [first, ...rest] = definition.steps.map((s) => s.name).reverse();
  const steps = Object.fromEntries(Object.entries(journey.steps).map(([name, s]) => [name, { ...s, dueAt: null }]));
  const compensating: TrackedJourney = { ...journey, steps, status: 'compensating', compensation: { reason, pending: journey.request ? rest : [first as string, ...rest], current: null, done: [] } };
  if (!first || !journey.request) return { journey: compensating, emissions: [] };
  return askToUndo(compensating, definition, first, 1, at);
};

const compensationConfirmed = (journey: TrackedJourney, definition: JourneyDefinition, stepName: string, at: Circumstances): Decision => {
  const compensation = journey.compensation;
  if (!compensation || compensation.current?.step !== stepName || journey.status === 'compensated') return { journey, emissions: [] };
  const done = [...compensation.done, stepName];
  const [next, ...rest] = compensation.pending;
  if (!next) {
    return {
      journey: { ...journey, status: 'compensated', compensation: { ...compensation, current: null, done } },
      emissions: [{ kind: 'compensated', steps: done, reason: compensation.reason }],
    };
  }
  return askToUndo({ ...journey, status: 'compensating', compensation: { ...compensation, pending: rest, done } }, definition, next, 1, at);
};

/** A compensation is a step too: past its deadline it is asked again, and after the last attempt it escalates. */
const tickCompensation = (journey: TrackedJourney, definition: JourneyDefinition, at: Circumstances): Decision => {
  const current = journey.compensation?.current;
  if (!current?.dueAt || Date.parse(current.dueAt) > at.now.getTime()) return { journey, emissions: [] };
  const step = definition.steps.find((s) => s.name === current.step);
  const stalled: Emission = { kind: 'stalled', step: `compensate:${current.step}`, attempt: current.attempt, deadlineAt: current.dueAt };
  if (step && current.attempt < step.retry.maxAttempts) {
    const retried = askToUndo(journey, definition, current.step, current.attempt + 1, at);
    return { journey: retried.journey, emissions: [stalled, ...retried.emissions] };
  }
  const waiting: TrackedJourney = { ...journey, status: 'escalated', compensation: { ...(journey.compensation as Compensation), current: { ...current, dueAt: null } } };
  return {
    journey: waiting,
    emissions: [
      stalled,
      {
        kind: 'escalated',
        step: `compensate:${current.step}`,
        attempts: current.attempt,
        reason: `undoing ${current.step} was not confirmed after ${current.attempt} attempts`,
        escalateTo: step?.escalateTo ?? 'operations',
        history: history(waiting),
      },
    ],
  };
};

/**
 * A person's decision at intake. Approval on exception: approved retries the escalated step,
 * rejected (or expired) fails the journey and compensates it. Post-action attestation: a
 * rejected (or expired) attestation compensates the confirmed journey — access nobody vouches
 * for is taken back. Pre-action approvals only go to the audit trail: nothing had run.
 */
const approvalDecided = (journey: TrackedJourney, definition: JourneyDefinition | undefined, decided: ApprovalDecidedV1['payload'], at: Circumstances): Decision => {
  const approver = `approver:${decided.decidedBy}`;
  const why = `${decided.decision} by ${decided.decidedBy}: ${decided.comment}`;
  if (decided.kind === 'exception') {
    // Only the escalation the task was opened for: an operator may have resolved it meanwhile,
    // or the step may have escalated again after more attempts (a task of its own).
    const state = decided.step ? journey.steps[decided.step] : undefined;
    if (!decided.step || state?.status !== 'escalated') return { journey, emissions: [] };
    if (decided.attempts !== undefined && state.attempt !== decided.attempts) return { journey, emissions: [] };
    const resolved = resolveEscalation(journey, approver, decided.decision === 'approved' ? { kind: 'retry' } : { kind: 'fail', reason: `exception ${why}` }, at, decided.step);
    return resolved === 'NOT_ESCALATED' ? { journey, emissions: [] } : resolved;
  }
  if (decided.kind === 'attestation' && decided.decision !== 'approved' && journey.status === 'confirmed' && definition) {
    return startCompensation(journey, definition, `attestation ${why}`, at);
  }
  return { journey, emissions: [] };
};
