import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import {
  AccessCompensatedV1,
  AccessFailedV1,
  AccountVerifiedV1,
  buildEvent,
  causedBy,
  type EventEnvelope,
  LicenceActivatedV1,
  requestedAttempt,
} from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { SAAS_ADMIN_CONNECTOR, type SaasAdminConnector, SaasAdminRejectedError } from '../saas-admin/saas-admin.connector';
import { type LicenceHalf, LicenceRequestRepository } from './licence-request.repository';
import { decideLicence, hasBothHalves, LICENCE, type LicenceDecision, type LicenceRequest, type ReadyLicence, type SeatsBefore, seatsRestoreMismatch } from './licensing.domain';

const PRODUCER = 'saas-domain';
/** SaaS admin calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

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

/**
 * The SaaS step of SaaS licensing: once the request and identity's check of the account have
 * both arrived, assigns the licence type with its seat count in the app, reads it back, and
 * reports the activation only when the app shows it. Compensation sets the seats back.
 */
@Injectable()
export class LicensingService {
  private readonly logger = createLogger(LicensingService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly licences: LicenceRequestRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
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
  async compensate(events: ReadonlyArray<CompensationOf<'saas-licensing'>>): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const merged = await this.licences.merge(
        manager,
        todo.map((e) => ({ ...requestHalf(e.requestId, e.payload.request), ...accountFromEvidence(e.payload.evidence) })),
        this.clock.now(),
      );
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const licence = merged.find((l) => l.requestId === event.requestId) as LicenceRequest;
        let undone = 'nothing to undo: no seats were assigned';
        if (licence.seatsBefore && hasBothHalves(licence)) {
          const before = licence.seatsBefore.seats;
          let mismatch: string | null;
          try {
            if (before) await this.saas.ensureSeats(licence.app, licence.accountId, before.licenceType, before.seats, licence.employeeId);
            else await this.saas.removeSeats(licence.app, licence.accountId, licence.employeeId);
            mismatch = seatsRestoreMismatch(before, await this.saas.readSeats(licence.app, licence.accountId));
          } catch (error) {
            if (!(error instanceof SaasAdminRejectedError)) throw error;
            mismatch = error.message;
          }
          if (mismatch) {
            this.logger.warn({ requestId: event.requestId, eventId: event.eventId, mismatch }, 'seats not set back; not confirmed');
            continue;
          }
          undone = before
            ? `${licence.app} seats of ${licence.accountId} set back to ${before.seats} ${before.licenceType}`
            : `${licence.seats} ${licence.licenceType} seat(s) removed from ${licence.accountId} in ${licence.app}`;
        }
        const now = this.clock.now();
        await this.licences.conclude(manager, event.requestId, 'compensated', null, now);
        const payload = { step: LICENCE.step, undone, compensatedAt: now.toISOString() };
        out.push(outgoing(AccessCompensatedV1, buildEvent(AccessCompensatedV1, causedBy(event, PRODUCER), payload, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'licence compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => LicenceHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberSeatsBefore(events.map(half));
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const merged = await this.licences.merge(manager, todo.map(half), this.clock.now());
      const ready = merged.filter((l): l is ReadyLicence => hasBothHalves(l) && l.status !== 'compensated' && (retry || l.status === 'pending'));
      const decisions = await Promise.all(ready.map((l) => this.connectorSlots(() => this.assign(l))));
      const out: OutgoingEvent[] = [];
      for (const [i, licence] of ready.entries()) {
        const cause = todo.filter((e) => e.requestId === licence.requestId).at(-1) as E;
        const decision = decisions[i] as LicenceDecision;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        if (decision.kind === 'activated') {
          await this.licences.conclude(manager, licence.requestId, 'verified', null, now);
          const payload = { app: licence.app, accountId: licence.accountId, licenceType: decision.licenceType, seats: decision.seats, active: true as const, activatedAt: now.toISOString() };
          out.push(outgoing(LicenceActivatedV1, buildEvent(LicenceActivatedV1, context, payload, identity)));
        } else {
          await this.licences.conclude(manager, licence.requestId, 'failed', { code: decision.code, reason: decision.reason }, now);
          const payload = { step: LICENCE.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() };
          out.push(outgoing(AccessFailedV1, buildEvent(AccessFailedV1, context, payload, identity)));
        }
        this.logger.info({ requestId: licence.requestId, eventId: cause.eventId, result: decision.kind }, 'licence step done');
      }
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Before any seat is assigned, records the halves and the seats the account holds, in a
   * transaction of its own, so compensation knows what to set back even after a failure half-way.
   */
  private async rememberSeatsBefore(halves: readonly LicenceHalf[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const merged = await this.licences.merge(manager, halves, this.clock.now());
      const unknown = merged.filter((l): l is ReadyLicence => hasBothHalves(l) && l.seatsBefore === null && l.status !== 'compensated');
      const found = await Promise.all(unknown.map((l) => this.connectorSlots(() => this.readSeatsBefore(l))));
      for (const [i, licence] of unknown.entries()) {
        const before = found[i];
        if (before) await this.licences.rememberBefore(manager, licence.requestId, before);
      }
    });
  }

  private async readSeatsBefore(licence: ReadyLicence): Promise<SeatsBefore | null> {
    try {
      return { seats: await this.saas.readSeats(licence.app, licence.accountId) };
    } catch (error) {
      if (error instanceof SaasAdminRejectedError) return null;
      throw error;
    }
  }

  private async assign(licence: ReadyLicence): Promise<LicenceDecision> {
    if (!licence.seatsBefore) {
      return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: `${licence.app} could not be read before the assignment, so nothing was assigned; the next attempt reads it first` };
    }
    try {
      await this.saas.ensureSeats(licence.app, licence.accountId, licence.licenceType, licence.seats, licence.employeeId);
      return decideLicence(licence, await this.saas.readSeats(licence.app, licence.accountId));
    } catch (error) {
      if (error instanceof SaasAdminRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}
