import type { CompensationOf, Requested, RequestedOf, RetryOf } from '@closeloop/contracts';
import { BadgeGrantedV1 } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, dueSteps, forStep, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { ACCESS_CONTROL_CONNECTOR, ACCESS_CONTROL_REFUSAL, type AccessControlConnector } from '../access-control/access-control.connector';
import { concludeStep, FACILITIES_REPORTS } from '../badge-steps/badge-step.domain';
import { type BadgeStepKey, type BadgeStepRecord, BadgeStepRepository } from '../badge-steps/badge-step.repository';
import { decideGranted, type GrantDecision, issuedBy, NEW_HIRE_BADGE, withdrawalMismatch, withdrawn, zonesFor } from './issuance.domain';

type NewHire = RequestedOf<'new-hire'>;

const isMine = forStep(NEW_HIRE_BADGE);
const keyOf = (requestId: string, request: NewHire): BadgeStepKey => ({ requestId, journeyType: 'new-hire', step: NEW_HIRE_BADGE.step, employeeId: request.subject.employeeId });

const BADGE_GRANTED = stepContracts({
  ...FACILITIES_REPORTS,
  step: NEW_HIRE_BADGE.step,
  verified: BadgeGrantedV1,
  evidence: (badge: { badgeId: string; zones: readonly string[] }, request: NewHire, at) => ({
    badgeId: badge.badgeId,
    employeeId: request.subject.employeeId,
    active: true as const,
    zones: [...badge.zones],
    verifiedAt: at,
  }),
});

/**
 * The badge step of a new hire (see issuance.domain.ts): a badge of its own, opening the zones of
 * the new hire's groups, issued in the access control system and read back. Compensation
 * deactivates that badge, and only that one.
 */
@Injectable()
export class IssuanceService {
  private readonly logger = createLogger(IssuanceService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly steps: BadgeStepRepository,
    @Inject(ACCESS_CONTROL_CONNECTOR) private readonly accessControl: AccessControlConnector,
  ) {}

  issueBadges(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt: the same badge found again, what is missing done, read back, reported again. */
  retry(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    return this.run(retryAsks(events.filter(isMine)));
  }

  /**
   * Deactivates the badge this journey issued (never another badge of the employee), reads it
   * back and confirms only when it reads back inactive; a refusal or a read-back that disagrees
   * confirms nothing, and assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    return stepTransaction(this.ports, events.filter(isMine), this.logger, async (tx, todo) => {
      const records = await this.steps.lock(tx, todo.map((e) => keyOf(e.requestId, e.payload.request)));
      await this.steps.lockEmployees(tx, todo.map((e) => e.payload.request.subject.employeeId));
      const recordOf = (event: CompensationOf<'new-hire'>) => records.get(event.requestId) as BadgeStepRecord;
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.withdraw(recordOf(event)),
        async (event, { undone: what, badgeId }) => {
          await this.steps.save(tx, [{ ...recordOf(event), status: 'compensated', badgeId, failure: null, updatedAt: this.ports.clock.now() }]);
          return compensatedEvent(BADGE_GRANTED, event, what, this.ports);
        },
      );
    });
  }

  /** Once per journey and never after a compensation: the badge issued, then read back. */
  private run(asks: ReadonlyArray<StepAsk<NewHire>>): Promise<void> {
    return stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const records = await this.steps.lock(tx, fresh.map((a) => keyOf(a.cause.requestId, a.request)));
      const due = dueSteps(fresh, records);
      await this.steps.lockEmployees(tx, due.map(({ record }) => record.employeeId));
      const issued = await attemptSteps(this.calls, due, ({ record, ask }) => this.issue(record, ask.request));
      const now = this.ports.clock.now();
      await this.steps.save(tx, issued.map(({ record, result }) => concludeStep(record, result, result.kind === 'verified' ? { badgeId: result.badgeId, zones: result.zones } : {}, now)));
      return outcomeEvents(BADGE_GRANTED, issued, this.ports);
    });
  }

  private issue({ requestId, employeeId }: BadgeStepRecord, request: NewHire): Promise<GrantDecision> {
    const zones = zonesFor(request.groups);
    return ACCESS_CONTROL_REFUSAL.failsStep(async () => {
      const { badgeId } = await this.accessControl.issueBadge(employeeId, zones, requestId);
      const readBack = (await this.accessControl.badgesOf(employeeId)).find((b) => b.badgeId === badgeId) ?? null;
      return decideGranted({ badgeId, employeeId, zones }, readBack);
    });
  }

  /** The badge this journey issued, deactivated and read back; nothing when it issued none. */
  private withdraw({ requestId, employeeId }: BadgeStepRecord): Promise<UndoResult<{ badgeId: string | null }>> {
    return ACCESS_CONTROL_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        const badge = issuedBy(requestId, await this.accessControl.badgesOf(employeeId));
        if (!badge) return undone('nothing to undo: no badge was issued for this journey', { badgeId: null });
        await this.accessControl.deactivateBadge(badge.badgeId, requestId, employeeId);
        const readBack = (await this.accessControl.badgesOf(employeeId)).find((b) => b.badgeId === badge.badgeId) ?? null;
        const mismatch = withdrawalMismatch(badge.badgeId, readBack);
        return mismatch ? notUndone(mismatch) : undone(withdrawn(requestId, badge), { badgeId: badge.badgeId });
      },
    );
  }
}
