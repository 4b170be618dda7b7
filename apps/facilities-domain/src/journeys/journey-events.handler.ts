import { CompensationRequestedV1, compensationsOf, JourneyRequestedV1, requestsFor, retriesOf, startTopicsOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { NEW_HIRE_BADGE } from '../issuance/issuance.domain';
import { IssuanceService } from '../issuance/issuance.service';
import { OFFBOARDING_BADGE } from '../offboarding/offboarding.domain';
import { OffboardingService } from '../offboarding/offboarding.service';

/**
 * What facilities-domain hears of as the step owner `facilities`, as the journey definitions say
 * (`ownerTopics('facilities')` of @closeloop/contracts): every journey request, retry and
 * compensation request, and the verified event of each predecessor another owner runs before one
 * of its steps (`startTopicsOf('facilities')`: none, both badge steps start with the request).
 *
 * Each journey's events go to the service that runs its badge step, when the definition the
 * journey runs by has that step: a new hire of version 2 gets a badge, a leaver's badges are
 * revoked; a new hire of version 1, an access change, a device replacement or SaaS licensing has
 * no badge step, and its events are left alone. A request of a definition this service cannot
 * read is dead-lettered, as in every domain service.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly issuance: IssuanceService,
    private readonly offboardings: OffboardingService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.issuance.issueBadges(requestsFor(NEW_HIRE_BADGE, batch.events));
    await this.offboardings.revokeBadges(requestsFor(OFFBOARDING_BADGE, batch.events));
  }

  /** A predecessor another owner runs is verified: the step that waited for it can start (none of the badge steps waits). */
  @EventPattern(startTopicsOf('facilities'))
  async onPredecessorVerified(@Payload() _batch: EventBatch): Promise<void> {
    // Both badge steps start with the journey request.
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.issuance.retry(retriesOf(NEW_HIRE_BADGE, batch.events));
    await this.offboardings.retry(retriesOf(OFFBOARDING_BADGE, batch.events));
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.issuance.compensate(compensationsOf(NEW_HIRE_BADGE, batch.events));
    await this.offboardings.compensate(compensationsOf(OFFBOARDING_BADGE, batch.events));
  }
}
