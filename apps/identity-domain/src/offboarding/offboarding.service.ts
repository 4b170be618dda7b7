import type { CompensationOf, EventEnvelope, Requested, RetryOf } from '@closeloop/contracts';
import { AccountDisabledV1, type RequestedOf } from '@closeloop/contracts';
import { outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, dueSteps, failed, journeyOf, latestPerJourney, outcomeEvent, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { concludeStep, IDENTITY_REPORTS } from '../account-steps/account-step.domain';
import { type AccountStepKey, type AccountStepRecord, AccountStepRepository } from '../account-steps/account-step.repository';
import { type AccountStepContext, rememberAccountsBefore, undoAccountSteps } from '../account-steps/account-step-transactions';
import { DIRECTORY_CONNECTOR, DIRECTORY_REFUSAL, type DirectoryConnector } from '../directory/directory.connector';
import { decideDisabled, noAccountToDisable, OFFBOARDING_ACCOUNT, type OffboardingDecision, reinstated, reinstateMismatch, reinstatePlan } from './offboarding.domain';

type Offboarding = RequestedOf<'offboarding'>;

const keyOf = (requestId: string, request: Offboarding): AccountStepKey => ({
  requestId,
  journeyType: 'offboarding',
  step: OFFBOARDING_ACCOUNT.step,
  employeeId: request.subject.employeeId,
});

const ACCOUNT_DISABLED = stepContracts({
  ...IDENTITY_REPORTS,
  step: OFFBOARDING_ACCOUNT.step,
  verified: AccountDisabledV1,
  evidence: (disabled: { accountId: string; sessionsRevoked: number }, record: AccountStepRecord, at) => ({
    accountId: disabled.accountId,
    employeeId: record.employeeId,
    enabled: false as const,
    groups: [],
    removedGroups: [...(record.groupsBefore ?? [])],
    sessionsRevoked: disabled.sessionsRevoked,
    activeSessions: 0 as const,
    verifiedAt: at,
  }),
});

/** Retries of journeys whose step is verified and reported: answered with that report (its event, again). */
const reportedBefore = (asks: ReadonlyArray<StepAsk<Offboarding>>, records: ReadonlyMap<string, AccountStepRecord>): Map<string, EventEnvelope> =>
  new Map(
    latestPerJourney(asks).flatMap(({ cause, retry }) => {
      const record = records.get(cause.requestId);
      return retry && record?.status === 'verified' && record.verifiedEvent ? [[cause.requestId, record.verifiedEvent] as const] : [];
    }),
  );

/**
 * The identity step of an offboarding: the leaver's account disabled, its sessions revoked and
 * its groups removed, then read back. Compensation (a cancelled offboarding) gives back what
 * was taken, as it was recorded before (see `reinstatePlan`).
 */
@Injectable()
export class OffboardingService {
  private readonly logger = createLogger(OffboardingService.name);
  private readonly calls = boundedCalls();
  private readonly context: AccountStepContext;

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly steps: AccountStepRepository,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
  ) {
    this.context = { ports, calls: this.calls, steps, directory, logger: this.logger };
  }

  takeBack(events: ReadonlyArray<Requested<'offboarding'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /**
   * Assurance asks for another attempt: a failed or unfinished step tries again and reports again;
   * a verified one (its report was still on its way when the deadline passed) is answered with
   * that same report, and nothing is done to the account again.
   */
  retry(events: ReadonlyArray<RetryOf<'offboarding'>>): Promise<void> {
    return this.run(retryAsks(events));
  }

  /**
   * A cancelled offboarding: gives back what this journey took, as recorded before it changed
   * anything (the account enabled again if it was, its groups back, except what another journey
   * changed since); the sessions are not given back. Reads the directory back and confirms only
   * when it agrees; a read-back that disagrees, or a directory that refuses, confirms nothing:
   * assurance asks again. A journey that found no account changed nothing: nothing to undo.
   */
  compensate(events: ReadonlyArray<CompensationOf<'offboarding'>>): Promise<void> {
    return undoAccountSteps(this.context, ACCOUNT_DISABLED, events, (e) => keyOf(e.requestId, e.payload.request), (tx, _event, record) => this.reinstate(tx, record));
  }

  /**
   * Once per journey and never after a compensation: the account recorded as it was (enabled,
   * groups) before the directory is touched, then disabled, its sessions revoked and its groups
   * removed, then read back. The verified report is kept with the record, to answer a later retry.
   */
  private async run(asks: ReadonlyArray<StepAsk<Offboarding>>): Promise<void> {
    if (asks.length === 0) return;
    await rememberAccountsBefore(this.context, asks.map((a) => keyOf(a.cause.requestId, a.request)));
    await stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const records = await this.steps.lock(tx, fresh.map((a) => keyOf(a.cause.requestId, a.request)));
      const reported = reportedBefore(fresh, records);
      const due = dueSteps(fresh.filter((a) => !reported.has(journeyOf(a))), records);
      await this.steps.lockEmployees(tx, due.map(({ record }) => record.employeeId));
      const attempted = await attemptSteps(this.calls, due, ({ record }) => this.disable(record));
      const reports = attempted.map(({ ask, record, result }) => ({ record, result, report: outcomeEvent(ACCOUNT_DISABLED, ask.cause, record, result, this.ports) }));
      const now = this.ports.clock.now();
      await this.steps.save(tx, reports.map(({ record, result, report }) => ({ ...concludeStep(record, result, now), verifiedEvent: result.kind === 'verified' ? report.event : null })));
      const again: OutgoingEvent[] = [...reported.values()].map((event) => outgoing(AccountDisabledV1, event));
      return [...again, ...reports.map((r) => r.report)];
    });
  }

  /** Disabled first, so that no new session starts; then the sessions ended and every group removed; read back. */
  private disable(record: AccountStepRecord): Promise<OffboardingDecision> {
    const { accountId, employeeId } = record;
    return DIRECTORY_REFUSAL.failsStep(async () => {
      if (record.groupsBefore === null || record.enabledBefore === null || accountId === null) {
        const account = await this.directory.findAccount(employeeId);
        if (!account) return noAccountToDisable(employeeId);
        return failed('PROVISIONING_FAILED', `the account ${account.accountId} could not be recorded before the offboarding, so nothing was changed; the next attempt records it first`);
      }
      await this.directory.setEnabled(accountId, employeeId, false);
      const sessionsRevoked = await this.directory.revokeSessions(accountId, employeeId);
      const groups = (await this.directory.readAccount(accountId))?.groups ?? [];
      if (groups.length > 0) await this.directory.changeGroups(accountId, employeeId, { add: [], remove: groups });
      return decideDisabled(await this.directory.readAccount(accountId), sessionsRevoked);
    });
  }

  /** What the account had before this journey, given back except where another journey acted since; read back. */
  private async reinstate(tx: EntityManager, record: AccountStepRecord): Promise<UndoResult<{ groups: readonly string[] }>> {
    const { accountId, employeeId, groupsBefore, enabledBefore, beforeAt, requestId } = record;
    if (!accountId || !groupsBefore || enabledBefore === null) return undone('nothing to undo: this offboarding disabled no account (it found none, or had not started)', { groups: record.groups });
    const touched = beforeAt ? await this.steps.groupsTouchedSince(tx, employeeId, requestId, beforeAt) : new Map<string, string[]>();
    const offboarded = beforeAt ? await this.steps.offboardedSince(tx, employeeId, requestId, beforeAt) : [];
    const plan = reinstatePlan({ enabled: enabledBefore, groups: groupsBefore }, touched, offboarded);
    return DIRECTORY_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        // The groups first: the account is never enabled with only part of them.
        if (plan.add.length > 0) await this.directory.changeGroups(accountId, employeeId, { add: plan.add, remove: [] });
        if (plan.enable) await this.directory.setEnabled(accountId, employeeId, true);
        const readBack = await this.directory.readAccount(accountId);
        const mismatch = reinstateMismatch(plan, readBack);
        return mismatch ? notUndone(mismatch) : undone(reinstated(accountId, plan), { groups: readBack?.groups ?? [] });
      },
    );
  }
}
