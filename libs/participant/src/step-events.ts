import {
  buildEvent,
  causedBy,
  type EventContract,
  type EventEnvelope,
  type EventIdentity,
  type PayloadOf,
  requestedAttempt,
  type StepCompensatedPayloadSchema,
  type StepFailedPayloadSchema,
} from '@closeloop/contracts';
import { outgoing, type OutgoingEvent } from '@closeloop/messaging';

import type { Clock, IdGenerator } from './ports';
import type { StepAsk } from './step-asks';
import type { StepResult, Verified } from './step-result';

/** A contract whose payload says which step failed, at which attempt, with which code and why. */
export type FailedContract = EventContract<string, typeof StepFailedPayloadSchema>;
/** A contract whose payload confirms which step was undone, and what was undone. */
export type CompensatedContract = EventContract<string, typeof StepCompensatedPayloadSchema>;

/**
 * The events of one step, and how its evidence becomes the verified event: `E` is the evidence
 * the target gave back, `S` what the step worked on (the request, or the step's record).
 */
export interface StepContracts<E extends object, S, V extends EventContract> {
  /** The service the events come from. */
  readonly producer: string;
  /** The step's name, as the journey definition has it. */
  readonly step: string;
  readonly verified: V;
  readonly failed: FailedContract;
  /** null for a step with no automatic undo (`compensatedBy: null` in its definition): nothing is ever reported undone. */
  readonly compensated: CompensatedContract | null;
  /** The verified event's payload; `at` is when the step was verified. */
  readonly evidence: (evidence: Verified<E>, subject: S, at: string) => PayloadOf<V>;
}

/** Declares a step's events (only to infer its types). */
export const stepContracts = <E extends object, S, V extends EventContract>(contracts: StepContracts<E, S, V>): StepContracts<E, S, V> => contracts;

/** Where a new event's id and time come from (the participant ports are one). */
export interface EventSource {
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** A new event's id and time. */
export const stamp = (source: EventSource): EventIdentity => ({ eventId: source.ids.next(), occurredAt: source.clock.now() });

/** An event of `contract`, caused by `cause` (same journey), ready for the outbox. */
export const causedEvent = <C extends EventContract>(contract: C, cause: EventEnvelope, producer: string, payload: PayloadOf<C>, identity: EventIdentity): OutgoingEvent =>
  outgoing(contract, buildEvent(contract, causedBy(cause, producer), payload, identity));

/**
 * The event that reports a step's result: verified, with the evidence read back; or failed, with
 * the code, the reason and the attempt (the cause's, unless another is given).
 */
export const outcomeEvent = <E extends object, S, V extends EventContract>(
  contracts: StepContracts<E, S, V>,
  cause: EventEnvelope,
  subject: S,
  result: StepResult<E>,
  source: EventSource,
  attempt: number = requestedAttempt(cause),
): OutgoingEvent => {
  const identity = stamp(source);
  const at = identity.occurredAt.toISOString();
  if (result.kind === 'verified') return causedEvent(contracts.verified, cause, contracts.producer, contracts.evidence(result, subject, at), identity);
  return causedEvent(contracts.failed, cause, contracts.producer, { step: contracts.step, attempt, code: result.code, reason: result.reason, failedAt: at }, identity);
};

/** The events that report attempts made on requests (see `attemptSteps`): one each, caused by its ask. */
export const outcomeEvents = <E extends object, R, V extends EventContract>(
  contracts: StepContracts<E, R, V>,
  attempts: ReadonlyArray<{ readonly ask: StepAsk<R>; readonly result: StepResult<E> }>,
  source: EventSource,
): OutgoingEvent[] => attempts.map(({ ask, result }) => outcomeEvent(contracts, ask.cause, ask.request, result, source));

/** The event that confirms a step was undone, and what was undone. */
export const compensatedEvent = (contracts: Pick<StepContracts<object, never, EventContract>, 'producer' | 'step' | 'compensated'>, cause: EventEnvelope, what: string, source: EventSource): OutgoingEvent => {
  const identity = stamp(source);
  if (!contracts.compensated) throw new Error(`step ${contracts.step} has no automatic undo: a person records it, and no compensated event is reported`);
  return causedEvent(contracts.compensated, cause, contracts.producer, { step: contracts.step, undone: what, compensatedAt: identity.occurredAt.toISOString() }, identity);
};
