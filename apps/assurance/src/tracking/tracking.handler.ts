import {
  AccessCompensatedV1,
  AccessFailedV1,
  AccessVerifiedV1,
  AccountCompensatedV1,
  AccountFailedV1,
  AccountVerifiedV1,
  AssignmentCompensatedV1,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  JourneyCancelRequestedV1,
  JourneyRequestedV1,
} from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { TrackingService } from './tracking.service';

/** Assurance observes every event of a journey; it never commands the happy path. */
@EventHandlers()
export class TrackingHandler {
  constructor(private readonly tracking: TrackingService) {}

  @EventPattern(JourneyRequestedV1.topic)
  onJourneyRequested(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccountVerifiedV1.topic)
  onAccountVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccountFailedV1.topic)
  onAccountFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccessVerifiedV1.topic)
  onAccessVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccessFailedV1.topic)
  onAccessFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ComplianceVerifiedV1.topic)
  onComplianceVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ComplianceFailedV1.topic)
  onComplianceFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(JourneyCancelRequestedV1.topic)
  onCancelRequested(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccountCompensatedV1.topic)
  onAccountCompensated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccessCompensatedV1.topic)
  onAccessCompensated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AssignmentCompensatedV1.topic)
  onAssignmentCompensated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }
}
