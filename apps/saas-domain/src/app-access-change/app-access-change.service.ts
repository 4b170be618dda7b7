import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import {
  AccessCompensatedV1,
  AccessFailedV1,
  AppAccessChangedV1,
  buildEvent,
  causedBy,
  DirectoryAccessChangedV1,
  type EventEnvelope,
  requestedAttempt,
} from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { AppChangesRepository } from '../access/app-changes.repository';
import { restoreApp } from '../access/app-restore';
import { describeUndo, undoPlan } from '../access/app-undo.domain';
import { SAAS_ADMIN_CONNECTOR, type SaasAdminConnector, SaasAdminRejectedError } from '../saas-admin/saas-admin.connector';
import {
  type AccessBefore,
  APP_ACCESS,
  type AppAccessChange,
  type AppAccessDecision,
  decideAppAccessChange,
  hasBothHalves,
  priorAccess,
  type ReadyChange,
  restoreMismatch,
  touchedApps,
} from './app-access-change.domain';
import { type AppAccessChangeHalf, AppAccessChangeRepository } from './app-access-change.repository';

const PRODUCER = 'saas-domain';
/** SaaS admin calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

const accountFromEvidence = (evidence: Record<string, Record<string, unknown>>): { accountId?: string } => {
  const accountId = evidence[DirectoryAccessChangedV1.topic]?.['accountId'];
  return typeof accountId === 'string' ? { accountId } : {};
};

/**
 * The SaaS step of an access change: once the request and identity's changed account have both
 * arrived, remembers what the touched apps hold, revokes the removed apps, grants the new ones
 * with their licences, reads every app back and reports. Compensation restores the apps as
 * they were.
 */
