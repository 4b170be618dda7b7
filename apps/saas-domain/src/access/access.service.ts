import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccessVerifiedV1, AccountVerifiedV1, type EventEnvelope } from '@closeloop/contracts';
import { outgoing } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, conclusion, failed, forStep, isDue, latestByJourney, outcomeEvent, ParticipantPorts, snapshotBefore, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { SAAS_ADMIN_CONNECTOR, SAAS_REFUSAL, type SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import { type AccessDecision, type AccessRequest, decideAccess, NEW_HIRE_SAAS, type RequestedApp } from './access.domain';
import { type AccessHalf, AccessRequestRepository } from './access-request.repository';
import { AppChangesRepository } from './app-changes.repository';
import { readAppsBefore, undoAppChanges } from './app-restore';
import { SAAS_REPORTS } from './saas-reports';

type Merged = Awaited<ReturnType<AccessRequestRepository['merge']>>[number];
type Ready = Merged & { apps: readonly RequestedApp[]; accountId: string };

const ACCESS = stepContracts({
  ...SAAS_REPORTS,
  step: NEW_HIRE_SAAS.step,
  verified: AccessVerifiedV1,
  evidence: ({ grants }: Extract<AccessDecision, { kind: 'verified' }>, request: Ready, at) => ({ accountId: request.accountId, grants: [...grants], verifiedAt: at }),
});

const isMine = forStep(NEW_HIRE_SAAS);
/** Both halves have arrived, in whatever order: the apps (intake) and the verified account (identity). */
const hasBothHalves = (request: Merged): request is Ready => request.apps !== null && request.accountId !== null;
const NOT_READ_BEFORE = failed('PROVISIONING_FAILED', 'the apps could not be read before the grant, so nothing was granted; the next attempt reads them first');

@Injectable()
export class AccessService {
  private readonly logger = createLogger(AccessService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly requests: AccessRequestRepository,
    private readonly appChanges: AppChangesRepository,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
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
    const accountOf = (e: RetryOf<'new-hire'>) => e.payload.evidence[AccountVerifiedV1.topic]?.['accountId'];
    return this.handle(
      events.filter(isMine),
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
  compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    return stepTransaction(this.ports, events.filter(isMine), this.logger, async (tx, todo) => {
      const known = await this.requests.merge(tx, todo.map((e) => ({ requestId: e.requestId, journeyType: e.journeyType })), this.ports.clock.now());
      await this.appChanges.lockAccounts(tx, known.map((r) => r.accountId));
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.undo(tx, event, known.find((r) => r.requestId === event.requestId) as AccessRequest),
        async (event, { undone: what }) => {
          await this.requests.conclude(tx, event.requestId, 'compensated', null, this.ports.clock.now());
          return compensatedEvent(ACCESS, event, what, this.ports);
        },
      );
    });
  }

  /** Once both halves are there, once per journey and never after a compensation: the apps granted, then read back. */
  private async handle<E extends EventEnvelope>(events: readonly E[], half: (event: E) => AccessHalf, retry = false): Promise<void> {
    if (events.length === 0) return;
    await this.rememberAccessBefore(events.map(half));
    await stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const merged = await this.requests.merge(tx, todo.map(half), this.ports.clock.now());
      // A retry of a step already verified (its report was still on its way when the deadline
      // passed) is answered with that same report, not a second grant and a second event.
      const reported = retry ? merged.filter((r) => r.status === 'verified' && r.verifiedEvent !== null) : [];
      const ready = merged.filter((r): r is Ready => hasBothHalves(r) && isDue(r.status, retry) && !reported.includes(r));
      await this.appChanges.lockAccounts(tx, ready.map((r) => r.accountId));
      const provisioned = await this.calls(ready, async (r) => (r.accessBefore ? this.provision(r.apps, r.accountId, r.employeeId) : NOT_READ_BEFORE));
      const causes = latestByJourney(todo);
      const reports = provisioned.map(([request, result]) => ({ request, result, report: outcomeEvent(ACCESS, causes.get(request.requestId) as E, request, result, this.ports) }));
      for (const { request, result, report } of reports) {
        const { status, failure } = conclusion(result);
        // The verified report is kept, to answer a later retry with the same event.
        await this.requests.conclude(tx, request.requestId, status, failure, this.ports.clock.now(), result.kind === 'verified' ? report.event : null);
      }
      return [...reported.map((r) => outgoing(AccessVerifiedV1, r.verifiedEvent as EventEnvelope)), ...reports.map((r) => r.report)];
    });
  }

  /**
   * Before any app is granted, records what each app holds for the account: if the grants then
   * fail half-way, compensation still knows what was there before and undoes only this journey's
   * grants. Once recorded, it is kept, so a retry never mistakes its own earlier grants for the
   * state before the journey.
   */
  private rememberAccessBefore(halves: readonly AccessHalf[]): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => {
        const merged = await this.requests.merge(tx, halves, this.ports.clock.now());
        const unknown = merged.filter((r): r is Ready => hasBothHalves(r) && !r.accessBefore && r.status !== 'compensated');
        // Read while no other journey is changing these accounts' apps: as they are, not half-changed.
        await this.appChanges.lockAccounts(tx, unknown.map((r) => r.accountId));
        return unknown;
      },
      read: (r) => readAppsBefore(this.saas, r.apps.map((a) => a.app), r.accountId),
      keep: (tx, r, before) => this.requests.rememberBefore(tx, r.requestId, before),
    });
  }

  private provision(apps: readonly RequestedApp[], accountId: string, employeeId: string): Promise<AccessDecision> {
    return SAAS_REFUSAL.failsStep(async () => {
      for (const app of apps) {
        await this.saas.ensureAccess(app.app, accountId, app.role, employeeId);
        await this.saas.ensureLicence(app.app, accountId, app.licence, employeeId);
      }
      return decideAccess(apps, await Promise.all(apps.map((app) => this.saas.readAccess(app.app, accountId))));
    });
  }

  private undo(tx: EntityManager, event: CompensationOf<'new-hire'>, request: AccessRequest): Promise<UndoResult> {
    const { accessBefore, accountId } = request;
    if (!accessBefore || !accountId) return Promise.resolve(undone('nothing to undo: this journey changed no app access'));
    const { subject, apps } = event.payload.request;
    return undoAppChanges(this.saas, this.appChanges, tx, { ...request, accountId, accessBefore, employeeId: subject.employeeId, apps: apps.map((a) => a.app) });
  }
}
