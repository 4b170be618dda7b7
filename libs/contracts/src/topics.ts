import { JourneyEscalatedV1 } from './assurance/journey-escalated.v1';
import { JourneyFailedV1 } from './assurance/journey-failed.v1';
import { OutcomeConfirmedV1 } from './assurance/outcome-confirmed.v1';
import { StepRetryRequestedV1 } from './assurance/step-retry-requested.v1';
import { StepStalledV1 } from './assurance/step-stalled.v1';
import {
  AccessCompensatedV1,
  AccountCompensatedV1,
  AssignmentCompensatedV1,
  CompensationRequestedV1,
  JourneyCancelRequestedV1,
  JourneyCompensatedV1,
} from './compensation';
import { ComplianceFailedV1 } from './device/compliance-failed.v1';
import { ComplianceVerifiedV1 } from './device/compliance-verified.v1';
import { ItsmRecordClosedV1, ReturnCompensatedV1, ReturnLoggedV1 } from './device/offboarding.v1';
import { AssetRetiredV1, ReconciliationCompensatedV1, RecordsReconciledV1, RetirementCompensatedV1 } from './device/replacement.v1';
import type { EventContract } from './envelope';
import { BadgeCompensatedV1, BadgeFailedV1, BadgeGrantedV1, BadgeRevokedV1 } from './facilities/badge.v1';
import { DirectoryAccessChangedV1 } from './identity/access-changed.v1';
import { AccountDisabledV1 } from './identity/account-disabled.v1';
import { AccountFailedV1 } from './identity/account-failed.v1';
import { AccountVerifiedV1 } from './identity/account-verified.v1';
import { ApprovalDecidedV1, ApprovalEscalatedV1, ApprovalReminderV1, ApprovalRequestedV1 } from './intake/approvals.v1';
import { JourneyRequestedV1 } from './intake/journey-requested.v1';
import { AppAccessChangedV1 } from './saas/access-changed.v1';
import { AccessFailedV1 } from './saas/access-failed.v1';
import { AccessRevokedV1 } from './saas/access-revoked.v1';
import { AccessVerifiedV1 } from './saas/access-verified.v1';
import { LicenceActivatedV1 } from './saas/licence-activated.v1';

/** Every event contract, by topic. */
export const EVENT_CONTRACTS: readonly EventContract[] = [
  JourneyRequestedV1,
  AccountVerifiedV1,
  AccountFailedV1,
  AccessVerifiedV1,
  AccessFailedV1,
  ComplianceVerifiedV1,
  ComplianceFailedV1,
  OutcomeConfirmedV1,
  JourneyFailedV1,
  StepStalledV1,
  StepRetryRequestedV1,
  JourneyEscalatedV1,
  JourneyCancelRequestedV1,
  CompensationRequestedV1,
  AccountCompensatedV1,
  AccessCompensatedV1,
  AssignmentCompensatedV1,
  JourneyCompensatedV1,
  DirectoryAccessChangedV1,
  AppAccessChangedV1,
  LicenceActivatedV1,
  AssetRetiredV1,
  RecordsReconciledV1,
  RetirementCompensatedV1,
  ReconciliationCompensatedV1,
  ApprovalRequestedV1,
  ApprovalReminderV1,
  ApprovalEscalatedV1,
  ApprovalDecidedV1,
  AccountDisabledV1,
  AccessRevokedV1,
  ReturnLoggedV1,
  ReturnCompensatedV1,
  ItsmRecordClosedV1,
  BadgeGrantedV1,
  BadgeRevokedV1,
  BadgeFailedV1,
  BadgeCompensatedV1,
];

export const contractForTopic = (topic: string): EventContract | undefined => EVENT_CONTRACTS.find((c) => c.topic === topic);