@Injectable()
export class AppAccessChangeService {
  private readonly logger = createLogger(AppAccessChangeService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: AppAccessChangeRepository,
    private readonly appChanges: AppChangesRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** The apps an access change removes and grants. */
  onRequested(events: ReadonlyArray<Requested<'access-change'>>): Promise<void> {
    return this.handle(events, (e) => ({
      requestId: e.requestId,
      employeeId: e.payload.subject.employeeId,
      removeApps: e.payload.remove.apps,
      grantApps: e.payload.grant.apps,
    }));
  }

  /** Identity changed the account's groups: the account whose apps change. */
  onDirectoryChanged(events: readonly DirectoryAccessChangedV1[]): Promise<void> {
    return this.handle(events, (e) => ({ requestId: e.requestId, employeeId: e.payload.employeeId, accountId: e.payload.accountId }));
  }

  /** Another attempt: the request and the account travel with it; re-check and change what is missing. */
  onRetryRequested(events: ReadonlyArray<RetryOf<'access-change'>>): Promise<void> {
    return this.handle(
      events,
      (e) => ({
        requestId: e.requestId,
        employeeId: e.payload.request.subject.employeeId,
        removeApps: e.payload.request.remove.apps,
        grantApps: e.payload.request.grant.apps,
        ...accountFromEvidence(e.payload.evidence),
      }),
      true,
    );
  }

  /**
   * Undoes this journey's own change: each touched app as it was before (removed apps get their
   * role and licence back, granted apps are revoked or set back), except an app another journey
   * granted or revoked since, which is left as it is. Reads every app back, and confirms. A
   * refusal or a read-back that disagrees confirms nothing: assurance asks again.
   */
  async compensate(events: ReadonlyArray<CompensationOf<'access-change'>>): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const merged = await this.changes.merge(
        manager,
        todo.map((e) => ({
          requestId: e.requestId,
          employeeId: e.payload.request.subject.employeeId,
          removeApps: e.payload.request.remove.apps,
          grantApps: e.payload.request.grant.apps,
          ...accountFromEvidence(e.payload.evidence),
        })),
        this.clock.now(),
      );
      await this.appChanges.lockAccounts(manager, merged.map((c) => c.accountId));
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const change = merged.find((c) => c.requestId === event.requestId) as AppAccessChange;
        let undone = 'nothing to undo: no app access was changed';
        if (change.accessBefore && hasBothHalves(change)) {
          const touched = change.beforeAt ? await this.appChanges.appsTouchedSince(manager, change.accountId, change.requestId, change.beforeAt) : new Map<string, string[]>();
          const plan = undoPlan(touchedApps(change), change.accessBefore, touched);
          const { targets } = plan;
          let mismatch: string | null;
          try {
            for (const { app, want } of targets) await restoreApp(this.saas, app, change.accountId, want, change.employeeId);
            mismatch = restoreMismatch(targets, await Promise.all(targets.map(({ app }) => this.saas.readAccess(app, change.accountId))));
          } catch (error) {
            if (!(error instanceof SaasAdminRejectedError)) throw error;
            mismatch = error.message;
          }
          if (mismatch) {
            this.logger.warn({ requestId: event.requestId, eventId: event.eventId, mismatch }, 'app access not restored; not confirmed');
            continue;
          }
          undone = describeUndo(change.accountId, plan);
        }
        const now = this.clock.now();
        await this.changes.conclude(manager, event.requestId, 'compensated', null, now);
        const payload = { step: APP_ACCESS.step, undone, compensatedAt: now.toISOString() };
        out.push(outgoing(AccessCompensatedV1, buildEvent(AccessCompensatedV1, causedBy(event, PRODUCER), payload, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'app access change compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => AppAccessChangeHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberAccessBefore(events.map(half));
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const merged = await this.changes.merge(manager, todo.map(half), this.clock.now());
      const ready = merged.filter((c): c is ReadyChange => hasBothHalves(c) && c.status !== 'compensated' && (retry || c.status === 'pending'));
      await this.appChanges.lockAccounts(manager, ready.map((c) => c.accountId));
      const decisions = await Promise.all(ready.map((c) => this.connectorSlots(() => this.apply(c))));
      const out: OutgoingEvent[] = [];
      for (const [i, change] of ready.entries()) {
        // The last event of the journey in the batch: a retry's attempt counts.
        const cause = todo.filter((e) => e.requestId === change.requestId).at(-1) as E;
        const decision = decisions[i] as AppAccessDecision;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        if (decision.kind === 'verified') {
          await this.changes.conclude(manager, change.requestId, 'verified', null, now);
          const payload = { accountId: change.accountId, removedApps: [...change.removeApps], grants: [...decision.grants], verifiedAt: now.toISOString() };
          out.push(outgoing(AppAccessChangedV1, buildEvent(AppAccessChangedV1, context, payload, identity)));
        } else {
          await this.changes.conclude(manager, change.requestId, 'failed', { code: decision.code, reason: decision.reason }, now);
          const payload = { step: APP_ACCESS.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() };
          out.push(outgoing(AccessFailedV1, buildEvent(AccessFailedV1, context, payload, identity)));
        }
        this.logger.info({ requestId: change.requestId, eventId: cause.eventId, result: decision.kind }, 'app access change step done');
      }
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Before any app is changed, records the halves and, for every change that can go ahead, what
   * each touched app holds for the account, in a transaction of its own: if the change then fails
   * half-way, compensation still knows what to restore. Once recorded, it is kept, so a retry
   * never mistakes its own earlier changes for the state before the journey.
   */
  private async rememberAccessBefore(halves: readonly AppAccessChangeHalf[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const merged = await this.changes.merge(manager, halves, this.clock.now());
      const unknown = merged.filter((c): c is ReadyChange => hasBothHalves(c) && c.accessBefore === null && c.status !== 'compensated');
      // Read while no other journey is changing these accounts' apps: as they are, not half-changed.
      await this.appChanges.lockAccounts(manager, unknown.map((c) => c.accountId));
      const found = await Promise.all(unknown.map((c) => this.connectorSlots(() => this.readAccessBefore(c))));
      for (const [i, change] of unknown.entries()) {
        const before = found[i];
        if (before) await this.changes.rememberBefore(manager, change.requestId, before);
      }
    });
  }

  private async readAccessBefore(change: ReadyChange): Promise<AccessBefore | null> {
    try {
      const apps = touchedApps(change);
      const readBacks = await Promise.all(apps.map((app) => this.saas.readAccess(app, change.accountId)));
      return Object.fromEntries(apps.map((app, i) => [app, priorAccess(readBacks[i] ?? null)]));
    } catch (error) {
      // The step itself reports the refusal.
      if (error instanceof SaasAdminRejectedError) return null;
      throw error;
    }
  }

  private async apply(change: ReadyChange): Promise<AppAccessDecision> {
    if (!change.accessBefore) {
      return {
        kind: 'failed',
        code: 'PROVISIONING_FAILED',
        reason: 'the apps could not be read before the change, so nothing was changed; the next attempt reads them first',
      };
    }
    try {
      for (const app of change.removeApps) await this.saas.revokeAccess(app, change.accountId, change.employeeId);
      for (const grant of change.grantApps) {
        await this.saas.ensureAccess(grant.app, change.accountId, grant.role, change.employeeId);
        await this.saas.ensureLicence(grant.app, change.accountId, grant.licence, change.employeeId);
      }
      const [removed, granted] = await Promise.all([
        Promise.all(change.removeApps.map((app) => this.saas.readAccess(app, change.accountId))),
        Promise.all(change.grantApps.map((grant) => this.saas.readAccess(grant.app, change.accountId))),
      ]);
      return decideAppAccessChange(change, removed, granted);
    } catch (error) {
      if (error instanceof SaasAdminRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}
