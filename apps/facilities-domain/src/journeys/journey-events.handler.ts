import { CompensationRequestedV1, JourneyRequestedV1, startTopicsOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * What facilities-domain hears of as the step owner `facilities`, as the journey definitions say
 * (`ownerTopics('facilities')` of @closeloop/contracts): every journey request, retry and
 * compensation request, and the verified event of each predecessor another owner runs before one
 * of its steps (`startTopicsOf('facilities')`: none until a definition has such a step).
 *
 * No step yet: the events are acknowledged and nothing is done; a request of a definition this
 * service cannot read is still dead-lettered, as in every domain service. The first step is handed
 * its events where each method says (docs/add-a-domain-service.md, "The first step").
 */
@EventHandlers()
export class JourneyEventsHandler {
  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    // The first step: its service gets the requests it runs, `requestsFor(<its step>, batch.events)`.
  }

  /** A predecessor another owner runs is verified: the step that waited for it can start. */
  @EventPattern(startTopicsOf('facilities'))
  async onPredecessorVerified(@Payload() _batch: EventBatch): Promise<void> {
    // A step that starts after another owner's step: its service gets the batch's events of its journey type.
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    // The first step: its service retries `retriesOf(<its step>, batch.events)`.
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    // The first step: its service undoes `compensationsOf(<its step>, batch.events)`.
  }
}
