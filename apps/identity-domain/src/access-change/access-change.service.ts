import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountCompensatedV1, AccountFailedV1, buildEvent, causedBy, DirectoryAccessChangedV1, type EventEnvelope, requestedAttempt, type RequestedOf } from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { type AccountStepKey, type AccountStepRecord, AccountStepRepository } from '../account-steps/account-step.repository';
import { lockEmployeeAccounts } from '../account-steps/employee-lock';
import { DIRECTORY_CONNECTOR, type DirectoryConnector, DirectoryRejectedError } from '../directory/directory.connector';
import { type AccessChangeDecision, decideAccessChange, DIRECTORY_ACCESS, type GroupsChange, noAccount, restoreMismatch, restorePlan } from './access-change.domain';

const PRODUCER = 'identity-domain';
/** Directory calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

type AccessChangeRequest = RequestedOf<'access-change'>;
interface Item {
  readonly cause: EventEnvelope;
  readonly request: AccessChangeRequest;
  readonly retry: boolean;
}

const keyOf = (requestId: string, request: AccessChangeRequest): AccountStepKey => ({
  requestId,
  journeyType: 'access-change',
  step: DIRECTORY_ACCESS.step,
  employeeId: request.subject.employeeId,
  change: { remove: request.remove.groups, grant: request.grant.groups },
});
const groupsChange = (request: AccessChangeRequest): GroupsChange => ({ remove: request.remove.groups, grant: request.grant.groups });
const listed = (groups: readonly string[]) => (groups.length > 0 ? groups.join(', ') : 'none');

/**
 * The identity step of an access change: takes the subject's existing account out of the removed
 * groups and into the granted ones, reads the directory back, and reports. Compensation puts the
 * groups back as they were.
 */
