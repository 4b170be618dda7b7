import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import {
  AssetRetiredV1,
  AssignmentCompensatedV1,
  ComplianceVerifiedV1,
  ReconciliationCompensatedV1,
  RecordsReconciledV1,
  requestedAttempt,
  type RequestedOf,
  RetirementCompensatedV1,
} from '@closeloop/contracts';
import type { OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, failed, isDue, outcomeEvent, ParticipantPorts, snapshotBefore, type StepAsk, stepContracts } from '@closeloop/participant';
import { compensatedEvent } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';

import { complianceVerified, DEVICE_REPORTS } from '../enrolment/compliance.report';
import { type Advanced, advanceJourneys, undoSteps } from '../journeys/journey-transactions';
import { ReplacementActions } from './replacement.actions';
import {
  type Failed,
  readyToReconcile,
  RECONCILIATION,
  type ReconciliationDecision,
  REPLACEMENT,
  type ReplacementRecord,
  type ReplacementStep,
  RETIREMENT,
  type StepState,
} from './replacement.domain';
import { type ReplacementOrder, ReplacementRepository } from './replacement.repository';

type Order = RequestedOf<'device-replacement'>;
type Evidence = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** One event asking for steps of a journey: the request itself (replacement and retirement), or a retry of one step. */
interface Ask extends StepAsk<Order> {
  readonly steps: readonly ReplacementStep[];
  readonly evidence: Evidence;
}

const orderOf = (requestId: string, request: Order): ReplacementOrder => ({
  requestId,
  employeeId: request.subject.employeeId,
  model: request.device.model,
  itsmRecordId: request.itsmRecordId,
  retiredAssetTag: request.retiredAssetTag,
  reason: request.reason,
});

const failedState = (decision: Failed): StepState => ({ status: 'failed', failure: { code: decision.code, reason: decision.reason } });

/** Each step's events: each reports with its own name, so assurance tells them apart. */
const STEPS = {
  replacement: stepContracts({
    ...DEVICE_REPORTS,
    step: REPLACEMENT.step,
    verified: ComplianceVerifiedV1,
    compensated: AssignmentCompensatedV1,
    evidence: complianceVerified,
  }),
  retirement: stepContracts({
    ...DEVICE_REPORTS,
    step: RETIREMENT.step,
    verified: AssetRetiredV1,
    compensated: RetirementCompensatedV1,
    evidence: ({ assetTag, reason }: { assetTag: string; reason: string }, _record: ReplacementRecord, at) => ({ assetTag, state: 'retired' as const, reason, retiredAt: at }),
  }),
  reconciliation: stepContracts({
    ...DEVICE_REPORTS,
    step: RECONCILIATION.step,
    verified: RecordsReconciledV1,
    compensated: ReconciliationCompensatedV1,
    evidence: (tags: { assignedAssetTag: string; retiredAssetTag: string }, record: ReplacementRecord, at) => ({
      itsmRecordId: record.itsmRecordId,
      assignedAssetTag: tags.assignedAssetTag,
      retiredAssetTag: tags.retiredAssetTag,
      agree: true as const,
      reconciledAt: at,
    }),
  }),
};

const stepOf = (event: CompensationOf<'device-replacement'>) => event.payload.step as ReplacementStep;

/**
 * The device steps of a device replacement. The request starts two at once: the replacement
 * (a device of the model from stock, enrolled, compliant) and the retirement (the old asset
 * logged as retired in asset management). Once both are verified, the reconciliation updates the
 * ITSM record with the new asset and the retired one and reads the ITSM record and both asset
 * records back. Each step reports with its own name, so assurance tells them apart.
 */
@Injectable()
export class ReplacementService {
  private readonly logger = createLogger(ReplacementService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly replacements: ReplacementRepository,
    private readonly actions: ReplacementActions,
  ) {}

