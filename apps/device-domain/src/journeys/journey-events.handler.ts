import { CompensationRequestedV1, JourneyRequestedV1, startTopicsOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { compensationsOf, requestsFor, retriesOf } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { NEW_HIRE_DEVICE } from '../enrolment/enrolment.domain';
import { EnrolmentService } from '../enrolment/enrolment.service';
import { DEVICE_RETURN, ITSM_CLOSURE } from '../offboarding/offboarding.domain';
import { OffboardingService, type PredecessorVerified } from '../offboarding/offboarding.service';
import { RECONCILIATION, REPLACEMENT, RETIREMENT } from '../replacement/replacement.domain';
import { ReplacementService } from '../replacement/replacement.service';

const REPLACEMENT_STEPS = [REPLACEMENT, RETIREMENT, RECONCILIATION];
const OFFBOARDING_STEPS = [DEVICE_RETURN, ITSM_CLOSURE];

/**
 * Hands each journey's events to the service that runs this domain's steps of that journey type;
 * access changes and SaaS licensing have no device step, so their events are left alone.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly enrolment: EnrolmentService,
    private readonly replacements: ReplacementService,
    private readonly offboardings: OffboardingService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.enrolDevices(requestsFor(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.onRequested(requestsFor(REPLACEMENT, batch.events));
    await this.offboardings.onRequested(requestsFor(DEVICE_RETURN, batch.events));
  }

  /**
   * A predecessor another owner runs is verified (the definitions say which: identity's disabled
   * account, saas's revoked access and facilities' revoked badge, before a leaver's ITSM closure).
   */
  @EventPattern(startTopicsOf('device'))
  async onPredecessorVerified(@Payload() batch: EventBatch): Promise<void> {
    const offboardings = (batch.events as readonly PredecessorVerified[]).filter((e) => e.journeyType === ITSM_CLOSURE.journeyType);
    await this.offboardings.onPredecessorVerified(batch.topic, offboardings);
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.retry(retriesOf(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.onRetryRequested(REPLACEMENT_STEPS.flatMap((step) => retriesOf(step, batch.events)));
    await this.offboardings.onRetryRequested(OFFBOARDING_STEPS.flatMap((step) => retriesOf(step, batch.events)));
  }

  /** The ITSM closure has no automatic undo (assurance sends a person for it): only the return is compensated here. */
  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.enrolment.compensate(compensationsOf(NEW_HIRE_DEVICE, batch.events));
    await this.replacements.compensate(REPLACEMENT_STEPS.flatMap((step) => compensationsOf(step, batch.events)));
    await this.offboardings.compensate(compensationsOf(DEVICE_RETURN, batch.events));
  }
}
