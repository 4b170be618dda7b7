import { definitionOfRequest, type EventEnvelope, type JourneyRequestedPayload } from '@closeloop/contracts';

import { TerminalError } from './errors';

/** The journey request an event carries: a journey request itself, or the `request` of a retry or compensation request. */
const requestOf = (event: EventEnvelope): JourneyRequestedPayload | undefined => {
  const payload = event.payload as { type?: unknown; definitionVersion?: unknown; request?: JourneyRequestedPayload };
  if (typeof payload.type === 'string' && typeof payload.definitionVersion === 'number') return payload as JourneyRequestedPayload;
  return payload.request;
};

/**
 * A journey runs by the definition its request carries (intake's registry put it there), or, for
 * a request from before definitions travelled with it, by the shipped definition of its version.
 * A domain acts only on a journey whose definition is valid against the event contracts it knows,
 * since assurance would not close the loop on anything else: any other event is a terminal error,
 * so the batch server dead-letters that event alone, with this reason, and goes on.
 */
export const refuseUntrackedDefinitions = <E extends EventEnvelope>(events: readonly E[]): readonly E[] => {
  for (const event of events) {
    const request = requestOf(event);
    if (request && !definitionOfRequest(request)) {
      throw new TerminalError(
        'UNTRACKED_DEFINITION',
        request.definition
          ? `journey ${event.requestId} carries a ${request.type} definition v${request.definitionVersion} that is not valid against the event contracts this service knows: nothing is done for it`
          : `journey ${event.requestId} is a ${request.type} of definition v${request.definitionVersion}, which it does not carry and which is not a shipped definition: nothing is done for it`,
      );
    }
  }
  return events;
};
