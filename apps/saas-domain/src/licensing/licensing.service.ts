import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountVerifiedV1, type EventEnvelope, LicenceActivatedV1 } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, conclusion, failed, isDue, latestByJourney, outcomeEvent, ParticipantPorts, snapshotBefore, stepContracts, type StepResult, stepTransaction, verified } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { SAAS_REPORTS } from '../access/saas-reports';
import { SAAS_ADMIN_CONNECTOR, SAAS_REFUSAL, type SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import { type LicenceHalf, LicenceRequestRepository } from './licence-request.repository';
import { decideLicence, hasBothHalves, LICENCE, type LicenceRequest, type ReadyLicence, seatsRestoreMismatch } from './licensing.domain';

const accountFromEvidence = (evidence: Record<string, Record<string, unknown>>): { accountId?: string } => {
  const accountId = evidence[AccountVerifiedV1.topic]?.['accountId'];
  return typeof accountId === 'string' ? { accountId } : {};
};

const requestHalf = (requestId: string, request: Requested<'saas-licensing'>['payload']): LicenceHalf => ({
  requestId,
  employeeId: request.subject.employeeId,
  app: request.app,
  licenceType: request.licenceType,
  seats: request.seats,
});

/** The licence type and seats the app shows, active. */
interface Activation {
  readonly licenceType: string;
  readonly seats: number;
}

const LICENCE_ACTIVATED = stepContracts({
  ...SAAS_REPORTS,
  step: LICENCE.step,
  verified: LicenceActivatedV1,
  evidence: ({ licenceType, seats }: Activation, licence: ReadyLicence, at) => ({ app: licence.app, accountId: licence.accountId, licenceType, seats, active: true as const, activatedAt: at }),
});

/**
 * The SaaS step of SaaS licensing: once the request and identity's check of the account have
 * both arrived, assigns the licence type with its seat count in the app, reads it back, and
 * reports the activation only when the app shows it. Compensation sets the seats back.
 */
@Injectable()
export class LicensingService {
  private readonly logger = createLogger(LicensingService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly licences: LicenceRequestRepository,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
  ) {}

  /** The licence a journey asks for. */
  onRequested(events: ReadonlyArray<Requested<'saas-licensing'>>): Promise<void> {
    return this.handle(events, (e) => requestHalf(e.requestId, e.payload));
  }

  /** Identity checked the subject's account: the account the seats go to. */
  onAccountVerified(events: readonly AccountVerifiedV1[]): Promise<void> {
    return this.handle(events, (e) => ({ requestId: e.requestId, employeeId: e.payload.employeeId, accountId: e.payload.accountId }));
  }

  /** Another attempt: the request and the account travel with it; re-check and assign what is missing. */
  onRetryRequested(events: ReadonlyArray<RetryOf<'saas-licensing'>>): Promise<void> {
    return this.handle(events, (e) => ({ ...requestHalf(e.requestId, e.payload.request), ...accountFromEvidence(e.payload.evidence) }), true);
  }

  /**
   * Sets the seats back to what the account held before (none: the seats are removed), reads
   * the app back, and confirms. A refusal or a read-back that disagrees confirms nothing.
   */
  compensate(events: ReadonlyArray<CompensationOf<'saas-licensing'>>): Promise<void> {
    return stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const halves = todo.map((e) => ({ ...requestHalf(e.requestId, e.payload.request), ...accountFromEvidence(e.payload.evidence) }));
      const merged = await this.licences.merge(tx, halves, this.ports.clock.now());
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.setSeatsBack(merged.find((l) => l.requestId === event.requestId) as LicenceRequest),
        async (event, { undone: what }) => {
          await this.licences.conclude(tx, event.requestId, 'compensated', null, this.ports.clock.now());
          return compensatedEvent(LICENCE_ACTIVATED, event, what, this.ports);
        },
      );
    });
  }

  /** Once both halves are there, once per journey and never after a compensation: the seats assigned, then read back. */
  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => LicenceHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberSeatsBefore(events.map(half));
    await stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const merged = await this.licences.merge(tx, todo.map(half), this.ports.clock.now());
      const assigned = await this.calls(
        merged.filter((l): l is ReadyLicence => hasBothHalves(l) && isDue(l.status, retry)),
        (l) => this.assign(l),
      );
      for (const [licence, result] of assigned) {
        const { status, failure } = conclusion(result);
        await this.licences.conclude(tx, licence.requestId, status, failure, this.ports.clock.now());
      }
      const causes = latestByJourney(todo);
      return assigned.map(([licence, result]) => outcomeEvent(LICENCE_ACTIVATED, causes.get(licence.requestId) as E, licence, result, this.ports));
    });
  }

  /**
   * Before any seat is assigned, records the halves and the seats the account holds, in a
   * transaction of its own, so compensation knows what to set back even after a failure half-way.
   */
  private rememberSeatsBefore(halves: readonly LicenceHalf[]): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => (await this.licences.merge(tx, halves, this.ports.clock.now())).filter((l): l is ReadyLicence => hasBothHalves(l) && l.seatsBefore === null && l.status !== 'compensated'),
      read: (licence) => SAAS_REFUSAL.means(() => null, async () => ({ seats: await this.saas.readSeats(licence.app, licence.accountId) })),
      keep: (tx, licence, before) => this.licences.rememberBefore(tx, licence.requestId, before),
    });
  }

  /** Activated only when the app, read back, shows the licence type with the seats asked for. */
  private async assign(licence: ReadyLicence): Promise<StepResult<Activation>> {
    if (!licence.seatsBefore) {
      return failed('PROVISIONING_FAILED', `${licence.app} could not be read before the assignment, so nothing was assigned; the next attempt reads it first`);
    }
    return SAAS_REFUSAL.failsStep(async () => {
      await this.saas.ensureSeats(licence.app, licence.accountId, licence.licenceType, licence.seats, licence.employeeId);
      const decision = decideLicence(licence, await this.saas.readSeats(licence.app, licence.accountId));
      return decision.kind === 'activated' ? verified({ licenceType: decision.licenceType, seats: decision.seats }) : decision;
    });
  }

  private async setSeatsBack(licence: LicenceRequest): Promise<UndoResult> {
    if (!licence.seatsBefore || !hasBothHalves(licence)) return undone('nothing to undo: no seats were assigned');
    const before = licence.seatsBefore.seats;
    return SAAS_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        if (before) await this.saas.ensureSeats(licence.app, licence.accountId, before.licenceType, before.seats, licence.employeeId);
        else await this.saas.removeSeats(licence.app, licence.accountId, licence.employeeId);
        const mismatch = seatsRestoreMismatch(before, await this.saas.readSeats(licence.app, licence.accountId));
        if (mismatch) return notUndone(mismatch);
        return undone(
          before
            ? `${licence.app} seats of ${licence.accountId} set back to ${before.seats} ${before.licenceType}`
            : `${licence.seats} ${licence.licenceType} seat(s) removed from ${licence.accountId} in ${licence.app}`,
        );
      },
    );
  }
}
