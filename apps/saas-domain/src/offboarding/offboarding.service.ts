import type { CompensationOf, Requested, RequestedOf, RetryOf } from '@closeloop/contracts';
import { AccessRevokedV1, type EventEnvelope } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { boundedCalls, conclusion, failed, isDue, latestByJourney, outcomeEvent, ParticipantPorts, snapshotBefore, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { AppChangesRepository } from '../access/app-changes.repository';
import { SAAS_REPORTS } from '../access/saas-reports';
import { SAAS_ADMIN_CONNECTOR, SAAS_REFUSAL, type SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import {
  accountsOf,
  type AppsBefore,
  appsToSearch,
  byApp,
  decideRevocation,
  describeRestore,
  NO_ACCESS,
  type Offboarding,
  OFFBOARDING_APPS,
  restoreMismatch,
  restorePlan,
  type RevocationDecision,
  usersOf,
} from './offboarding.domain';
import { type Leaver, OffboardingRepository } from './offboarding.repository';

const leaverOf = (requestId: string, request: RequestedOf<'offboarding'>): Leaver => ({ requestId, employeeId: request.subject.employeeId, email: request.subject.email });

const APPS_TAKEN_BACK = stepContracts({
  ...SAAS_REPORTS,
  step: OFFBOARDING_APPS.step,
  verified: AccessRevokedV1,
  evidence: ({ apps }: Extract<RevocationDecision, { kind: 'verified' }>, offboarding: Offboarding, at) => ({
    employeeId: offboarding.employeeId,
    apps: apps.map((a) => ({ ...a, roles: [] })),
    verifiedAt: at,
  }),
});

const NOT_SEARCHED = failed('PROVISIONING_FAILED', 'the apps could not be searched for the employee before anything was taken back, so nothing was; the next attempt searches them first');

/**
 * The SaaS step of an offboarding (see offboarding.domain.ts for its rules): every app where the
 * leaver has a user is found, what each user holds is recorded, then taken back and read back.
 * Compensation gives each user back what it held.
 */
@Injectable()
export class OffboardingService {
  private readonly logger = createLogger(OffboardingService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly offboardings: OffboardingRepository,
    private readonly appChanges: AppChangesRepository,
    @Inject(SAAS_ADMIN_CONNECTOR) private readonly saas: SaasAdminConnector,
  ) {}

  /** A leaver: the request names no app; the step finds them. */
  onRequested(events: ReadonlyArray<Requested<'offboarding'>>): Promise<void> {
    return this.takeBack(events, (e) => leaverOf(e.requestId, e.payload), false);
  }

  /** Another attempt: what the first search found is taken back again where it is not yet, and read back. */
  onRetryRequested(events: ReadonlyArray<RetryOf<'offboarding'>>): Promise<void> {
    return this.takeBack(events, (e) => leaverOf(e.requestId, e.payload.request), true);
  }

  /**
   * The employee stays: each app's user gets back exactly what it held before, except in an app
   * another journey changed since, which is left as it is. Every app is read back; only when each
   * user holds what it held before is the undo confirmed. A refusal or a read-back that disagrees
   * confirms nothing: assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'offboarding'>>): Promise<void> {
    return stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const known = await this.offboardings.merge(tx, todo.map((e) => leaverOf(e.requestId, e.payload.request)), this.ports.clock.now());
      await this.appChanges.lockAccounts(tx, known.flatMap(accountsOf));
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.giveBack(tx, known.find((o) => o.requestId === event.requestId) as Offboarding),
        async (event, { undone: what }) => {
          await this.offboardings.conclude(tx, event.requestId, 'compensated', null, this.ports.clock.now());
          return compensatedEvent(APPS_TAKEN_BACK, event, what, this.ports);
        },
      );
    });
  }

  /**
   * Once per journey (again on a retry), never after a compensation: every app searched for the
   * employee's user and what each holds recorded, in a transaction of its own, before anything
   * changes; then each user taken back (inactive, no role, no entitlement or licence, no seat,
   * in no group), each app read back, and the step verified only when none still gives access.
   */
  private async takeBack<E extends EventEnvelope>(events: readonly E[], leaver: (event: E) => Leaver, retry: boolean): Promise<void> {
    if (events.length === 0) return;
    await this.recordAppsBefore(events.map(leaver));
    await stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const due = (await this.offboardings.merge(tx, todo.map(leaver), this.ports.clock.now())).filter((o) => isDue(o.status, retry));
      await this.appChanges.lockAccounts(tx, due.flatMap(accountsOf));
      const outcomes = await this.calls(due, (o) => this.revoke(o));
      for (const [offboarding, result] of outcomes) {
        const { status, failure } = conclusion(result);
        await this.offboardings.conclude(tx, offboarding.requestId, status, failure, this.ports.clock.now());
      }
      // The last event of the journey in the batch: a retry's attempt counts.
      const causes = latestByJourney(todo);
      return outcomes.map(([offboarding, result]) => outcomeEvent(APPS_TAKEN_BACK, causes.get(offboarding.requestId) as E, offboarding, result, this.ports));
    });
  }

  /**
   * Before anything is taken back, searches the apps for the employee's users and records what
   * each holds: if the step then fails half-way, compensation still knows what to give back.
   * Once recorded, it is kept, so a retry never mistakes its own earlier changes for the state
   * before the journey.
   */
  private recordAppsBefore(leavers: readonly Leaver[]): Promise<void> {
    return snapshotBefore(this.ports.transactions, this.calls, {
      unrecorded: async (tx) => {
        const unsearched = (await this.offboardings.merge(tx, leavers, this.ports.clock.now())).filter((o) => o.appsBefore === null && o.status !== 'compensated');
        const named = await this.appChanges.namedFor(tx, unsearched.map((o) => o.employeeId));
        // Searched while no other journey of this service changes the employee's accounts: as they are, not half-changed.
        await this.appChanges.lockAccounts(tx, unsearched.flatMap((o) => named.get(o.employeeId)?.accountIds ?? []));
        return unsearched.map((o) => ({ ...o, apps: appsToSearch(this.saas.appsInUse(), named.get(o.employeeId)?.apps ?? []) }));
      },
      read: (o) => this.search(o),
      keep: (tx, o, before) => this.offboardings.rememberBefore(tx, o, before),
    });
  }

  /** The employee's user in each app, with what it holds; null when an app refuses the search (the step then fails, saying so). */
  private search(leaver: Leaver & { apps: readonly string[] }): Promise<AppsBefore | null> {
    return SAAS_REFUSAL.means(
      () => null,
      async () => byApp(await Promise.all(leaver.apps.map((app) => this.saas.findEmployeeUser(app, leaver)))),
    );
  }

  private async revoke(offboarding: Offboarding): Promise<RevocationDecision> {
    if (!offboarding.appsBefore) return NOT_SEARCHED;
    const users = usersOf(offboarding.appsBefore);
    return SAAS_REFUSAL.failsStep(async () => {
      for (const user of users) await this.saas.setUserAccess(user.app, user.accountId, NO_ACCESS, offboarding.employeeId);
      const readBacks = await Promise.all(users.map((user) => this.saas.readUser(user.app, user.accountId)));
      return decideRevocation(users.map((before, i) => ({ before, after: readBacks[i] ?? null })));
    });
  }

  private async giveBack(tx: EntityManager, offboarding: Offboarding): Promise<UndoResult> {
    if (!offboarding.appsBefore) return undone('nothing to undo: no app access was taken back');
    const plan = restorePlan(offboarding.appsBefore, await this.touchedByOthers(tx, offboarding));
    return SAAS_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        for (const user of plan.targets) await this.saas.setUserAccess(user.app, user.accountId, user, offboarding.employeeId);
        const mismatch = restoreMismatch(plan.targets, await Promise.all(plan.targets.map((user) => this.saas.readUser(user.app, user.accountId))));
        return mismatch ? notUndone(mismatch) : undone(describeRestore(offboarding.employeeId, plan));
      },
    );
  }

  /** The leaver's apps another journey changed since they were recorded (for the leaver's account in that app), each with those journeys. */
  private async touchedByOthers(tx: EntityManager, offboarding: Offboarding): Promise<Map<string, string[]>> {
    const touched = new Map<string, string[]>();
    const { beforeAt, appsBefore } = offboarding;
    if (!beforeAt || !appsBefore) return touched;
    for (const accountId of accountsOf(offboarding)) {
      const byOthers = await this.appChanges.appsTouchedSince(tx, accountId, offboarding.requestId, beforeAt);
      for (const user of usersOf(appsBefore)) {
        const by = user.accountId === accountId ? byOthers.get(user.app) : undefined;
        if (by) touched.set(user.app, by);
      }
    }
    return touched;
  }
}
