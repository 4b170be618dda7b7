import { AccessCompensatedV1, AccountCompensatedV1, AssignmentCompensatedV1 } from '../compensation';
import { ComplianceFailedV1 } from '../device/compliance-failed.v1';
import { ComplianceVerifiedV1 } from '../device/compliance-verified.v1';
import { AssetRetiredV1, ReconciliationCompensatedV1, RecordsReconciledV1, RetirementCompensatedV1 } from '../device/replacement.v1';
import { DirectoryAccessChangedV1 } from '../identity/access-changed.v1';
import { AccountFailedV1 } from '../identity/account-failed.v1';
import { AccountVerifiedV1 } from '../identity/account-verified.v1';
import { AppAccessChangedV1 } from '../saas/access-changed.v1';
import { AccessFailedV1 } from '../saas/access-failed.v1';
import { LicenceActivatedV1 } from '../saas/licence-activated.v1';
import type { JourneyDefinition, RetryPolicy } from './journey-definition';

const RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: 500, maxBackoffMs: 5000, jitter: 0.2 };
const DEADLINE_MS = 15000;

/**
 * Access change, version 1: the directory groups change first (the account is the anchor), then
 * the app access. Done when both read-backs show the old access gone and the new access active.
 * Compensation restores the access as it was.
 */
export const ACCESS_CHANGE_V1: JourneyDefinition<'access-change'> = {
  type: 'access-change',
  version: 1,
  steps: [
    {
      name: 'directory-access',
      owner: 'identity',
      completedBy: DirectoryAccessChangedV1,
      failedBy: AccountFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'iam-operations',
      compensatedBy: AccountCompensatedV1,
    },
    {
      name: 'app-access',
      owner: 'saas',
      completedBy: AppAccessChangedV1,
      failedBy: AccessFailedV1,
      after: ['directory-access'],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'saas-administration',
      compensatedBy: AccessCompensatedV1,
    },
  ],
  doneWhen: [DirectoryAccessChangedV1, AppAccessChangedV1],
};

/**
 * Device replacement, version 1: the replacement assigned, enrolled and compliant; the retired
 * asset logged in asset management; then the ITSM record reconciled with the asset records.
 */
export const DEVICE_REPLACEMENT_V1: JourneyDefinition<'device-replacement'> = {
  type: 'device-replacement',
  version: 1,
  steps: [
    {
      name: 'replacement',
      owner: 'device',
      completedBy: ComplianceVerifiedV1,
      failedBy: ComplianceFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'end-user-computing',
      compensatedBy: AssignmentCompensatedV1,
    },
    {
      name: 'retirement',
      owner: 'device',
      completedBy: AssetRetiredV1,
      failedBy: ComplianceFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'asset-management',
      compensatedBy: RetirementCompensatedV1,
    },
    {
      name: 'reconciliation',
      owner: 'device',
      completedBy: RecordsReconciledV1,
      failedBy: ComplianceFailedV1,
      after: ['replacement', 'retirement'],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'service-desk',
      compensatedBy: ReconciliationCompensatedV1,
    },
  ],
  doneWhen: [ComplianceVerifiedV1, AssetRetiredV1, RecordsReconciledV1],
};

/**
 * SaaS licensing, version 1: the subject's account must exist and be enabled, then the licence
 * seats are assigned. Done when the SaaS admin tool reports the activation, not when the
 * approval closes.
 */
export const SAAS_LICENSING_V1: JourneyDefinition<'saas-licensing'> = {
  type: 'saas-licensing',
  version: 1,
  steps: [
    {
      name: 'account-check',
      owner: 'identity',
      completedBy: AccountVerifiedV1,
      failedBy: AccountFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'iam-operations',
      compensatedBy: AccountCompensatedV1,
    },
    {
      name: 'licence',
      owner: 'saas',
      completedBy: LicenceActivatedV1,
      failedBy: AccessFailedV1,
      after: ['account-check'],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'saas-administration',
      compensatedBy: AccessCompensatedV1,
    },
  ],
  doneWhen: [AccountVerifiedV1, LicenceActivatedV1],
};
