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
import { AssetRetiredV1, ReconciliationCompensatedV1, RecordsReconciledV1, RetirementCompensatedV1 } from './device/replacement.v1';
import { defineEvent, type EventContract } from './envelope';
import { buildEvent } from './event-factory';
import { DirectoryAccessChangedV1 } from './identity/access-changed.v1';
import { AccountFailedV1 } from './identity/account-failed.v1';
import { AccountVerifiedV1 } from './identity/account-verified.v1';
import { ApprovalDecidedV1, ApprovalEscalatedV1, ApprovalReminderV1, ApprovalRequestedV1 } from './intake/approvals.v1';
import { JourneyRequestedV1 } from './intake/journey-requested.v1';
import { parseEvent } from './parse';
import { AppAccessChangedV1 } from './saas/access-changed.v1';
import { AccessFailedV1 } from './saas/access-failed.v1';
import { AccessVerifiedV1 } from './saas/access-verified.v1';
import { LicenceActivatedV1 } from './saas/licence-activated.v1';
import { EVENT_CONTRACTS } from './topics';

const NOW = '2026-01-01T09:00:00.000Z';
const TASK = '5b0c6a1e-9d2f-4e3a-8b7c-1d2e3f4a5b6c';
const failure = { step: 'identity', attempt: 1, code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: NOW };

const REQUESTED = {
  type: 'new-hire',
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' },
  groups: ['staff'],
  apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
  device: { model: 'laptop-14' },
  definitionVersion: 1,
  requestedAt: NOW,
};

const SAMPLES: Record<string, unknown> = {
  [JourneyRequestedV1.topic]: REQUESTED,
  [AccountVerifiedV1.topic]: { accountId: 'u-E1', employeeId: 'E1', enabled: true, groups: ['staff'], verifiedAt: NOW },
  [AccountFailedV1.topic]: failure,
  [AccessVerifiedV1.topic]: { accountId: 'u-E1', grants: [{ app: 'asana', role: 'member', licence: 'standard', active: true, licensed: true }], verifiedAt: NOW },
  [AccessFailedV1.topic]: failure,
  [ComplianceVerifiedV1.topic]: { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', enrolled: true, compliant: true, checkedAt: NOW },
  [ComplianceFailedV1.topic]: failure,
  [OutcomeConfirmedV1.topic]: {
    definitionVersion: 1,
    signals: [{ signal: AccountVerifiedV1.topic, eventId: '9c4b1f7e-3f0a-4c1e-8f5e-2d7a9b0c1d2e', at: NOW, evidence: { accountId: 'u-E1' } }],
    startedAt: NOW,
    confirmedAt: NOW,
    durationMs: 1200,
  },
  [JourneyFailedV1.topic]: { step: 'identity', code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: NOW },
  [StepStalledV1.topic]: { step: 'saas', attempt: 1, deadlineAt: NOW, detectedAt: NOW },
  [StepRetryRequestedV1.topic]: { step: 'saas', owner: 'saas', attempt: 2, reason: 'DEADLINE_MISSED', request: REQUESTED, evidence: { 'identity.account.verified.v1': { accountId: 'u-E1' } } },
  [JourneyCancelRequestedV1.topic]: { requestedBy: 'manager@acme.test', reason: 'offer withdrawn' },
  [CompensationRequestedV1.topic]: { step: 'saas', owner: 'saas', attempt: 1, reason: 'cancelled', request: REQUESTED, evidence: {} },
  [AccountCompensatedV1.topic]: { step: 'identity', undone: 'account disabled, groups removed', compensatedAt: NOW },
  [AccessCompensatedV1.topic]: { step: 'saas', undone: 'access revoked', compensatedAt: NOW },
  [AssignmentCompensatedV1.topic]: { step: 'device', undone: 'device released', compensatedAt: NOW },
  [JourneyCompensatedV1.topic]: { steps: ['device', 'saas', 'identity'], reason: 'cancelled', compensatedAt: NOW },
  [DirectoryAccessChangedV1.topic]: { accountId: 'u-E1', employeeId: 'E1', removedGroups: ['sales'], grantedGroups: ['finance'], groups: ['staff', 'finance'], verifiedAt: NOW },
  [AppAccessChangedV1.topic]: { accountId: 'u-E1', removedApps: ['salesforce'], grants: [{ app: 'netsuite', role: 'analyst', licence: 'standard', active: true }], verifiedAt: NOW },
  [LicenceActivatedV1.topic]: { app: 'figma', accountId: 'u-E1', licenceType: 'professional', seats: 5, active: true, activatedAt: NOW },
  [AssetRetiredV1.topic]: { assetTag: 'AT-0', state: 'retired', reason: 'broken', retiredAt: NOW },
  [RecordsReconciledV1.topic]: { itsmRecordId: 'RITM0010001', assignedAssetTag: 'AT-1', retiredAssetTag: 'AT-0', agree: true, reconciledAt: NOW },
  [RetirementCompensatedV1.topic]: { step: 'retirement', undone: 'asset AT-0 back in service', compensatedAt: NOW },
  [ReconciliationCompensatedV1.topic]: { step: 'reconciliation', undone: 'ITSM record restored', compensatedAt: NOW },
  [ApprovalRequestedV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'iam-approvers', dueAt: NOW, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalReminderV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'iam-approvers', dueAt: NOW, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalEscalatedV1.topic]: { taskId: TASK, kind: 'pre-approval', assigneeGroup: 'security-leads', fromGroup: 'iam-approvers', dueAt: NOW, policyVersion: 1, rule: 'privileged-groups' },
  [ApprovalDecidedV1.topic]: { taskId: TASK, kind: 'attestation', decision: 'rejected', decidedBy: 'reviewer-1', comment: 'not needed', policyVersion: 1, rule: 'default', decidedAt: NOW },
  [JourneyEscalatedV1.topic]: { step: 'identity', attempts: 3, reason: 'VERIFICATION_MISMATCH: disabled', escalateTo: 'iam-operations', history: [{ at: NOW, what: 'identity failed', detail: 'disabled' }] },
};

const sample = (contract: EventContract) =>
  buildEvent(contract, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: contract.owner }, SAMPLES[contract.topic], {
    eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
    occurredAt: new Date(NOW),
  });

