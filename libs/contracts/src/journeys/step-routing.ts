import type { StepRetryRequestedV1 } from '../assurance/step-retry-requested.v1';
import type { CompensationRequestedV1 } from '../compensation';
import type { EventEnvelope, JourneyType } from '../envelope';
import { isRequestOf, type JourneyRequestedPayload, type JourneyRequestedV1, type RequestedOf } from '../intake/journey-requested.v1';
import { definitionOfRequest } from './journey-catalogue';
import type { JourneyDefinition } from './journey-definition';

/*
 * How a domain service picks the events meant for one of its steps: by journey type, and for
 * retries and compensations by owner and step name (one owner may run several steps).
 */

/** A journey request of one type. */
export type Requested<T extends JourneyType> = EventEnvelope<RequestedOf<T>>;
/** A retry request for a step of one journey type. */
export type RetryOf<T extends JourneyType> = EventEnvelope<Omit<StepRetryRequestedV1['payload'], 'request'> & { request: RequestedOf<T> }>;
/** A compensation request for a step of one journey type. */
export type CompensationOf<T extends JourneyType> = EventEnvelope<Omit<CompensationRequestedV1['payload'], 'request'> & { request: RequestedOf<T> }>;

/** The step of a journey definition this service runs. */
export interface OwnStep<T extends JourneyType> {
  readonly journeyType: T;
  readonly owner: string;
  readonly step: string;
}

/**
 * The handle of a step a service runs, taken from a definition it takes part in: the step must
 * be there, with that owner, or the service does not start (a renamed step cannot go unnoticed).
 */
export const ownStep = <T extends JourneyType>(owner: string, definition: JourneyDefinition<T>, step: string): OwnStep<T> => {
  const found = definition.steps.find((s) => s.name === step);
  if (!found) throw new Error(`${definition.type} v${definition.version} has no step ${step}`);
  if (found.owner !== owner) throw new Error(`the step ${step} of ${definition.type} v${definition.version} is ${found.owner}'s, not ${owner}'s`);
  return { journeyType: definition.type, owner, step };
};

/** Whether the definition the request runs by has this step, run by this owner: a version without it asks nothing of the owner. */
export const runsStep = (own: OwnStep<JourneyType>, request: JourneyRequestedPayload): boolean =>
  request.type === own.journeyType && (definitionOfRequest(request)?.steps.some((s) => s.name === own.step && s.owner === own.owner) ?? false);

/** Journey requests whose definition has this step. */
export const requestsFor = <T extends JourneyType>(own: OwnStep<T>, events: readonly JourneyRequestedV1[]): Array<Requested<T>> =>
  events.filter((e): e is Requested<T> => runsStep(own, e.payload));

/** Journey requests of one type, whatever their steps. */
export const requestsOf = <T extends JourneyType>(type: T, events: readonly JourneyRequestedV1[]): Array<Requested<T>> =>
  events.filter((e): e is Requested<T> => isRequestOf(type, e.payload));

/** Retry requests meant for this step: the owner and the step name both match, and the journey's definition has the step. */
export const retriesOf = <T extends JourneyType>(own: OwnStep<T>, events: readonly StepRetryRequestedV1[]): Array<RetryOf<T>> =>
  events.filter((e): e is RetryOf<T> => e.payload.owner === own.owner && e.payload.step === own.step && runsStep(own, e.payload.request));

/** Compensation requests meant for this step. */
export const compensationsOf = <T extends JourneyType>(own: OwnStep<T>, events: readonly CompensationRequestedV1[]): Array<CompensationOf<T>> =>
  events.filter((e): e is CompensationOf<T> => e.payload.owner === own.owner && e.payload.step === own.step && runsStep(own, e.payload.request));
