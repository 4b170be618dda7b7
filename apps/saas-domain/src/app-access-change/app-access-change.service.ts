import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AppAccessChangedV1, DirectoryAccessChangedV1, type EventEnvelope } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, conclusion, failed, isDue, latestByJourney, outcomeEvent, ParticipantPorts, snapshotBefore, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { AppChangesRepository } from '../access/app-changes.repository';
import { readAppsBefore, undoAppChanges } from '../access/app-restore';
import { SAAS_REPORTS } from '../access/saas-reports';
import { SAAS_ADMIN_CONNECTOR, SAAS_REFUSAL, type SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import { APP_ACCESS, type AppAccessChange, type AppAccessDecision, decideAppAccessChange, hasBothHalves, type ReadyChange, touchedApps } from './app-access-change.domain';
import { type AppAccessChangeHalf, AppAccessChangeRepository } from './app-access-change.repository';

const accountFromEvidence = (evidence: Record<string, Record<string, unknown>>): { accountId?: string } => {
  const accountId = evidence[DirectoryAccessChangedV1.topic]?.['accountId'];
  return typeof accountId === 'string' ? { accountId } : {};
};

const APPS_CHANGED = stepContracts({
  ...SAAS_REPORTS,
  step: APP_ACCESS.step,
  verified: AppAccessChangedV1,
  evidence: ({ grants }: Extract<AppAccessDecision, { kind: 'verified' }>, change: ReadyChange, at) => ({
    accountId: change.accountId,
    removedApps: [...change.removeApps],
    grants: [...grants],
    verifiedAt: at,
  }),
});

const NOT_READ_BEFORE = failed('PROVISIONING_FAILED', 'the apps could not be read before the change, so nothing was changed; the next attempt reads them first');

/**
 * The SaaS step of an access change: once the request and identity's changed account have both
 * arrived, remembers what the touched apps hold, revokes the removed apps, grants the new ones
 * with their licences, reads every app back and reports. Compensation restores the apps as
 * they were.
 */
@Injectable()
export class AppAccessChangeService {
  private readonly logger = createLogger(AppAccessChangeService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly changes: AppAccessChangeRepository,
    private readonly appChanges: AppChangesRepository,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
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
    return this.handle(events, (e) => ({ ...this.requestHalf(e), ...accountFromEvidence(e.payload.evidence) }), true);
  }

  /**
   * Undoes this journey's own change: each touched app as it was before (removed apps get their
   * role and licence back, granted apps are revoked or set back), except an app another journey
   * granted or revoked since, which is left as it is. Reads every app back, and confirms. A
   * refusal or a read-back that disagrees confirms nothing: assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'access-change'>>): Promise<void> {
    return stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const merged = await this.changes.merge(tx, todo.map((e) => ({ ...this.requestHalf(e), ...accountFromEvidence(e.payload.evidence) })), this.ports.clock.now());
      await this.appChanges.lockAccounts(tx, merged.map((c) => c.accountId));
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.undo(tx, merged.find((c) => c.requestId === event.requestId) as AppAccessChange),
        async (event, { undone: what }) => {
          await this.changes.conclude(tx, event.requestId, 'compensated', null, this.ports.clock.now());
          return compensatedEvent(APPS_CHANGED, event, what, this.ports);
        },
      );
    });
  }

  /** Once both halves are there, once per journey and never after a compensation: the apps changed, then read back. */
  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => AppAccessChangeHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberAccessBefore(events.map(half));
    await stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const merged = await this.changes.merge(tx, todo.map(half), this.ports.clock.now());
      const ready = merged.filter((c): c is ReadyChange => hasBothHalves(c) && isDue(c.status, retry));
      await this.appChanges.lockAccounts(tx, ready.map((c) => c.accountId));
      const changed = await this.calls(ready, (c) => this.apply(c));
      // The last event of the journey in the batch: a retry's attempt counts.
      const causes = latestByJourney(todo);
      for (const [change, result] of changed) {
        const { status, failure } = conclusion(result);
        await this.changes.conclude(tx, change.requestId, status, failure, this.ports.clock.now());
      }
      return changed.map(([change, result]) => outcomeEvent(APPS_CHANGED, causes.get(change.requestId) as E, change, result, this.ports));
    });
  }

  /**
   * Before any app is changed, records the halves and, for every change that can go ahead, what
   * each touched app holds for the account: if the change then fails half-way, compensation still
   * knows what to restore. Once recorded, it is kept, so a retry never mistakes its own earlier
   * changes for the state before the journey.
   */
  private rememberAccessBefore(halves: readonly AppAccessChangeHalf[]): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => {
        const merged = await this.changes.merge(tx, halves, this.ports.clock.now());
        const unknown = merged.filter((c): c is ReadyChange => hasBothHalves(c) && c.accessBefore === null && c.status !== 'compensated');
        // Read while no other journey is changing these accounts' apps: as they are, not half-changed.
        await this.appChanges.lockAccounts(tx, unknown.map((c) => c.accountId));
        return unknown;
      },
      read: (change) => readAppsBefore(this.saas, touchedApps(change), change.accountId),
      keep: (tx, change, before) => this.changes.rememberBefore(tx, change.requestId, before),
    });
  }

  private async apply(change: ReadyChange): Promise<AppAccessDecision> {
    if (!change.accessBefore) return NOT_READ_BEFORE;
    return SAAS_REFUSAL.failsStep(async () => {
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
    });
  }

  private undo(tx: EntityManager, change: AppAccessChange): Promise<UndoResult> {
    if (!change.accessBefore || !hasBothHalves(change)) return Promise.resolve(undone('nothing to undo: no app access was changed'));
    return undoAppChanges(this.saas, this.appChanges, tx, { ...change, accessBefore: change.accessBefore, apps: touchedApps(change) });
  }

  private requestHalf(e: RetryOf<'access-change'> | CompensationOf<'access-change'>): AppAccessChangeHalf {
    const { subject, remove, grant } = e.payload.request;
    return { requestId: e.requestId, employeeId: subject.employeeId, removeApps: remove.apps, grantApps: grant.apps };
  }
}
