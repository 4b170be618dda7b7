import type { CompensationOf, Requested, RequestedOf, RetryOf } from '@closeloop/contracts';
import { BadgeRevokedV1 } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, dueSteps, forStep, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, snapshotBefore, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ACCESS_CONTROL_CONNECTOR, ACCESS_CONTROL_REFUSAL, type AccessControlConnector } from '../access-control/access-control.connector';
import { concludeStep, FACILITIES_REPORTS } from '../badge-steps/badge-step.domain';
import { type BadgeStepKey, type BadgeStepRecord, BadgeStepRepository } from '../badge-steps/badge-step.repository';
import { activeOf, decideRevoked, OFFBOARDING_BADGE, reactivated, reactivationMismatch, reactivationPlan, type RevocationDecision, revocationOrderOf } from './offboarding.domain';

type Offboarding = RequestedOf<'offboarding'>;

const isMine = forStep(OFFBOARDING_BADGE);
const keyOf = (requestId: string, request: Offboarding): BadgeStepKey => ({ requestId, journeyType: 'offboarding', step: OFFBOARDING_BADGE.step, employeeId: request.subject.employeeId });

const BADGE_REVOKED = stepContracts({
  ...FACILITIES_REPORTS,
  step: OFFBOARDING_BADGE.step,
  verified: BadgeRevokedV1,
  evidence: ({ revokedBadges }: { revokedBadges: readonly string[] }, request: Offboarding, at) => ({
    employeeId: request.subject.employeeId,
    revokedBadges: [...revokedBadges],
    activeBadges: [],
    verifiedAt: at,
  }),
});

/**
 * The badge step of a leaver's offboarding (see offboarding.domain.ts): the employee's active
 * badges kept, then each deactivated, then read back. Compensation activates again the badges
 * this journey deactivated, as kept before the change.
 */
@Injectable()
export class OffboardingService {
  private readonly logger = createLogger(OffboardingService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly steps: BadgeStepRepository,
    @Inject(ACCESS_CONTROL_CONNECTOR) private readonly accessControl: AccessControlConnector,
  ) {}

  revokeBadges(events: ReadonlyArray<Requested<'offboarding'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt: the badges read and kept again, what is still active deactivated, read back, reported again. */
  retry(events: ReadonlyArray<RetryOf<'offboarding'>>): Promise<void> {
    return this.run(retryAsks(events.filter(isMine)));
  }

  /**
   * A cancelled offboarding: activates again the badges this journey deactivated, as kept before
   * the change, and confirms only when the read-back shows them active (see `reactivationPlan`);
   * a refusal or a read-back that disagrees confirms nothing, and assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'offboarding'>>): Promise<void> {
    return stepTransaction(this.ports, events.filter(isMine), this.logger, async (tx, todo) => {
      const records = await this.steps.lock(tx, todo.map((e) => keyOf(e.requestId, e.payload.request)));
      await this.steps.lockEmployees(tx, todo.map((e) => e.payload.request.subject.employeeId));
      const recordOf = (event: CompensationOf<'offboarding'>) => records.get(event.requestId) as BadgeStepRecord;
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.giveBack(tx, recordOf(event)),
        async (event, { undone: what }) => {
          await this.steps.save(tx, [{ ...recordOf(event), status: 'compensated', failure: null, updatedAt: this.ports.clock.now() }]);
          return compensatedEvent(BADGE_REVOKED, event, what, this.ports);
        },
      );
    });
  }

  /** Once per journey and never after a compensation: the badges kept first, then deactivated, then read back. */
  private async run(asks: ReadonlyArray<StepAsk<Offboarding>>): Promise<void> {
    if (asks.length === 0) return;
    await this.rememberBadgesBefore(asks);
    await stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const records = await this.steps.lock(tx, fresh.map((a) => keyOf(a.cause.requestId, a.request)));
      const due = dueSteps(fresh, records);
      await this.steps.lockEmployees(tx, due.map(({ record }) => record.employeeId));
      const revoked = await attemptSteps(this.calls, due, ({ record }) => this.revoke(record));
      const now = this.ports.clock.now();
      await this.steps.save(tx, revoked.map(({ record, result }) => concludeStep(record, result, {}, now)));
      return outcomeEvents(BADGE_REVOKED, revoked, this.ports);
    });
  }

  /**
   * Before any badge is deactivated, keeps the employee's active badges with the journey's
   * record, in a transaction of its own: if the step then fails half-way, compensation still
   * knows what to give back. Each attempt adds what it finds; nothing kept is dropped.
   */
  private rememberBadgesBefore(asks: ReadonlyArray<StepAsk<Offboarding>>): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => {
        const due = dueSteps(asks, await this.steps.lock(tx, asks.map((a) => keyOf(a.cause.requestId, a.request)))).map(({ record }) => record);
        // Read while no other journey is changing these employees' badges: as they are, not half-changed.
        await this.steps.lockEmployees(tx, due.map((r) => r.employeeId));
        return due;
      },
      // The step itself reports the system's refusal.
      read: (record) => ACCESS_CONTROL_REFUSAL.means(() => null, async () => activeOf(await this.accessControl.badgesOf(record.employeeId))),
      keep: (tx, record, badgeIds) => this.steps.addBadgesBefore(tx, record, badgeIds),
    });
  }

  /** The badges kept, each deactivated; then every badge of the employee read back. */
  private revoke({ requestId, employeeId, badgesBefore }: BadgeStepRecord): Promise<RevocationDecision> {
    const order = revocationOrderOf(employeeId, badgesBefore);
    if (order.kind === 'failed') return Promise.resolve(order);
    return ACCESS_CONTROL_REFUSAL.failsStep(async () => {
      for (const badgeId of order.badges) await this.accessControl.deactivateBadge(badgeId, requestId, employeeId);
      return decideRevoked(requestId, employeeId, order, await this.accessControl.badgesOf(employeeId));
    });
  }

  /** The badges this journey deactivated, active again except where its plan says; read back. */
  private giveBack(tx: EntityManager, { requestId, employeeId, badgesBefore }: BadgeStepRecord): Promise<UndoResult> {
    if (badgesBefore === null) return Promise.resolve(undone('nothing to undo: the offboarding deactivated no badge'));
    if (badgesBefore.length === 0) return Promise.resolve(undone(`nothing to undo: ${employeeId} had no active badge`));
    return ACCESS_CONTROL_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        const badges = await this.accessControl.badgesOf(employeeId);
        const cancelled = await this.steps.compensatedOf(tx, badges.flatMap((b) => (b.issuedFor === null ? [] : [b.issuedFor])));
        const plan = reactivationPlan(requestId, badgesBefore, badges, cancelled);
        for (const badgeId of plan.reactivate) await this.accessControl.reactivateBadge(badgeId, requestId, employeeId);
        const mismatch = reactivationMismatch(plan, await this.accessControl.badgesOf(employeeId));
        return mismatch ? notUndone(mismatch) : undone(reactivated(employeeId, plan));
      },
    );
  }
}
