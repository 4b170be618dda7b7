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
  buildEvent,
  CompensationRequestedV1,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  contractForTopic,
  DirectoryAccessChangedV1,
  type EventEnvelope,
  JourneyCancelRequestedV1,
  JourneyCompensatedV1,
  JourneyEscalatedV1,
  JourneyFailedV1,
  JourneyRequestedV1,
  LicenceActivatedV1,
  OutcomeConfirmedV1,
  ReconciliationCompensatedV1,
  RecordsReconciledV1,
  RetirementCompensatedV1,
  SERVICENOW_REQUEST_ITEMS_TOPIC,
  StepRetryRequestedV1,
  StepStalledV1,
  WORKDAY_WORKER_EVENTS_TOPIC,
} from '@closeloop/contracts';

/**
 * A valid payload for every event contract: the poison that is valid but for one thing (its key,
 * its headers) starts from these. A consumed topic without a sample fails the poison test, naming
 * the topic, so a new contract gets one here.
 */
const NOW = '2026-01-01T09:00:00.000Z';
const TASK = '5b0c6a1e-9d2f-4e3a-8b7c-1d2e3f4a5b6c';
const failure = { step: 'identity', attempt: 1, code: 'PROVISIONING_FAILED', reason: 'refused', failedAt: NOW };
const REQUESTED = {
  type: 'new-hire',
  requestedBy: 'manager@acme.test',
  subject: { employeeId: 'E-POISON', email: 'poison@acme.test', displayName: 'Poison Sample' },
  groups: ['staff'],
  apps: [{ app: 'asana', role: 'member', licence: 'standard' }],
  device: { model: 'laptop-14' },
  definitionVersion: 1,
  requestedAt: NOW,
};

const PAYLOADS: Record<string, unknown> = {
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

/** A valid event of the topic's contract for journey `requestId`, or why there is none. */
export const validEventFor = (topic: string, requestId: string, eventId: string): { event: EventEnvelope } | { problem: string } => {
  const contract = contractForTopic(topic);
  if (!contract) return { problem: `no contract is known for topic ${topic}` };
  const payload = PAYLOADS[topic];
  if (payload === undefined) return { problem: `no valid sample payload for ${topic}: add one to apps/security/src/support/event-samples.ts` };
  const event = buildEvent(contract, { requestId, journeyType: 'new-hire', producer: contract.owner }, payload, { eventId, occurredAt: new Date(NOW) });
  const parsed = contract.schema.safeParse(event);
  if (!parsed.success) return { problem: `the sample payload for ${topic} no longer matches its contract (apps/security/src/support/event-samples.ts): ${parsed.error.message.slice(0, 500)}` };
  return { event };
};

/** Records of the upstream systems' topics (not Closeloop envelopes): valid as far as their schema goes. */
export const UPSTREAM_RECORDS: Record<string, unknown> = {
  [WORKDAY_WORKER_EVENTS_TOPIC]: {
    eventType: 'Worker_Hired',
    eventId: '0123456789abcdef0123456789abcdef',
    tenant: 'acme',
    effectiveDate: '2026-02-02',
    completedAt: '2026-01-20T09:15:00Z',
    worker: {
      workerId: 'W-POISON',
      workerType: 'Employee',
      name: { firstName: 'Poison', lastName: 'Sample' },
      email: 'poison.sample@acme.test',
      position: {
        positionId: 'P-000123',
        jobProfile: { id: 'JP-ENG-SWE', descriptor: 'Software Engineer' },
        supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
        location: { id: 'LOC-LON', descriptor: 'London' },
      },
    },
  },
  [SERVICENOW_REQUEST_ITEMS_TOPIC]: {
    sys_id: '0123456789abcdef0123456789abcdef',
    number: 'RITM0099999',
    request: { sys_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', number: 'REQ0099999' },
    cat_item: { sys_id: '04b7e94b4f7b4200086eeed18110c7fd', name: 'Laptop Replacement' },
    requested_for: { sys_id: '62826bf03710200044e0bfc8bcbe5df1', user_name: 'poison.sample', name: 'Poison Sample', email: 'poison.sample@acme.test', employee_number: 'W-POISON' },
    approval: 'approved',
    sys_updated_on: '2026-01-20 09:15:00',
    variables: { asset_tag: 'P1000123', replacement_reason: 'end_of_life', model: '' },
  },
};