  onRequested(events: ReadonlyArray<Requested<'device-replacement'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, steps: ['replacement', 'retirement'], retry: false, evidence: {} })));
  }

  /** Another attempt at one step: re-check the target systems, do what is missing, report again. */
  onRetryRequested(events: ReadonlyArray<RetryOf<'device-replacement'>>): Promise<void> {
    return this.run(
      events.map((cause) => ({ cause, request: cause.payload.request, steps: [cause.payload.step as ReplacementStep], retry: true, evidence: cause.payload.evidence })),
    );
  }

  /**
   * Undoes one step (assurance asks in reverse order: reconciliation, retirement, replacement),
   * reads the target back, and confirms with the step's name. From the first request on, no
   * forward work runs for the journey any more. An undo that is refused or that the read-back
   * contradicts confirms nothing: assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'device-replacement'>>): Promise<void> {
    return undoSteps(this.ports, this.logger, events, {
      records: this.replacements,
      keyOf: (event) => orderOf(event.requestId, event.payload.request),
      undo: (record, event) => this.actions.undo(stepOf(event), record),
      undone: (record, event) => ({ ...record, [stepOf(event)]: { ...record[stepOf(event)], status: 'compensated' } }),
      confirmed: (event, what) => compensatedEvent(STEPS[stepOf(event)], event, what, this.ports),
    });
  }

  private async run(asks: readonly Ask[]): Promise<void> {
    if (asks.length === 0) return;
    await this.rememberItsmBefore(asks);
    await advanceJourneys(this.ports, this.calls, this.logger, asks, {
      records: this.replacements,
      keyOf: (ask) => orderOf(ask.cause.requestId, ask.request),
      advance: (record, journeyAsks) => this.advance(record, journeyAsks),
    });
  }

  /** Runs the steps the journey's events ask for, then the reconciliation once both of its steps are verified. */
  private async advance(start: ReplacementRecord, asks: readonly Ask[]): Promise<Advanced<ReplacementRecord>> {
    let record = start;
    const out: OutgoingEvent[] = [];
    const askFor = (step: ReplacementStep) => asks.filter((a) => a.steps.includes(step)).at(-1);
    const due = (step: ReplacementStep, ask: Ask | undefined) => ask !== undefined && !record.compensating && isDue(record[step].status, ask.retry);

    const replacementAsk = askFor('replacement');
    if (replacementAsk && due('replacement', replacementAsk)) {
      const result = await this.actions.replace(record);
      record = { ...record, replacement: result.kind === 'verified' ? { status: 'verified', assetTag: result.device.assetTag, serialNumber: result.device.serialNumber } : failedState(result) };
      out.push(outcomeEvent(STEPS.replacement, replacementAsk.cause, record, result, this.ports));
    }

    const retirementAsk = askFor('retirement');
    if (retirementAsk && due('retirement', retirementAsk)) {
      const result = await this.actions.retire(record);
      record = { ...record, retirement: result.kind === 'verified' ? { status: 'verified' } : failedState(result) };
      out.push(outcomeEvent(STEPS.retirement, retirementAsk.cause, record, result, this.ports));
    }

    // Opened by the two steps before it (its first attempt), or retried by assurance.
    const reconciliationAsk = askFor('reconciliation');
    const opened = reconciliationAsk === undefined && readyToReconcile(record) && record.reconciliation.status === 'pending';
    if (opened || due('reconciliation', reconciliationAsk)) {
      const cause = reconciliationAsk?.cause ?? (asks.at(-1) as Ask).cause;
      const attempt = reconciliationAsk ? requestedAttempt(reconciliationAsk.cause) : 1;
      const result = await this.reconcile(record, reconciliationAsk?.evidence ?? {});
      record = { ...record, reconciliation: result.kind === 'verified' ? { status: 'verified' } : failedState(result) };
      out.push(outcomeEvent(STEPS.reconciliation, cause, record, result, this.ports, attempt));
    }
    return { record, out };
  }

  /** The reconciliation needs the replacement device (as verified here, or by hand per the evidence) and the old asset retired. */
  private async reconcile(record: ReplacementRecord, evidence: Evidence): Promise<ReconciliationDecision> {
    const assignedAssetTag = this.assignedAssetTag(record, evidence);
    const retired = record.retirement.status === 'verified' || evidence[AssetRetiredV1.topic] !== undefined;
    if (!assignedAssetTag || !retired) return failed('PROVISIONING_FAILED', 'the reconciliation needs the replacement device verified and the old asset retired first');
    return this.actions.reconcile(record, assignedAssetTag);
  }

  /** The replacement device: as this service verified it, or (after an operator fixed the step by hand) from the evidence. */
  private assignedAssetTag(record: ReplacementRecord, evidence: Evidence): string | null {
    if (record.replacement.assetTag) return record.replacement.assetTag;
    const fromEvidence = evidence[ComplianceVerifiedV1.topic]?.['assetTag'];
    return typeof fromEvidence === 'string' ? fromEvidence : null;
  }

  /**
   * Before anything changes, records the ITSM record as it is, in a transaction of its own, so
   * that compensation can set it back even if the journey fails half-way. Once recorded, it is kept.
   */
  private rememberItsmBefore(asks: readonly Ask[]): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => [...(await this.replacements.lock(tx, asks.map((a) => orderOf(a.cause.requestId, a.request)))).values()].filter((r) => r.itsmBefore === null && !r.compensating),
      read: (record) => this.actions.readItsmBefore(record),
      keep: (tx, record, itsm) => this.replacements.rememberItsmBefore(tx, record.requestId, itsm),
    });
  }
}