@Injectable()
export class AccessChangeService {
  private readonly logger = createLogger(AccessChangeService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly steps: AccountStepRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  change(events: ReadonlyArray<Requested<'access-change'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, retry: false })));
  }

  /** Assurance asks for another attempt: re-read the account, change only what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'access-change'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload.request, retry: true })));
  }

  /**
   * Undoes this journey's own change (the groups it removed back, the groups it granted taken
   * away), except where another access change removed or granted the group since: that group is
   * left as it is, and the confirmation says so. Reads the directory back and confirms. Unlike the
   * new-hire compensation, the account stays enabled: it existed before the journey. A read-back
   * that disagrees, or a directory that refuses, confirms nothing: assurance asks again.
   */
  async compensate(events: ReadonlyArray<CompensationOf<'access-change'>>): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const records = await this.steps.lock(manager, todo.map((e) => keyOf(e.requestId, e.payload.request)));
      await lockEmployeeAccounts(manager, todo.map((e) => e.payload.request.subject.employeeId));
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const record = records.get(event.requestId) as AccountStepRecord;
        const { employeeId } = event.payload.request.subject;
        let undone = 'nothing to undo: the access change never changed the directory';
        let groups = record.groups;
        if (record.groupsBefore && record.accountId) {
          const touched = record.beforeAt ? await this.steps.groupsTouchedSince(manager, employeeId, event.requestId, record.beforeAt) : new Map<string, string[]>();
          const plan = restorePlan(record.groupsBefore, groupsChange(event.payload.request), touched);
          let mismatch: string | null;
          try {
            await this.directory.changeGroups(record.accountId, employeeId, plan);
            const readBack = await this.directory.readAccount(record.accountId);
            mismatch = restoreMismatch(plan, readBack);
            groups = readBack?.groups ?? [];
          } catch (error) {
            if (!(error instanceof DirectoryRejectedError)) throw error;
            mismatch = error.message;
          }
          if (mismatch) {
            this.logger.warn({ requestId: event.requestId, eventId: event.eventId, mismatch }, 'groups not restored after an access change; not confirmed');
            continue;
          }
          undone = `groups of ${record.accountId} restored: back in ${listed(plan.add)}; out of ${listed(plan.remove)}`;
          if (plan.leftAlone.length > 0) {
            undone += `; left alone, changed by another journey since: ${plan.leftAlone.map((l) => `${l.group} (${l.by.join(', ')})`).join(', ')}`;
          }
        }
        const now = this.clock.now();
        await this.steps.save(manager, [{ ...record, status: 'compensated', groups, failure: null, updatedAt: now }]);
        const payload = { step: DIRECTORY_ACCESS.step, undone, compensatedAt: now.toISOString() };
        out.push(outgoing(AccountCompensatedV1, buildEvent(AccountCompensatedV1, causedBy(event, PRODUCER), payload, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'access change compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async run(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return;
    await this.rememberGroupsBefore(items);
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, items, (i) => i.cause.eventId);
      const records = await this.steps.lock(manager, todo.map((i) => keyOf(i.cause.requestId, i.request)));
      await lockEmployeeAccounts(manager, todo.map((i) => i.request.subject.employeeId));
      // Work once per journey (the last request of the batch wins); never after a compensation.
      const latest = new Map(todo.map((i) => [i.cause.requestId, i]));
      const pending = [...latest.values()].flatMap((item) => {
        const record = records.get(item.cause.requestId);
        return record && record.status !== 'compensated' && (item.retry || record.status === 'pending') ? [{ item, record }] : [];
      });
      const decisions = await Promise.all(pending.map(({ item, record }) => this.connectorSlots(() => this.apply(record, item.request))));
      const saved: AccountStepRecord[] = [];
      const out: OutgoingEvent[] = [];
      for (const [i, { item, record }] of pending.entries()) {
        const decision = decisions[i] as AccessChangeDecision;
        const { cause, request } = item;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        if (decision.kind === 'verified') {
          saved.push({ ...record, accountId: decision.accountId, status: 'verified', groups: decision.groups, failure: null, updatedAt: now });
          const payload = {
            accountId: decision.accountId,
            employeeId: request.subject.employeeId,
            removedGroups: [...request.remove.groups],
            grantedGroups: [...request.grant.groups],
            groups: [...decision.groups],
            verifiedAt: now.toISOString(),
          };
          out.push(outgoing(DirectoryAccessChangedV1, buildEvent(DirectoryAccessChangedV1, context, payload, identity)));
        } else {
          saved.push({ ...record, status: 'failed', failure: { code: decision.code, reason: decision.reason }, updatedAt: now });
          const payload = { step: DIRECTORY_ACCESS.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() };
          out.push(outgoing(AccountFailedV1, buildEvent(AccountFailedV1, context, payload, identity)));
        }
        this.logger.info({ requestId: cause.requestId, eventId: cause.eventId, result: decision.kind }, 'access change step done');
      }
      await this.steps.save(manager, saved);
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Before the directory is touched, records the account's groups as they are, in a transaction
   * of its own: if the change then fails half-way (a crash, a lost connection), compensation still
   * knows what to restore. A record that already has them keeps them, so a retry never mistakes
   * its own earlier changes for the state before the journey.
   */
  private async rememberGroupsBefore(items: readonly Item[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const records = await this.steps.lock(manager, items.map((i) => keyOf(i.cause.requestId, i.request)));
      const unknown = [...records.values()].filter((r) => r.groupsBefore === null && r.status !== 'compensated');
      // Read while no other journey is changing these accounts: the groups as they are, not half-changed.
      await lockEmployeeAccounts(manager, unknown.map((r) => r.employeeId));
      const found = await Promise.all(
        unknown.map((r) =>
          this.connectorSlots(async () => {
            try {
              return await this.directory.findAccount(r.employeeId);
            } catch (error) {
              // The step itself looks again and reports the directory's refusal.
              if (error instanceof DirectoryRejectedError) return null;
              throw error;
            }
          }),
        ),
      );
      for (const [i, record] of unknown.entries()) {
        const account = found[i];
        if (account) await this.steps.rememberBefore(manager, record.requestId, account.accountId, account.groups);
      }
    });
  }

  private async apply(record: AccountStepRecord, request: AccessChangeRequest): Promise<AccessChangeDecision> {
    const { employeeId } = request.subject;
    const change = groupsChange(request);
    try {
      if (record.groupsBefore === null || record.accountId === null) {
        const account = await this.directory.findAccount(employeeId);
        if (!account) return noAccount(employeeId);
        return {
          kind: 'failed',
          code: 'PROVISIONING_FAILED',
          reason: `the groups of ${account.accountId} could not be recorded before the change, so nothing was changed; the next attempt records them first`,
        };
      }
      await this.directory.changeGroups(record.accountId, employeeId, { add: change.grant, remove: change.remove });
      return decideAccessChange(change, await this.directory.readAccount(record.accountId));
    } catch (error) {
      if (error instanceof DirectoryRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}
