import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import {
  AssetRetiredV1,
  AssignmentCompensatedV1,
  buildEvent,
  causedBy,
  ComplianceFailedV1,
  ComplianceVerifiedV1,
  type EventContract,
  type EventEnvelope,
  type PayloadOf,
  ReconciliationCompensatedV1,
  RecordsReconciledV1,
  requestedAttempt,
  type RequestedOf,
  RetirementCompensatedV1,
} from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { ReplacementActions } from './replacement.actions';
import { type Failed, readyToReconcile, type ReplacementRecord, type ReplacementStep, type StepState } from './replacement.domain';
import { type ReplacementOrder, ReplacementRepository } from './replacement.repository';

const PRODUCER = 'device-domain';
/** Journeys worked on at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

type Order = RequestedOf<'device-replacement'>;
type Evidence = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** One event asking for steps of a journey: the request itself (replacement and retirement), or a retry of one step. */
interface Ask {
  readonly cause: EventEnvelope;
  readonly request: Order;
  readonly steps: readonly ReplacementStep[];
  readonly retry: boolean;
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

const COMPENSATED_BY: Record<ReplacementStep, EventContract> = {
  replacement: AssignmentCompensatedV1,
  retirement: RetirementCompensatedV1,
  reconciliation: ReconciliationCompensatedV1,
};

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
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly replacements: ReplacementRepository,
    private readonly actions: ReplacementActions,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
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
  async compensate(events: ReadonlyArray<CompensationOf<'device-replacement'>>): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const records = await this.replacements.lock(manager, todo.map((e) => orderOf(e.requestId, e.payload.request)));
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const step = event.payload.step as ReplacementStep;
        let record: ReplacementRecord = { ...(records.get(event.requestId) as ReplacementRecord), compensating: true };
        const result = await this.actions.undo(step, record);
        const now = this.clock.now();
        if (result.confirmed) {
          record = { ...record, [step]: { ...record[step], status: 'compensated' } };
          const contract = COMPENSATED_BY[step];
          const payload = { step, undone: result.undone, compensatedAt: now.toISOString() };
          out.push(this.event(contract, event, payload));
          this.logger.info({ requestId: event.requestId, eventId: event.eventId, step }, 'replacement step compensated');
        } else {
          this.logger.warn({ requestId: event.requestId, eventId: event.eventId, step, mismatch: result.mismatch }, 'replacement step not undone; not confirmed');
        }
        records.set(event.requestId, record);
        await this.replacements.save(manager, record, now);
      }
      await this.outbox.add(manager, out);
    });
  }

  private async run(asks: readonly Ask[]): Promise<void> {
    if (asks.length === 0) return;
    await this.rememberItsmBefore(asks);
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, asks, (a) => a.cause.eventId);
      const records = await this.replacements.lock(manager, todo.map((a) => orderOf(a.cause.requestId, a.request)));
      const byJourney = new Map<string, Ask[]>();
      for (const ask of todo) byJourney.set(ask.cause.requestId, [...(byJourney.get(ask.cause.requestId) ?? []), ask]);
      const results = await Promise.all(
        [...byJourney.entries()].map(([requestId, journeyAsks]) => this.connectorSlots(() => this.advance(records.get(requestId) as ReplacementRecord, journeyAsks))),
      );
      const now = this.clock.now();
      for (const { record } of results) await this.replacements.save(manager, record, now);
      await this.outbox.add(
        manager,
        results.flatMap((r) => r.out),
      );
    });
  }

  /** Runs the steps the journey's events ask for, then the reconciliation once both of its steps are verified. */
  private async advance(start: ReplacementRecord, asks: readonly Ask[]): Promise<{ record: ReplacementRecord; out: OutgoingEvent[] }> {
    let record = start;
    const out: OutgoingEvent[] = [];
    const askFor = (step: ReplacementStep) => asks.filter((a) => a.steps.includes(step)).at(-1);
    const due = (step: ReplacementStep, ask: Ask | undefined) => ask !== undefined && !record.compensating && record[step].status !== 'compensated' && (ask.retry || record[step].status === 'pending');
    const at = () => this.clock.now().toISOString();
    const failure = (step: ReplacementStep, cause: EventEnvelope, decision: Failed, attempt = requestedAttempt(cause)) =>
      out.push(this.event(ComplianceFailedV1, cause, { step, attempt, code: decision.code, reason: decision.reason, failedAt: at() }));

    const replacementAsk = askFor('replacement');
    if (replacementAsk && due('replacement', replacementAsk)) {
      const decision = await this.actions.replace(record);
      if (decision.kind === 'verified') {
        const { device } = decision;
        record = { ...record, replacement: { status: 'verified', assetTag: device.assetTag, serialNumber: device.serialNumber } };
        const payload = { assetTag: device.assetTag, serialNumber: device.serialNumber, model: device.model, enrolled: true as const, compliant: true as const, checkedAt: at() };
        out.push(this.event(ComplianceVerifiedV1, replacementAsk.cause, payload));
      } else {
        record = { ...record, replacement: failedState(decision) };
        failure('replacement', replacementAsk.cause, decision);
      }
    }

    const retirementAsk = askFor('retirement');
    if (retirementAsk && due('retirement', retirementAsk)) {
      const decision = await this.actions.retire(record);
      if (decision.kind === 'verified') {
        record = { ...record, retirement: { status: 'verified' } };
        out.push(this.event(AssetRetiredV1, retirementAsk.cause, { assetTag: decision.assetTag, state: 'retired', reason: decision.reason, retiredAt: at() }));
      } else {
        record = { ...record, retirement: failedState(decision) };
        failure('retirement', retirementAsk.cause, decision);
      }
    }

    // Opened by the two steps before it (its first attempt), or retried by assurance.
    const reconciliationAsk = askFor('reconciliation');
    const opened = reconciliationAsk === undefined && readyToReconcile(record) && record.reconciliation.status === 'pending';
    if (opened || due('reconciliation', reconciliationAsk)) {
      const cause = reconciliationAsk?.cause ?? (asks.at(-1) as Ask).cause;
      const attempt = reconciliationAsk ? requestedAttempt(reconciliationAsk.cause) : 1;
      const assignedAssetTag = this.assignedAssetTag(record, reconciliationAsk?.evidence ?? {});
      const retired = record.retirement.status === 'verified' || reconciliationAsk?.evidence[AssetRetiredV1.topic] !== undefined;
      const decision: Failed | Awaited<ReturnType<ReplacementActions['reconcile']>> =
        assignedAssetTag && retired
          ? await this.actions.reconcile(record, assignedAssetTag)
          : { kind: 'failed', code: 'PROVISIONING_FAILED', reason: 'the reconciliation needs the replacement device verified and the old asset retired first' };
      if (decision.kind === 'verified') {
        record = { ...record, reconciliation: { status: 'verified' } };
        const payload = { itsmRecordId: record.itsmRecordId, assignedAssetTag: decision.assignedAssetTag, retiredAssetTag: decision.retiredAssetTag, agree: true as const, reconciledAt: at() };
        out.push(this.event(RecordsReconciledV1, cause, payload));
      } else {
        record = { ...record, reconciliation: failedState(decision) };
        failure('reconciliation', cause, decision, attempt);
      }
    }
    for (const e of out) this.logger.info({ requestId: record.requestId, eventId: e.event.causationId, topic: e.topic }, 'replacement step done');
    return { record, out };
  }

  private event<C extends EventContract>(contract: C, cause: EventEnvelope, payload: PayloadOf<C>): OutgoingEvent {
    return outgoing(contract, buildEvent(contract, causedBy(cause, PRODUCER), payload, { eventId: this.ids.next(), occurredAt: this.clock.now() }));
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
  private async rememberItsmBefore(asks: readonly Ask[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const records = await this.replacements.lock(manager, asks.map((a) => orderOf(a.cause.requestId, a.request)));
      const unknown = [...records.values()].filter((r) => r.itsmBefore === null && !r.compensating);
      const found = await Promise.all(unknown.map((r) => this.connectorSlots(() => this.actions.readItsmBefore(r))));
      for (const [i, record] of unknown.entries()) {
        const itsm = found[i];
        if (itsm) await this.replacements.rememberItsmBefore(manager, record.requestId, itsm);
      }
    });
  }
}
