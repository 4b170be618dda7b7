import type { EventContract, EventEnvelope, EventOf, JourneyType, PayloadOf } from './envelope';

export interface EventContext {
  readonly requestId: string;
  readonly journeyType: JourneyType;
  readonly producer: string;
  readonly causationId?: string;
}

export interface EventIdentity {
  readonly eventId: string;
  readonly occurredAt: Date;
}

/**
 * Builds an event of a contract. The id and the time come in from outside, so domain code that
 * builds events stays pure.
 */
export const buildEvent = <C extends EventContract>(
  contract: C,
  context: EventContext,
  payload: PayloadOf<C>,
  identity: EventIdentity,
): EventOf<C> => ({
  eventId: identity.eventId,
  eventType: contract.eventType,
  version: contract.version,
  requestId: context.requestId,
  journeyType: context.journeyType,
  occurredAt: identity.occurredAt.toISOString(),
  producer: context.producer,
  ...(context.causationId ? { causationId: context.causationId } : {}),
  payload,
});

/** The context of an event caused by another event of the same journey. */
export const causedBy = (cause: { eventId: string; requestId: string; journeyType: JourneyType }, producer: string): EventContext => ({
  requestId: cause.requestId,
  journeyType: cause.journeyType,
  producer,
  causationId: cause.eventId,
});

/** The attempt an event asks for: a retry request carries it; any other event starts attempt 1. */
export const requestedAttempt = (event: EventEnvelope): number => {
  const attempt = (event.payload as { attempt?: unknown } | null)?.attempt;
  return typeof attempt === 'number' ? attempt : 1;
};
