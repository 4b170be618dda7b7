import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { DirectoryAccessChangedV1, type RequestedOf } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, dueSteps, failed, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { concludeStep, IDENTITY_REPORTS } from '../account-steps/account-step.domain';
import { type AccountStepKey, type AccountStepRecord, AccountStepRepository } from '../account-steps/account-step.repository';
import { type AccountStepContext, rememberAccountsBefore, undoAccountSteps } from '../account-steps/account-step-transactions';
import { DIRECTORY_CONNECTOR, DIRECTORY_REFUSAL, type DirectoryConnector } from '../directory/directory.connector';
import { type AccessChangeDecision, decideAccessChange, DIRECTORY_ACCESS, type GroupsChange, noAccount, restoreMismatch, restorePlan } from './access-change.domain';

type AccessChangeRequest = RequestedOf<'access-change'>;

const keyOf = (requestId: string, request: AccessChangeRequest): AccountStepKey => ({
  requestId,
  journeyType: 'access-change',
  step: DIRECTORY_ACCESS.step,
  employeeId: request.subject.employeeId,
  change: { remove: request.remove.groups, grant: request.grant.groups },
});
const groupsChange = (request: AccessChangeRequest): GroupsChange => ({ remove: request.remove.groups, grant: request.grant.groups });
const listed = (groups: readonly string[]) => (groups.length > 0 ? groups.join(', ') : 'none');

const GROUPS_CHANGED = stepContracts({
  ...IDENTITY_REPORTS,
  step: DIRECTORY_ACCESS.step,
  verified: DirectoryAccessChangedV1,
  evidence: (account: { accountId: string; groups: readonly string[] }, request: AccessChangeRequest, at) => ({
    accountId: account.accountId,
    employeeId: request.subject.employeeId,
    removedGroups: [...request.remove.groups],
    grantedGroups: [...request.grant.groups],
    groups: [...account.groups],
    verifiedAt: at,
  }),
});

/**
 * The identity step of an access change: takes the subject's existing account out of the removed
 * groups and into the granted ones, reads the directory back, and reports. Compensation puts the
 * groups back as they were.
 */
@Injectable()
export class AccessChangeService {
  private readonly logger = createLogger(AccessChangeService.name);
  private readonly calls = boundedCalls();
  private readonly context: AccountStepContext;

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly steps: AccountStepRepository,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
  ) {
    this.context = { ports, calls: this.calls, steps, directory, logger: this.logger };
  }

  change(events: ReadonlyArray<Requested<'access-change'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt: re-read the account, change only what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'access-change'>>): Promise<void> {
    return this.run(retryAsks(events));
  }

  /**
   * Undoes this journey's own change (the groups it removed back, the groups it granted taken
   * away), except where another access change removed or granted the group since: that group is
   * left as it is, and the confirmation says so. Reads the directory back and confirms. Unlike the
   * new-hire compensation, the account stays enabled: it existed before the journey. A read-back
   * that disagrees, or a directory that refuses, confirms nothing: assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'access-change'>>): Promise<void> {
    return undoAccountSteps(this.context, GROUPS_CHANGED, events, (e) => keyOf(e.requestId, e.payload.request), (tx, event, record) => this.restoreGroups(tx, event, record));
  }

  /** Once per journey and never after a compensation: the groups changed, then read back. */
  private async run(asks: ReadonlyArray<StepAsk<AccessChangeRequest>>): Promise<void> {
    if (asks.length === 0) return;
    // In a transaction of its own, before the directory is touched: compensation knows what to restore.
    await rememberAccountsBefore(this.context, asks.map((a) => keyOf(a.cause.requestId, a.request)));
    await stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const records = await this.steps.lock(tx, fresh.map((a) => keyOf(a.cause.requestId, a.request)));
      await this.steps.lockEmployees(tx, fresh.map((a) => a.request.subject.employeeId));
      const changed = await attemptSteps(this.calls, dueSteps(fresh, records), ({ ask, record }) => this.apply(record, ask.request));
      await this.steps.save(tx, changed.map(({ record, result }) => concludeStep(record, result, this.ports.clock.now())));
      return outcomeEvents(GROUPS_CHANGED, changed, this.ports);
    });
  }

  private apply(record: AccountStepRecord, request: AccessChangeRequest): Promise<AccessChangeDecision> {
    const { employeeId } = request.subject;
    const change = groupsChange(request);
    return DIRECTORY_REFUSAL.failsStep(async () => {
      if (record.groupsBefore === null || record.accountId === null) {
        const account = await this.directory.findAccount(employeeId);
        if (!account) return noAccount(employeeId);
        return failed('PROVISIONING_FAILED', `the groups of ${account.accountId} could not be recorded before the change, so nothing was changed; the next attempt records them first`);
      }
      await this.directory.changeGroups(record.accountId, employeeId, { add: change.grant, remove: change.remove });
      return decideAccessChange(change, await this.directory.readAccount(record.accountId));
    });
  }

  /** The groups as they were before this journey, except those another journey changed since; read back. */
  private async restoreGroups(tx: EntityManager, event: CompensationOf<'access-change'>, record: AccountStepRecord): Promise<UndoResult<{ groups: readonly string[] }>> {
    const { accountId, groupsBefore, beforeAt } = record;
    if (!groupsBefore || !accountId) return undone('nothing to undo: the access change never changed the directory', { groups: record.groups });
    const { employeeId } = event.payload.request.subject;
    const touched = beforeAt ? await this.steps.groupsTouchedSince(tx, employeeId, event.requestId, beforeAt) : new Map<string, string[]>();
    const plan = restorePlan(groupsBefore, groupsChange(event.payload.request), touched);
    return DIRECTORY_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        await this.directory.changeGroups(accountId, employeeId, plan);
        const readBack = await this.directory.readAccount(accountId);
        const mismatch = restoreMismatch(plan, readBack);
        if (mismatch) return notUndone(mismatch);
        const leftAlone = plan.leftAlone.map((l) => `${l.group} (${l.by.join(', ')})`).join(', ');
        const what = `groups of ${accountId} restored: back in ${listed(plan.add)}; out of ${listed(plan.remove)}`;
        return undone(plan.leftAlone.length > 0 ? `${what}; left alone, changed by another journey since: ${leftAlone}` : what, { groups: readBack?.groups ?? [] });
      },
    );
  }
}
