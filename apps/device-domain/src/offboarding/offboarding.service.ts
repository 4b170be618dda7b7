import type { AccessRevokedV1, AccountDisabledV1, BadgeRevokedV1, CompensationOf, Requested, RequestedOf, RetryOf } from '@closeloop/contracts';
import { ItsmRecordClosedV1, requestedAttempt, ReturnCompensatedV1, ReturnLoggedV1 } from '@closeloop/contracts';
import type { OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, conclusion, dueSteps, isDue, outcomeEvent, ParticipantPorts, snapshotBefore, type StepAsk, stepContracts } from '@closeloop/participant';
import { compensatedEvent } from '@closeloop/participant';
import { Injectable } from '@nestjs/common';

import { DEVICE_REPORTS } from '../enrolment/compliance.report';
import { type Advanced, advanceJourneys, undoSteps } from '../journeys/journey-transactions';
import { OffboardingActions } from './offboarding.actions';
import {
  closureOpens,
  DEVICE_RETURN,
  ITSM_CLOSURE,
  type OffboardingRecord,
  type OffboardingStep,
  predecessorOfTopic,
  predecessorsInEvidence,
  type StepState,
} from './offboarding.domain';
import { type OffboardingHalf, OffboardingRepository } from './offboarding.repository';

type Offboarding = RequestedOf<'offboarding'>;

/** Another owner's step before the closure, verified: identity's disabled account, saas's revoked access, facilities' revoked badge. */
export type PredecessorVerified = AccountDisabledV1 | AccessRevokedV1 | BadgeRevokedV1;

/** One event about an offboarding: what it tells of the journey, and the steps it asks for (none for another owner's verified step). */
interface Ask extends StepAsk<Offboarding | null> {
  readonly half: OffboardingHalf;
  readonly steps: readonly OffboardingStep[];
}

const requestHalf = (requestId: string, request: Offboarding): OffboardingHalf => ({ requestId, employeeId: request.subject.employeeId, itsmRecordId: request.itsmRecordId });

const RETURN_LOGGED = stepContracts({
  ...DEVICE_REPORTS,
  step: DEVICE_RETURN.step,
  verified: ReturnLoggedV1,
  compensated: ReturnCompensatedV1,
  evidence: ({ employeeId, assets }: { employeeId: string; assets: readonly string[] }, _record: OffboardingRecord, at) => ({
    employeeId,
    assets: assets.map((assetTag) => ({ assetTag, state: 'returned' as const })),
    stillAssigned: [],
    loggedAt: at,
  }),
});

const RECORD_CLOSED = stepContracts({
  ...DEVICE_REPORTS,
  step: ITSM_CLOSURE.step,
  verified: ItsmRecordClosedV1,
  // No automatic undo (compensatedBy: null in the definition): no compensated event is ever reported for it.
  compensated: null,
  evidence: ({ itsmRecordId }: { itsmRecordId: string }, _record: OffboardingRecord, at) => ({ itsmRecordId, state: 'closed' as const, closedAt: at }),
});

/**
 * The device steps of a leaver's offboarding (see offboarding.domain.ts). The request starts the
 * return of the leaver's assets; the ITSM record is closed once the account, the app access, the
 * badge and the return are all verified, in whatever order their events arrive. Each step
 * reports with its own name, so assurance tells them apart.
 */
@Injectable()
export class OffboardingService {
  private readonly logger = createLogger(OffboardingService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly offboardings: OffboardingRepository,
    private readonly actions: OffboardingActions,
  ) {}

