import {
  buildEvent,
  type JourneyCompensatedV1,
  type JourneyDefinitionDocument,
  type JourneyEscalatedV1,
  type JourneyFailedV1,
  type JourneyRequest,
  JourneyRequestedV1,
  type OutcomeConfirmedV1,
  type PolicyDecision,
  type RequestedVia,
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
  /** The policy version and rule that chose the control pattern; null for journeys from before policies. */
  readonly policy: PolicyDecision | null;
  readonly outcome: object | null;
  readonly failure: object | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The trace the journey started in; set by the database when the journey is stored. */
  readonly traceId?: string | null;
  /** The API key the journey was submitted with, and who created it; null when a person (or an upstream consumer) submitted it. */
  readonly requestedVia?: RequestedVia | null;
}

export interface NewJourneyInput {
  readonly request: JourneyRequest;
  readonly requestId: string;
  readonly eventId: string;
  readonly now: Date;
  readonly idempotencyKey: string | null;
  readonly requestHash: string;
  readonly definitionVersion: number;
  /** The definition the journey runs by (its version is `definitionVersion`): it travels in `journey.requested`. */
  readonly definition: JourneyDefinitionDocument;
  readonly policy: PolicyDecision;
  readonly requestedVia?: RequestedVia | null;
}

/**
 * Accepts a validated request: the journey row and, unless a person must approve it first, the
 * event that starts the choreography.
 */
export const acceptRequest = (input: NewJourneyInput): { journey: Journey; event: JourneyRequestedV1 | null } => {
  const awaiting = input.policy.control === 'pre-approval';
  const journey: Journey = {
    requestId: input.requestId,
    journeyType: input.request.type,
    status: awaiting ? 'awaiting-approval' : 'requested',
    requestedBy: input.request.requestedBy,
    request: input.request,
    idempotencyKey: input.idempotencyKey,
    requestHash: input.requestHash,
    definitionVersion: input.definitionVersion,
    policy: input.policy,
    outcome: null,
    failure: null,
    createdAt: input.now,
    updatedAt: input.now,
    requestedVia: input.requestedVia ?? null,
  };
  return { journey, event: awaiting ? null : requestedEvent(journey, input.definition, input.eventId, input.now) };
};

/** The event that starts the choreography, from the journey as accepted and the definition it runs by. */
export const requestedEvent = (journey: Journey, definition: JourneyDefinitionDocument, eventId: string, now: Date): JourneyRequestedV1 =>
  buildEvent(
    JourneyRequestedV1,
    { requestId: journey.requestId, journeyType: journey.request.type, producer: PRODUCER },
    {
      ...journey.request,
      definitionVersion: journey.definitionVersion,
      definition,
      requestedAt: journey.createdAt.toISOString(),
      ...(journey.policy ? { policy: journey.policy } : {}),
      ...(journey.requestedVia ? { requestedVia: journey.requestedVia } : {}),
    } as JourneyRequestedV1['payload'],
    { eventId, occurredAt: now },
  );

/** A pre-action approval was decided: the journey starts, or ends rejected (nothing ran). */
export const applyPreApproval = (journey: Journey, approved: boolean, reason: string, now: Date): Journey | null => {
  if (journey.status !== 'awaiting-approval') return null;
  return approved ? { ...journey, status: 'requested', updatedAt: now } : { ...journey, status: 'rejected', failure: { reason }, updatedAt: now };
};

export type AssuranceVerdict = OutcomeConfirmedV1 | JourneyEscalatedV1 | JourneyFailedV1 | JourneyCompensatedV1;

/**
 * What assurance decided about a journey, as intake shows it. A confirmed journey stays
 * confirmed: a late report never downgrades a verified outcome. An escalated journey can still
 * be confirmed (a person fixed it) or fail.
 */
export const applyAssuranceEvent = (journey: Journey, event: AssuranceVerdict, now: Date): Journey | null => {
  if (journey.status === 'compensated') return null;
  // A confirmed journey is undone only when its attestation was rejected.
  if (event.eventType === 'assurance.journey.compensated') return { ...journey, status: 'compensated', updatedAt: now };
  if (journey.status === 'confirmed') return null;
  switch (event.eventType) {
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
  if (journey.status === 'awaiting-approval') return { ...journey, status: 'rejected', failure: { reason: 'cancelled before approval' }, updatedAt: now };
  if (journey.status !== 'requested' && journey.status !== 'escalated') return 'ALREADY_ENDED';
  return { ...journey, status: 'cancelling', updatedAt: now };
};

export const toJourney = (entity: JourneyEntity): Journey => ({
  ...entity,
  request: entity.request as JourneyRequest,
  policy: entity.policy as PolicyDecision | null,
  requestedVia: entity.requestedVia as RequestedVia | null,
});

/** A field of a request and what is wrong with it. */
export interface RequestIssue {
  readonly field: string;
  readonly message: string;
}

/** Each value listed again after its first mention, with where. */
const repeats = (values: readonly string[], field: string, what: string): RequestIssue[] => {
  const first = new Map<string, number>();
  return values.flatMap((value, i) => {
    const at = first.get(value);
    if (at === undefined) {
      first.set(value, i);
      return [];
    }
    return [{ field: `${field}.${i}`, message: `${what} ${value} is listed more than once (first at ${field}.${at}): name each ${what} once` }];
  });
};

/**
 * A request names each group and each app at most once per list: a second mention would be
 * another role or licence for the same app, or the same group twice, and it is never clear
 * which one is meant. Apps are compared by app name.
 */
export const duplicateIssues = (request: JourneyRequest): RequestIssue[] => {
  switch (request.type) {
    case 'new-hire':
      return [...repeats(request.groups, 'groups', 'group'), ...repeats(request.apps.map((a) => a.app), 'apps', 'app')];
    case 'access-change':
      return [
        ...repeats(request.remove.groups, 'remove.groups', 'group'),
        ...repeats(request.remove.apps, 'remove.apps', 'app'),
        ...repeats(request.grant.groups, 'grant.groups', 'group'),
        ...repeats(request.grant.apps.map((a) => a.app), 'grant.apps', 'app'),
      ];
    default:
      return [];
  }
};
