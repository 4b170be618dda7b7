import {
  AccessCompensatedV1,
  AccessFailedV1,
  AccessVerifiedV1,
  AccountCompensatedV1,
  AccountFailedV1,
  AccountVerifiedV1,
  AppAccessChangedV1,
  ApprovalDecidedV1,
  ApprovalEscalatedV1,
  ApprovalReminderV1,
  ApprovalRequestedV1,
  AssetRetiredV1,
  AssignmentCompensatedV1,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  DirectoryAccessChangedV1,
  JourneyCancelRequestedV1,
  JourneyRequestedV1,
  LicenceActivatedV1,
  ReconciliationCompensatedV1,
  RecordsReconciledV1,
  RetirementCompensatedV1,
} from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { TrackingService } from './tracking.service';

/**
 * Assurance observes every event of a journey; it never commands the happy path. Each topic
 * has its own pattern (the transport subscribes to exactly these); all go the same way.
 */
@EventHandlers()
export class TrackingHandler {
  constructor(private readonly tracking: TrackingService) {}

  @EventPattern(JourneyRequestedV1.topic)
  onJourneyRequested(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(JourneyCancelRequestedV1.topic)
  onCancelRequested(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  // Verification signals
  @EventPattern(AccountVerifiedV1.topic)
  onAccountVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccessVerifiedV1.topic)
  onAccessVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ComplianceVerifiedV1.topic)
  onComplianceVerified(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(DirectoryAccessChangedV1.topic)
  onDirectoryAccessChanged(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AppAccessChangedV1.topic)
  onAppAccessChanged(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(LicenceActivatedV1.topic)
  onLicenceActivated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AssetRetiredV1.topic)
  onAssetRetired(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(RecordsReconciledV1.topic)
  onRecordsReconciled(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  // Step failures
  @EventPattern(AccountFailedV1.topic)
  onAccountFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(AccessFailedV1.topic)
  onAccessFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ComplianceFailedV1.topic)
  onComplianceFailed(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  // Compensations confirmed
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

  @EventPattern(RetirementCompensatedV1.topic)
  onRetirementCompensated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ReconciliationCompensatedV1.topic)
  onReconciliationCompensated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  // People's decisions at intake: the audit trail, and approval on exception / attestation
  @EventPattern(ApprovalRequestedV1.topic)
  onApprovalRequested(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ApprovalReminderV1.topic)
  onApprovalReminder(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ApprovalEscalatedV1.topic)
  onApprovalEscalated(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }

  @EventPattern(ApprovalDecidedV1.topic)
  onApprovalDecided(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }
}
