import { type EventEnvelope, findDefinition, type JourneyRequestedPayload, type JourneyType } from '@closeloop/contracts';

import { TerminalError } from './errors';

/** The journey request an event carries: a journey request itself, or the `request` of a retry or compensation request. */
const requestOf = (event: EventEnvelope): JourneyRequestedPayload | undefined => {
  const payload = event.payload as { type?: unknown; definitionVersion?: unknown; request?: JourneyRequestedPayload };
  if (typeof payload.type === 'string' && typeof payload.definitionVersion === 'number') return payload as JourneyRequestedPayload;
  return payload.request;
};

/**
 * One source decides which journey definitions are live: the catalogue in libs/contracts, which
 * assurance tracks journeys by. A domain acts only on a journey whose definition assurance knows,
 * since nobody would close the loop on anything else: an event of an unknown type or version is a
 * terminal error, so the batch server dead-letters that event alone, with this reason, and goes on.
 */
export const refuseUntrackedDefinitions = <E extends EventEnvelope>(events: readonly E[]): readonly E[] => {
  for (const event of events) {
    const request = requestOf(event);
    if (request && !findDefinition(request.type as JourneyType, request.definitionVersion)) {
      throw new TerminalError('UNTRACKED_DEFINITION', `journey ${event.requestId} is a ${request.type} of definition v${request.definitionVersion}, which is not a live definition (libs/contracts journey catalogue): nothing is done for it`);
    }
  }
  return events;
};