  /** A leaver: every asset assigned to them logged as returned, read back. */
  onRequested(events: ReadonlyArray<Requested<'offboarding'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, retry: false, half: requestHalf(cause.requestId, cause.payload), steps: ['device-return'] })));
  }

  /** Another owner verified its step before the closure (`topic` says which): recorded with the employee it names; the closure opens once all four are in. */
  onPredecessorVerified(topic: string, events: readonly PredecessorVerified[]): Promise<void> {
    const step = predecessorOfTopic(topic);
    if (step === undefined) return Promise.resolve();
    return this.run(events.map((cause) => ({ cause, request: null, retry: false, half: { requestId: cause.requestId, predecessors: { [step]: cause.payload.employeeId } }, steps: [] })));
  }

  /**
   * Another attempt at one step: re-check the target, do what is missing, report again. The steps
   * before the closure that assurance's evidence shows verified count, as if their events had arrived.
   */
  onRetryRequested(events: ReadonlyArray<RetryOf<'offboarding'>>): Promise<void> {
    return this.run(
      events.map((cause) => ({
        cause,
        request: cause.payload.request,
        retry: true,
        half: { ...requestHalf(cause.requestId, cause.payload.request), predecessors: predecessorsInEvidence(cause.payload.evidence) },
        steps: [cause.payload.step as OffboardingStep],
      })),
    );
  }

  /**
   * Undoes the return: the assets this journey logged as returned are assigned to the employee
   * again, read back, and the undo confirmed. From the first request on, no forward work runs for
   * the journey (the closure never starts). An undo refused or contradicted confirms nothing:
   * assurance asks again. The closure itself has no automatic undo: nobody asks this service for it.
   */
  compensate(events: ReadonlyArray<CompensationOf<'offboarding'>>): Promise<void> {
    return undoSteps(this.ports, this.logger, events, {
      records: this.offboardings,
      keyOf: (event) => requestHalf(event.requestId, event.payload.request),
      undo: (record) => this.actions.giveBack(record),
      undone: (record): OffboardingRecord => ({ ...record, deviceReturn: { status: 'compensated' } }),
      confirmed: (event, what) => compensatedEvent(RETURN_LOGGED, event, what, this.ports),
    });
  }

  private async run(asks: readonly Ask[]): Promise<void> {
    if (asks.length === 0) return;
    await this.rememberAssetsHeld(asks.filter((a) => a.steps.includes('device-return')));
    await advanceJourneys(this.ports, this.calls, this.logger, asks, {
      records: this.offboardings,
      keyOf: (ask) => ask.half,
      advance: (record, journeyAsks) => this.advance(record, journeyAsks),
    });
  }

  /** Runs the return if asked for, then the closure once all four steps before it are verified (or when assurance retries it). */
  private async advance(start: OffboardingRecord, asks: readonly Ask[]): Promise<Advanced<OffboardingRecord>> {
    let record = start;
    const out: OutgoingEvent[] = [];
    const askFor = (step: OffboardingStep) => asks.filter((a) => a.steps.includes(step)).at(-1);
    const due = (state: StepState, ask: Ask | undefined): ask is Ask => ask !== undefined && !record.compensating && isDue(state.status, ask.retry);

    const returnAsk = askFor('device-return');
    if (due(record.deviceReturn, returnAsk)) {
      const result = await this.actions.takeBack(record);
      record = { ...record, deviceReturn: conclusion(result) };
      out.push(outcomeEvent(RETURN_LOGGED, returnAsk.cause, record, result, this.ports));
    }

    // Opened by the last of the four steps before it (its first attempt), or retried by assurance.
    const closureAsk = askFor('itsm-closure');
    if ((closureAsk === undefined && closureOpens(record)) || due(record.itsmClosure, closureAsk)) {
      const cause = (closureAsk ?? (asks.at(-1) as Ask)).cause;
      const result = await this.actions.close(record);
      record = { ...record, itsmClosure: conclusion(result) };
      out.push(outcomeEvent(RECORD_CLOSED, cause, record, result, this.ports, closureAsk ? requestedAttempt(closureAsk.cause) : 1));
    }
    return { record, out };
  }

  /**
   * Before any asset is logged as returned, records the assets the leaver holds, in a
   * transaction of its own, so that compensation knows what to give back even if the return
   * fails half-way. Each attempt adds what it finds; nothing recorded is dropped.
   */
  private rememberAssetsHeld(asks: readonly Ask[]): Promise<void> {
    if (asks.length === 0) return Promise.resolve();
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => {
        const records = await this.offboardings.lock(tx, asks.map((a) => a.half));
        return dueSteps(asks, records, (r) => (r.compensating ? 'compensated' : r.deviceReturn.status)).map(({ record }) => record);
      },
      read: (record) => this.actions.readAssetsHeld(record),
      keep: (tx, record, assetTags) => this.offboardings.addAssetsBefore(tx, record.requestId, assetTags),
    });
  }
}
