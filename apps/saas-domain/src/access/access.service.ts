import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccessCompensatedV1, AccessFailedV1, AccessVerifiedV1, AccountVerifiedV1, buildEvent, causedBy, type EventEnvelope, requestedAttempt } from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { SAAS_ADMIN_CONNECTOR, type SaasAdminConnector, SaasAdminRejectedError } from '../saas-admin/saas-admin.connector';
import { type AccessDecision, type AccessRequest, decideAccess, NEW_HIRE_SAAS, readyToProvision, type RequestedApp } from './access.domain';
import { type AccessHalf, AccessRequestRepository } from './access-request.repository';
import { AppChangesRepository } from './app-changes.repository';
import { restoreApp } from './app-restore';
import { type AccessBefore, describeUndo, priorAccess, restoreMismatch, undoPlan } from './app-undo.domain';

const PRODUCER = 'saas-domain';
/** The journey step this service owns. */
const STEP_OWNER = NEW_HIRE_SAAS.owner;
/** SaaS admin calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

@Injectable()
export class AccessService {
  private readonly logger = createLogger(AccessService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: AccessRequestRepository,
    private readonly appChanges: AppChangesRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** The apps a journey asks for; provisioned once the account is verified. */
  onJourneysRequested(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.handle(events, (e) => ({
      requestId: e.requestId,
      journeyType: e.journeyType,
      employeeId: e.payload.subject.employeeId,
      apps: e.payload.apps,
    }));
  }

  /** A verified identity account: provision its apps once the request is known. */
  onAccountsVerified(events: readonly AccountVerifiedV1[]): Promise<void> {
    return this.handle(events, (e) => ({ requestId: e.requestId, journeyType: e.journeyType, employeeId: e.payload.employeeId, accountId: e.payload.accountId }));
  }

  /**
   * Assurance asks for another attempt: the request and the verified account travel with it, so
   * this works even if the original events never arrived. Re-checks and re-grants what is missing.
   */
  onRetryRequested(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_SAAS.step);
    const accountOf = (e: RetryOf<'new-hire'>) => e.payload.evidence[AccountVerifiedV1.topic]?.['accountId'];
    return this.handle(
      mine,
      (e) => ({
        requestId: e.requestId,
        journeyType: e.journeyType,
        employeeId: e.payload.request.subject.employeeId,
        apps: e.payload.request.apps,
        ...(typeof accountOf(e) === 'string' ? { accountId: accountOf(e) as string } : {}),
      }),
      true,
    );
  }

  /**
   * Compensation undoes only what this journey did: each app goes back to what it held for the
   * account before the journey (an app it granted is revoked; one the account already had is set
   * back to its role and licence), except an app another journey granted or revoked since, which
   * is left as it is. A journey that never recorded the apps before changed none: nothing to undo.
   * Reads every app back, and confirms; a refusal or a read-back that disagrees confirms nothing.
   */
  async compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_SAAS.step);
    if (mine.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, mine);
      const known = await this.requests.merge(manager, todo.map((e) => ({ requestId: e.requestId, journeyType: e.journeyType })), this.clock.now());
      await this.appChanges.lockAccounts(manager, known.map((r) => r.accountId));
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const request = known.find((r) => r.requestId === event.requestId) as AccessRequest;
        let undone = 'nothing to undo: this journey changed no app access';
        if (request.accessBefore && request.accountId) {
          const apps = event.payload.request.apps.map((a) => a.app);
          const touched = request.beforeAt ? await this.appChanges.appsTouchedSince(manager, request.accountId, request.requestId, request.beforeAt) : new Map<string, string[]>();
          const plan = undoPlan(apps, request.accessBefore, touched);
          const { employeeId } = event.payload.request.subject;
          let mismatch: string | null;
          try {
            for (const { app, want } of plan.targets) await restoreApp(this.saas, app, request.accountId, want, employeeId);
            const accountId = request.accountId;
            mismatch = restoreMismatch(plan.targets, await Promise.all(plan.targets.map(({ app }) => this.saas.readAccess(app, accountId))));
          } catch (error) {
            if (!(error instanceof SaasAdminRejectedError)) throw error;
            mismatch = error.message;
          }
          if (mismatch) {
            this.logger.warn({ requestId: event.requestId, eventId: event.eventId, mismatch }, 'access still present after compensation; not confirmed');
            continue;
          }
          undone = describeUndo(request.accountId, plan);
        }
        const now = this.clock.now();
        await this.requests.conclude(manager, event.requestId, 'compensated', null, now);
        out.push(outgoing(AccessCompensatedV1, buildEvent(AccessCompensatedV1, causedBy(event, PRODUCER), { step: NEW_HIRE_SAAS.step, undone, compensatedAt: now.toISOString() }, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'access step compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => AccessHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberAccessBefore(events.map(half));
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const merged = await this.requests.merge(manager, todo.map(half), this.clock.now());
      const out: OutgoingEvent[] = [];
      // A retry of a step already verified (its report was still on its way when the deadline
      // passed) is answered with that same report, not a second grant and a second event.
      const reported = retry ? merged.filter((r) => r.status === 'verified' && r.verifiedEvent !== null) : [];
      for (const request of reported) {
        out.push(outgoing(AccessVerifiedV1, request.verifiedEvent as AccessVerifiedV1));
        this.logger.info({ requestId: request.requestId, eventId: request.verifiedEvent?.eventId }, 'access step already verified; its report sent again');
      }
      const ready = merged.filter(
        (r): r is (typeof merged)[number] & { apps: readonly RequestedApp[]; accountId: string } =>
          retry ? r.apps !== null && r.accountId !== null && r.status !== 'compensated' && !reported.includes(r) : readyToProvision(r),
      );
      await this.appChanges.lockAccounts(manager, ready.map((r) => r.accountId));
      // The SaaS admin calls of a batch run side by side (bounded); results keep the batch order.
      const decisions = await Promise.all(
        ready.map((r) =>
          r.accessBefore
            ? this.connectorSlots(() => this.provision(r.apps, r.accountId, r.employeeId))
            : Promise.resolve<AccessDecision>({
                kind: 'failed',
                code: 'PROVISIONING_FAILED',
                reason: 'the apps could not be read before the grant, so nothing was granted; the next attempt reads them first',
              }),
        ),
      );
      for (const [i, request] of ready.entries()) {
        const cause = todo.find((e) => e.requestId === request.requestId) as E;
        const decision = decisions[i] as AccessDecision;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        if (decision.kind === 'verified') {
          const verified = buildEvent(AccessVerifiedV1, context, { accountId: request.accountId, grants: [...decision.grants], verifiedAt: now.toISOString() }, identity);
          await this.requests.conclude(manager, request.requestId, 'verified', null, now, verified);
          out.push(outgoing(AccessVerifiedV1, verified));
        } else {
          await this.requests.conclude(manager, request.requestId, 'failed', { code: decision.code, reason: decision.reason }, now);
          out.push(outgoing(AccessFailedV1, buildEvent(AccessFailedV1, context, { step: NEW_HIRE_SAAS.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() }, identity)));
        }
        this.logger.info({ requestId: request.requestId, eventId: cause.eventId, result: decision.kind }, 'access step done');
      }
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Before any app is granted, records what each app holds for the account, in a transaction of
   * its own: if the grants then fail half-way, compensation still knows what was there before and
   * undoes only this journey's grants. Once recorded, it is kept, so a retry never mistakes its own
   * earlier grants for the state before the journey.
   */
  private async rememberAccessBefore(halves: readonly AccessHalf[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const merged = await this.requests.merge(manager, halves, this.clock.now());
      const unknown = merged.filter((r): r is (typeof merged)[number] & { apps: readonly RequestedApp[]; accountId: string } => r.apps !== null && r.accountId !== null && !r.accessBefore && r.status !== 'compensated');
      // Read while no other journey is changing these accounts' apps: as they are, not half-changed.
      await this.appChanges.lockAccounts(manager, unknown.map((r) => r.accountId));
      const found = await Promise.all(unknown.map((r) => this.connectorSlots(() => this.readAccessBefore(r.apps, r.accountId))));
      for (const [i, request] of unknown.entries()) {
        const before = found[i];
        if (before) await this.requests.rememberBefore(manager, request.requestId, before);
      }
    });
  }

  private async readAccessBefore(apps: readonly RequestedApp[], accountId: string): Promise<AccessBefore | null> {
    try {
      const readBacks = await Promise.all(apps.map((a) => this.saas.readAccess(a.app, accountId)));
      return Object.fromEntries(apps.map((a, i) => [a.app, priorAccess(readBacks[i] ?? null)]));
    } catch (error) {
      // The step itself reports the refusal.
      if (error instanceof SaasAdminRejectedError) return null;
      throw error;
    }
  }

  private async provision(apps: readonly RequestedApp[], accountId: string, employeeId: string): Promise<AccessDecision> {
    try {
      for (const app of apps) {
        await this.saas.ensureAccess(app.app, accountId, app.role, employeeId);
        await this.saas.ensureLicence(app.app, accountId, app.licence, employeeId);
      }
      const readBacks = await Promise.all(apps.map((app) => this.saas.readAccess(app.app, accountId)));
      return decideAccess(apps, readBacks);
    } catch (error) {
      if (error instanceof SaasAdminRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}

