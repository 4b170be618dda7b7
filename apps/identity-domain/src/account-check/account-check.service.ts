import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1, buildEvent, causedBy, type EventEnvelope, requestedAttempt, type RequestedOf } from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { type AccountStepKey, type AccountStepRecord, AccountStepRepository } from '../account-steps/account-step.repository';
import { DIRECTORY_CONNECTOR, type DirectoryConnector, DirectoryRejectedError } from '../directory/directory.connector';
import { ACCOUNT_CHECK, type AccountCheckDecision, decideAccountCheck } from './account-check.domain';

const PRODUCER = 'identity-domain';
/** Directory calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

type LicensingRequest = RequestedOf<'saas-licensing'>;
interface Item {
  readonly cause: EventEnvelope;
  readonly request: LicensingRequest;
  readonly retry: boolean;
}

const keyOf = (requestId: string, request: LicensingRequest): AccountStepKey => ({
  requestId,
  journeyType: 'saas-licensing',
  step: ACCOUNT_CHECK.step,
  employeeId: request.subject.employeeId,
});

/**
 * The identity step of SaaS licensing: the subject's account must exist and be enabled before
 * seats are licensed to it. It reads the directory and changes nothing.
 */
@Injectable()
export class AccountCheckService {
  private readonly logger = createLogger(AccountCheckService.name);
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

  check(events: ReadonlyArray<Requested<'saas-licensing'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, retry: false })));
  }

  /** Assurance asks for another attempt (the account may have been created meanwhile): look again. */
  retry(events: ReadonlyArray<RetryOf<'saas-licensing'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload.request, retry: true })));
  }

  /** The check changed nothing, so there is nothing to undo: it confirms so, and keeps a tombstone. */
  async compensate(events: ReadonlyArray<CompensationOf<'saas-licensing'>>): Promise<void> {
    if (events.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const records = await this.steps.lock(manager, todo.map((e) => keyOf(e.requestId, e.payload.request)));
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const record = records.get(event.requestId) as AccountStepRecord;
        const now = this.clock.now();
        await this.steps.save(manager, [{ ...record, status: 'compensated', failure: null, updatedAt: now }]);
        const payload = { step: ACCOUNT_CHECK.step, undone: 'nothing to undo: the account check only read the directory', compensatedAt: now.toISOString() };
        out.push(outgoing(AccountCompensatedV1, buildEvent(AccountCompensatedV1, causedBy(event, PRODUCER), payload, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'account check compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async run(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, items, (i) => i.cause.eventId);
      const records = await this.steps.lock(manager, todo.map((i) => keyOf(i.cause.requestId, i.request)));
      const latest = new Map(todo.map((i) => [i.cause.requestId, i]));
      const pending = [...latest.values()].flatMap((item) => {
        const record = records.get(item.cause.requestId);
        return record && record.status !== 'compensated' && (item.retry || record.status === 'pending') ? [{ item, record }] : [];
      });
      const decisions = await Promise.all(pending.map(({ item }) => this.connectorSlots(() => this.look(item.request.subject.employeeId))));
      const saved: AccountStepRecord[] = [];
      const out: OutgoingEvent[] = [];
      for (const [i, { item, record }] of pending.entries()) {
        const decision = decisions[i] as AccountCheckDecision;
        const { cause, request } = item;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        if (decision.kind === 'verified') {
          saved.push({ ...record, accountId: decision.accountId, status: 'verified', groups: decision.groups, failure: null, updatedAt: now });
          const payload = { accountId: decision.accountId, employeeId: request.subject.employeeId, enabled: true as const, groups: [...decision.groups], verifiedAt: now.toISOString() };
          out.push(outgoing(AccountVerifiedV1, buildEvent(AccountVerifiedV1, context, payload, identity)));
        } else {
          saved.push({ ...record, status: 'failed', failure: { code: decision.code, reason: decision.reason }, updatedAt: now });
          const payload = { step: ACCOUNT_CHECK.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() };
          out.push(outgoing(AccountFailedV1, buildEvent(AccountFailedV1, context, payload, identity)));
        }
        this.logger.info({ requestId: cause.requestId, eventId: cause.eventId, result: decision.kind }, 'account check done');
      }
      await this.steps.save(manager, saved);
      await this.outbox.add(manager, out);
    });
  }

  private async look(employeeId: string): Promise<AccountCheckDecision> {
    try {
      return decideAccountCheck(employeeId, await this.directory.findAccount(employeeId));
    } catch (error) {
      if (error instanceof DirectoryRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}
