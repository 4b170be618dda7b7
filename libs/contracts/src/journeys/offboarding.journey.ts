import { AccessCompensatedV1, AccountCompensatedV1 } from '../compensation';
import { ComplianceFailedV1 } from '../device/compliance-failed.v1';
import { ItsmRecordClosedV1, ReturnCompensatedV1, ReturnLoggedV1 } from '../device/offboarding.v1';
import { BadgeCompensatedV1, BadgeFailedV1, BadgeRevokedV1 } from '../facilities/badge.v1';
import { AccountDisabledV1 } from '../identity/account-disabled.v1';
import { AccountFailedV1 } from '../identity/account-failed.v1';
import { AccessFailedV1 } from '../saas/access-failed.v1';
import { AccessRevokedV1 } from '../saas/access-revoked.v1';
import type { JourneyDefinition, RetryPolicy } from './journey-definition';

const RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: 500, maxBackoffMs: 5000, jitter: 0.2 };
const DEADLINE_MS = 15000;

/**
 * Offboarding (a leaver), version 1. Everything the employee had is taken back at once, side by
 * side: the account disabled with its sessions revoked and its groups removed, the app access
 * revoked and the licences reclaimed, the badge revoked, the devices logged as returned in asset
 * management. Once all four are read back, the ITSM record is closed and read back.
 * Compensation (a cancelled offboarding: the employee stays) gives back what was taken, each
 * owner restoring what it recorded before; a closed ITSM record has no automatic undo, so a
 * person of the service desk decides on it.
 */
export const OFFBOARDING_V1: JourneyDefinition<'offboarding'> = {
  type: 'offboarding',
  version: 1,
  description: 'account, app access, badge and devices taken back, then the ITSM record closed, each read back',
  steps: [
    {
      name: 'account',
      owner: 'identity',
      completedBy: AccountDisabledV1,
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
      completedBy: AccessRevokedV1,
      failedBy: AccessFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'saas-administration',
      compensatedBy: AccessCompensatedV1,
    },
    {
      name: 'badge',
      owner: 'facilities',
      completedBy: BadgeRevokedV1,
      failedBy: BadgeFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'facilities-desk',
      compensatedBy: BadgeCompensatedV1,
    },
    {
      name: 'device-return',
      owner: 'device',
      completedBy: ReturnLoggedV1,
      failedBy: ComplianceFailedV1,
      after: [],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'asset-management',
      compensatedBy: ReturnCompensatedV1,
    },
    {
      name: 'itsm-closure',
      owner: 'device',
      completedBy: ItsmRecordClosedV1,
      failedBy: ComplianceFailedV1,
      after: ['account', 'app-access', 'badge', 'device-return'],
      deadlineMs: DEADLINE_MS,
      retry: RETRY,
      escalateTo: 'service-desk',
      compensatedBy: null,
    },
  ],
  doneWhen: [AccountDisabledV1, AccessRevokedV1, BadgeRevokedV1, ReturnLoggedV1, ItsmRecordClosedV1],
};
