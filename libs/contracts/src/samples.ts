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

export const SAMPLE_TIME = '2026-01-01T09:00:00.000Z';
const TASK = '5b0c6a1e-9d2f-4e3a-8b7c-1d2e3f4a5b6c';
const failure = { step: 'identity', attempt: 1, code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: SAMPLE_TIME };

const REQUESTED = {
  type: 'new-hire',
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
  groups: ['staff'],
  apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
  device: { model: 'laptop-14' },
  definitionVersion: 1,
  requestedAt: SAMPLE_TIME,
};

/**
 * A valid payload for every event contract (a test fixture: contract tests parse them, the
 * security stage starts its poison from them). A new contract gets one here; the contract tests
 * fail, naming the topic, until it has.
 */
export const SAMPLE_PAYLOADS: Record<string, unknown> = {
  [JourneyRequestedV1.topic]: REQUESTED,
  [AccountVerifiedV1.topic]: { accountId: 'u-E1', employeeId: 'E1', enabled: true, groups: ['staff'], verifiedAt: SAMPLE_TIME },
  [AccountFailedV1.topic]: failure,
  [AccessVerifiedV1.topic]: { accountId: 'u-E1', grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: SAMPLE_TIME },
  [AccessFailedV1.topic]: failure,
  [ComplianceVerifiedV1.topic]: { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', enrolled: true, compliant: true, checkedAt: SAMPLE_TIME },
  [ComplianceFailedV1.topic]: failure,
  [OutcomeConfirmedV1.topic]: {
    definitionVersion: 1,
    signals: [{ signal: AccountVerifiedV1.topic, eventId: '9c4b1f7e-3f0a-4c1e-8f5e-2d7a9b0c1d2e', at: SAMPLE_TIME, evidence: { accountId: 'u-E1' } }],
    startedAt: SAMPLE_TIME,
    confirmedAt: SAMPLE_TIME,
    durationMs: 1200,
  },
  [JourneyFailedV1.topic]: { step: 'identity', code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: SAMPLE_TIME },
  [StepStalledV1.topic]: { step: 'saas', attempt: 1, deadlineAt: SAMPLE_TIME, detectedAt: SAMPLE_TIME },
  [StepRetryRequestedV1.topic]: { step: 'saas', owner: 'saas', attempt: 2, reason: 'DEADLINE_MISSED', request: REQUESTED, evidence: { 'identity.account.verified.v1': { accountId: 'u-E1' } } },
  [JourneyCancelRequestedV1.topic]: { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' },
  [CompensationRequestedV1.topic]: { step: 'saas', owner: 'saas', attempt: 1, reason: 'cancelled', request: REQUESTED, evidence: {} },
  [AccountCompensatedV1.topic]: { step: 'identity', undone: 'account disabled, groups removed', compensatedAt: SAMPLE_TIME },
  [AccessCompensatedV1.topic]: { step: 'saas', undone: 'access revoked', compensatedAt: SAMPLE_TIME },
  [AssignmentCompensatedV1.topic]: { step: 'device', undone: 'device released', compensatedAt: SAMPLE_TIME },
  [JourneyCompensatedV1.topic]: { steps: ['device', 'saas', 'identity'], reason: 'cancelled', compensatedAt: SAMPLE_TIME },
  [DirectoryAccessChangedV1.topic]: { accountId: 'u-E1', employeeId: 'E1', removedGroups: ['sales'], grantedGroups: ['finance'], groups: ['staff', 'finance'], verifiedAt: SAMPLE_TIME },
  [AppAccessChangedV1.topic]: { accountId: 'u-E1', removedApps: ['salesforce'], grants: [{ app: 'netsuite', role: 'analyst', licence: 'standard', active: true }], verifiedAt: SAMPLE_TIME },
  [LicenceActivatedV1.topic]: { app: 'figma', accountId: 'u-E1', licenceType: 'professional', seats: 5, active: true, activatedAt: SAMPLE_TIME },
  [AssetRetiredV1.topic]: { assetTag: 'AT-0', state: 'retired', reason: 'broken', retiredAt: SAMPLE_TIME },
  [RecordsReconciledV1.topic]: { itsmRecordId: 'RITM0010001', assignedAssetTag: 'AT-1', retiredAssetTag: 'AT-0', agree: true, reconciledAt: SAMPLE_TIME },
  [RetirementCompensatedV1.topic]: { step: 'retirement', undone: 'asset AT-0 back in service', compensatedAt: SAMPLE_TIME },
  [ReconciliationCompensatedV1.topic]: { step: 'reconciliation', undone: 'ITSM record restored', compensatedAt: SAMPLE_TIME },
  [ApprovalRequestedV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'iam-approvers', dueAt: SAMPLE_TIME, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalReminderV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'iam-approvers', dueAt: SAMPLE_TIME, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalEscalatedV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'security-leads', fromGroup: 'iam-approvers', dueAt: SAMPLE_TIME, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalDecidedV1.topic]: { taskId: TASK, kind: 'attestation', decision: 'rejected', decidedBy: 'reviewer-1', comment: 'not needed', policyVersion: 1, rule: 'default', decidedAt: SAMPLE_TIME },
  [AccountDisabledV1.topic]: { accountId: 'u-E1', employeeId: 'E1', enabled: false, groups: [], removedGroups: ['staff'], sessionsRevoked: 2, activeSessions: 0, verifiedAt: SAMPLE_TIME },
  [AccessRevokedV1.topic]: { employeeId: 'E1', apps: [{ app: 'asana', active: false, roles: [], reclaimedLicences: ['standard'] }], verifiedAt: SAMPLE_TIME },
  [ReturnLoggedV1.topic]: { employeeId: 'E1', assets: [{ assetTag: 'AT-1', state: 'returned' }], stillAssigned: [], loggedAt: SAMPLE_TIME },
  [ReturnCompensatedV1.topic]: { step: 'device-return', undone: 'AT-1 assigned to E1 again', compensatedAt: SAMPLE_TIME },
  [ItsmRecordClosedV1.topic]: { itsmRecordId: 'RITM0010002', state: 'closed', closedAt: SAMPLE_TIME },
  [BadgeGrantedV1.topic]: { badgeId: 'B-1', employeeId: 'E1', active: true, zones: ['main-entrance'], verifiedAt: SAMPLE_TIME },
  [BadgeRevokedV1.topic]: { employeeId: 'E1', revokedBadges: ['B-1'], activeBadges: [], verifiedAt: SAMPLE_TIME },
  [BadgeFailedV1.topic]: { ...failure, step: 'badge' },
  [BadgeCompensatedV1.topic]: { step: 'badge', undone: 'badge B-1 deactivated', compensatedAt: SAMPLE_TIME },
  [JourneyEscalatedV1.topic]: { step: 'identity', attempts: 3, reason: 'VERIFICATION_MISMATCH: disabled', escalateTo: 'iam-operations', history: [{ at: SAMPLE_TIME, what: 'identity failed', detail: 'disabled' }] },
};

