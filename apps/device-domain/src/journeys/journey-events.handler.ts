import { CompensationRequestedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { compensationsOf, requestsFor, retriesOf } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { NEW_HIRE_DEVICE } from '../enrolment/enrolment.domain';
import { EnrolmentService } from '../enrolment/enrolment.service';
import { RECONCILIATION, REPLACEMENT, RETIREMENT } from '../replacement/replacement.domain';
import { ReplacementService } from '../replacement/replacement.service';

const REPLACEMENT_STEPS = [REPLACEMENT, RETIREMENT, RECONCILIATION];

/**
 * Hands each journey's events to the service that runs this domain's steps of that journey type;
 * access changes and SaaS licensing have no device step, so their events are left alone.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly replacements: ReplacementService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.enrolDevices(requestsFor(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.onRequested(requestsFor(REPLACEMENT, batch.events));
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.retry(retriesOf(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.onRetryRequested(REPLACEMENT_STEPS.flatMap((step) => retriesOf(step, batch.events)));
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.compensate(compensationsOf(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.compensate(REPLACEMENT_STEPS.flatMap((step) => compensationsOf(step, batch.events)));
  }
}