describe.each(EVENT_CONTRACTS.map((c) => [c.topic, c] as const))('%s', (_topic, contract) => {
  it('parses a valid sample, through JSON and back', () => {
    const event = sample(contract);
    const result = parseEvent(contract, JSON.parse(JSON.stringify(event)));
    expect(result).toEqual({ ok: true, value: event });
  });

  it('rejects an invalid one, naming the bad fields', () => {
    const event = { ...sample(contract), requestId: 'not-a-uuid', payload: {} };
    const result = parseEvent(contract, event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(new RegExp(`^${contract.topic.replace(/\./g, '\\.')}: `));
    expect(result.error).toContain('requestId: Invalid UUID');
    expect(result.error).toMatch(/payload\.\w+/);
  });

  it('rejects an event of another type on its topic', () => {
    expect(parseEvent(contract, { ...sample(contract), eventType: 'something.else' }).ok).toBe(false);
  });
});

describe('topic naming', () => {
  it('derives owner, type and version from <owner>.<aggregate>.<event>.v<major>', () => {
    expect(JourneyRequestedV1).toMatchObject({ owner: 'intake', eventType: 'intake.journey.requested', version: 1 });
  });

  it('refuses a topic that does not follow the convention', () => {
    expect(() => defineEvent('JourneyRequested', JourneyRequestedV1.payload)).toThrow('does not follow');
  });

  it('has a sample for every contract', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(EVENT_CONTRACTS.map((c) => c.topic).sort());
  });
});

describe('intake.journey.requested.v1 requestedVia', () => {
  const via = { apiKeyId: '3f9c2a1b4d5e6f70', apiKeyName: 'workday-hr', createdBy: 'admin@acme.test' };

  it('carries the API key a journey was submitted with and who created it, through JSON and back', () => {
    const event = buildEvent(JourneyRequestedV1, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: 'intake' }, { ...REQUESTED, type: 'new-hire' as const, requestedVia: via }, {
      eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
      occurredAt: new Date(NOW),
    });
    const result = parseEvent(JourneyRequestedV1, JSON.parse(JSON.stringify(event)));
    expect(result).toEqual({ ok: true, value: event });
    expect(result.ok && result.value.payload.requestedVia).toEqual(via);
  });

  it('names a requestedVia without its creator', () => {
    const event = { ...sample(JourneyRequestedV1), payload: { ...REQUESTED, requestedVia: { apiKeyId: via.apiKeyId, apiKeyName: via.apiKeyName } } };
    const result = parseEvent(JourneyRequestedV1, event);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('payload.requestedVia.createdBy');
  });
});

describe('step failure codes', () => {
  it('has ACCOUNT_EXISTS for an account the journey did not create', () => {
    const event = buildEvent(AccountFailedV1, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: 'identity' }, { ...failure, code: 'ACCOUNT_EXISTS' }, {
      eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
      occurredAt: new Date(NOW),
    });
    expect(parseEvent(AccountFailedV1, JSON.parse(JSON.stringify(event))).ok).toBe(true);
    expect(parseEvent(AccountFailedV1, { ...event, payload: { ...event.payload, code: 'ACCOUNT_TAKEN' } }).ok).toBe(false);
  });
});
