import type { EventEnvelope } from '@closeloop/contracts';

/** One event asking a step to run for a journey: the request it carries, and whether assurance asks again. */
export interface StepAsk<R> {
  readonly cause: EventEnvelope;
  readonly request: R;
  readonly retry: boolean;
}

/** What a batch holds: events, or asks made of them. */
export type Claimable = EventEnvelope | { readonly cause: EventEnvelope };

/** The event behind an item of a batch. */
export const envelopeOf = (item: Claimable): EventEnvelope => ('cause' in item ? item.cause : item);

/** The journey an item of a batch is about. */
export const journeyOf = (item: Claimable): string => envelopeOf(item).requestId;

/** Keeps the retries and compensations meant for this step, not for another step of the journey. */
export const forStep =
  (own: { readonly owner: string; readonly step: string }) =>
  (event: EventEnvelope<{ readonly owner: string; readonly step: string }>): boolean =>
    event.payload.owner === own.owner && event.payload.step === own.step;

/** Journey requests: a first attempt each. */
export const requestAsks = <R>(events: ReadonlyArray<EventEnvelope<R>>): Array<StepAsk<R>> => events.map((cause) => ({ cause, request: cause.payload, retry: false }));

/** Retry requests: the request travels with each. */
export const retryAsks = <R>(events: ReadonlyArray<EventEnvelope<{ readonly request: R }>>): Array<StepAsk<R>> =>
  events.map((cause) => ({ cause, request: cause.payload.request, retry: true }));

/** The items of a batch by journey, each journey's in batch order. */
export const byJourney = <T extends Claimable>(items: readonly T[]): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(journeyOf(item), [...(groups.get(journeyOf(item)) ?? []), item]);
  return groups;
};

/** The last item of each journey in the batch (the last request wins), by journey. */
export const latestByJourney = <T extends Claimable>(items: readonly T[]): Map<string, T> => new Map(items.map((item) => [journeyOf(item), item]));

/** The last item of each journey in the batch (the last request wins), in the order the journeys first appear. */
export const latestPerJourney = <T extends Claimable>(items: readonly T[]): T[] => [...latestByJourney(items).values()];
