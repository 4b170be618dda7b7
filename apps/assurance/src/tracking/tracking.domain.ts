import {
  currentDefinition,
  type EventEnvelope,
  findDefinition,
  type JourneyDefinition,
  JourneyRequestedV1,
  type JourneyType,
  type StepFailureCode,
  type VerificationSignal,
} from '@closeloop/contracts';

export type TrackedStatus = 'open' | 'confirmed' | 'failed';

export interface StepFailure {
  readonly step: string;
  readonly code: StepFailureCode;
  readonly reason: string;
  readonly eventId: string;
  readonly at: string;
}

/** Assurance's view of one journey: what has been verified, what failed, and its verdict. */
export interface TrackedJourney {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly definitionVersion: number | null;
  readonly status: TrackedStatus;
  readonly startedAt: string | null;
  /** Verification signals by the topic that carried them; the first one of each counts. */
  readonly signals: Readonly<Record<string, VerificationSignal>>;
  readonly failures: readonly StepFailure[];
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

export type Verdict = { readonly kind: 'confirmed'; readonly outcome: Outcome } | { readonly kind: 'failed'; readonly failure: StepFailure };

export const newJourney = (requestId: string, journeyType: JourneyType): TrackedJourney => ({
  requestId,
  journeyType,
  definitionVersion: null,
  status: 'open',
  startedAt: null,
  signals: {},
  failures: [],
  confirmedAt: null,
});

const definitionOf = (journey: TrackedJourney): JourneyDefinition | undefined =>
  journey.definitionVersion === null ? currentDefinition(journey.journeyType) : findDefinition(journey.journeyType, journey.definitionVersion);

const topicOf = (event: EventEnvelope): string => `${event.eventType}.v${event.version}`;

/** Applies one event of the journey, whatever order events arrive in. */
export const observe = (journey: TrackedJourney, event: EventEnvelope): TrackedJourney => {
  const topic = topicOf(event);
  if (topic === JourneyRequestedV1.topic) {
    const payload = event.payload as JourneyRequestedV1['payload'];
    return journey.definitionVersion !== null ? journey : { ...journey, definitionVersion: payload.definitionVersion, startedAt: payload.requestedAt };
  }
  const step = definitionOf(journey)?.steps.find((s) => s.completedBy === topic || s.failedBy === topic);
  if (!step) return journey;
  if (step.completedBy === topic) {
    if (journey.signals[topic]) return journey;
    const signal: VerificationSignal = { signal: topic, eventId: event.eventId, at: event.occurredAt, evidence: event.payload as Record<string, unknown> };
    return { ...journey, signals: { ...journey.signals, [topic]: signal } };
  }
  if (journey.failures.some((f) => f.eventId === event.eventId)) return journey;
  const payload = event.payload as { code: StepFailureCode; reason: string; failedAt: string };
  return { ...journey, failures: [...journey.failures, { step: step.name, code: payload.code, reason: payload.reason, eventId: event.eventId, at: payload.failedAt }] };
};

/**
 * The verdict on an open journey: confirmed when every verification signal of its definition of
 * done has arrived (never because a step merely ran), failed at the first failed step.
 */
export const judge = (journey: TrackedJourney, now: Date): { journey: TrackedJourney; verdict: Verdict | null } => {
  if (journey.status !== 'open' || journey.definitionVersion === null || journey.startedAt === null) return { journey, verdict: null };
  const definition = findDefinition(journey.journeyType, journey.definitionVersion);
  if (!definition) return { journey, verdict: null };
  const firstFailure = journey.failures[0];
  if (firstFailure) return { journey: { ...journey, status: 'failed' }, verdict: { kind: 'failed', failure: firstFailure } };
  const signals = definition.doneWhen.map((topic) => journey.signals[topic]);
  if (signals.some((s) => s === undefined)) return { journey, verdict: null };
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
  return { journey: { ...journey, status: 'confirmed', confirmedAt }, verdict: { kind: 'confirmed', outcome } };
};
