import {
  buildEvent,
  type JourneyCompensatedV1,
  type JourneyEscalatedV1,
  type JourneyFailedV1,
  JourneyRequestedV1,
  type JourneyRequest,
  type OutcomeConfirmedV1,
} from '@closeloop/contracts';

import type { JourneyEntity, JourneyStatus } from './journey.entity';

export const PRODUCER = 'intake';

export interface Journey {
  readonly requestId: string;
  readonly journeyType: string;
  readonly status: JourneyStatus;
  readonly requestedBy: string;
  readonly request: JourneyRequest;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
  readonly definitionVersion: number;
  readonly outcome: object | null;
  readonly failure: object | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewJourneyInput {
  readonly request: JourneyRequest;
  readonly requestId: string;
  readonly eventId: string;
  readonly now: Date;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
  readonly definitionVersion: number;
}

/** Accepts a validated request: the journey row and the event that starts the choreography. */
export const acceptRequest = (input: NewJourneyInput): { journey: Journey; event: JourneyRequestedV1 } => {
  const journey: Journey = {
    requestId: input.requestId,
    journeyType: input.request.type,
    status: 'requested',
    requestedBy: input.request.requestedBy,
    request: input.request,
    idempotencyKey: input.idempotencyKey,
    requestHash: input.requestHash,
    definitionVersion: input.definitionVersion,
    outcome: null,
    failure: null,
    createdAt: input.now,
    updatedAt: input.now,
  };
  const event = buildEvent(
    JourneyRequestedV1,
    { requestId: input.requestId, journeyType: input.request.type, producer: PRODUCER },
    { ...input.request, definitionVersion: input.definitionVersion, requestedAt: input.now.toISOString() },
    { eventId: input.eventId, occurredAt: input.now },
  );
  return { journey, event };
};

export type AssuranceVerdict = OutcomeConfirmedV1 | JourneyEscalatedV1 | JourneyFailedV1 | JourneyCompensatedV1;

/**
 * What assurance decided about a journey, as intake shows it. A confirmed journey stays
 * confirmed: a late report never downgrades a verified outcome. An escalated journey can still
 * be confirmed (a person fixed it) or fail.
 */
export const applyAssuranceEvent = (journey: Journey, event: AssuranceVerdict, now: Date): Journey | null => {
  if (journey.status === 'confirmed' || journey.status === 'compensated') return null;
  switch (event.eventType) {
    case 'assurance.journey.compensated':
      return { ...journey, status: 'compensated', updatedAt: now };
    case 'assurance.outcome.confirmed':
      return journey.status === 'failed' ? null : { ...journey, status: 'confirmed', outcome: event.payload, updatedAt: now };
    case 'assurance.journey.escalated':
      // Forward steps, or a compensation, wait on a person.
      return journey.status === 'escalated' ? null : { ...journey, status: 'escalated', failure: event.payload, updatedAt: now };
    default:
      return journey.status === 'failed' ? null : { ...journey, status: 'failed', failure: event.payload, updatedAt: now };
  }
};

export type CancelRefusal = 'ALREADY_CONFIRMED' | 'ALREADY_ENDED';

/** A journey can be cancelled until it is confirmed or has ended; assurance then compensates it. */
export const cancelJourney = (journey: Journey, now: Date): Journey | CancelRefusal => {
  if (journey.status === 'confirmed') return 'ALREADY_CONFIRMED';
  if (journey.status !== 'requested' && journey.status !== 'escalated') return 'ALREADY_ENDED';
  return { ...journey, status: 'cancelling', updatedAt: now };
};

export const toJourney = (entity: JourneyEntity): Journey => ({ ...entity, request: entity.request as JourneyRequest });
