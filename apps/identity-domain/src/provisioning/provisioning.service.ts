import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1, buildEvent, causedBy, type EventEnvelope, requestedAttempt, type RequestedOf } from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import { DIRECTORY_CONNECTOR, type DirectoryConnector, DirectoryRejectedError } from '../directory/directory.connector';
import { type AccountRecord, AccountRepository } from './account.repository';
import { type AccountDecision, decideAccount, decideOwnership, NEW_HIRE_IDENTITY } from './provisioning.domain';

const PRODUCER = 'identity-domain';
/** The journey step this service owns. */
const STEP_OWNER = NEW_HIRE_IDENTITY.owner;
/** Directory calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

type Item = { cause: EventEnvelope; request: RequestedOf<'new-hire'>; retry: boolean };
type Refusal = Extract<AccountDecision, { kind: 'failed' }>;

@Injectable()
export class ProvisioningService {
  private readonly logger = createLogger(ProvisioningService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Creates each requested account with its groups, reads it back, and reports the verified or
   * failed result. One transaction for the batch: inbox, account records and outgoing events.
   * The directory calls are idempotent, so a batch retried after a crash does only what is missing.
   */
  provisionAccounts(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, retry: false })));
  }

  /** Assurance asks for another attempt: re-check the directory, do what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_IDENTITY.step);
    return this.run(mine.map((cause) => ({ cause, request: cause.payload.request, retry: true })));
  }

  /**
   * Compensation undoes only what this journey did: when it created the account (or took over a
   * released one), disables it and removes its groups, reads the directory back, and confirms. An
   * account the journey found already there (ACCOUNT_EXISTS) is another journey's or someone
   * else's, and is left as it is. A read-back that disagrees confirms nothing: assurance asks again.
   */
  async compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_IDENTITY.step);
    if (mine.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, mine);
      const out: OutgoingEvent[] = [];
      const states = await this.accounts.lock(manager, todo.map((e) => ({ requestId: e.requestId, employeeId: e.payload.request.subject.employeeId })));
      await this.accounts.lockEmployees(manager, todo.map((e) => e.payload.request.subject.employeeId));
      for (const event of todo) {
        const { subject, groups } = event.payload.request;
        const state = states.get(event.requestId);
        let undone: string;
        let accountId: string | null = null;
        if (state?.ownsAccount) {
          const disabled = await this.directory.disableAccount(subject.employeeId);
          const readBack = disabled ? await this.directory.readAccount(disabled.accountId) : null;
          if (readBack && (readBack.enabled || readBack.groups.length > 0)) {
            this.logger.warn({ requestId: event.requestId, eventId: event.eventId }, 'account still enabled or in groups after compensation; not confirmed');
            continue;
          }
          accountId = disabled?.accountId ?? null;
          undone = disabled ? `account ${disabled.accountId} disabled and removed from every group` : 'no account had been created';
        } else {
          undone =
            state?.failure?.code === 'ACCOUNT_EXISTS'
              ? `nothing to undo: the account of employee ${subject.employeeId} was not created by this journey (ACCOUNT_EXISTS), and is left as it is`
              : 'no account had been created';
        }
        const now = this.clock.now();
        await this.accounts.saveAll(manager, [{ requestId: event.requestId, employeeId: subject.employeeId, accountId, status: 'compensated', groups, failure: null, updatedAt: now }]);
        out.push(outgoing(AccountCompensatedV1, buildEvent(AccountCompensatedV1, causedBy(event, PRODUCER), { step: NEW_HIRE_IDENTITY.step, undone, compensatedAt: now.toISOString() }, { eventId: this.ids.next(), occurredAt: now })));
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'account step compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async run(items: readonly Item[]): Promise<void> {
    if (items.length === 0) return;
    const refusals = await this.claimAccounts(items);
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, items, (i) => i.cause.eventId);
      const states = await this.accounts.lock(manager, todo.map((i) => ({ requestId: i.cause.requestId, employeeId: i.request.subject.employeeId })));
      // Work once per journey (the last request of the batch wins); never after a compensation.
      const latest = new Map(todo.map((i) => [i.cause.requestId, i]));
      const pending = [...latest.values()].filter((i) => {
        const status = states.get(i.cause.requestId)?.status;
        return status !== 'compensated' && (i.retry || status === 'pending');
      });
      await this.accounts.lockEmployees(manager, pending.map((i) => i.request.subject.employeeId));
      // The directory calls of a batch run side by side (bounded); the results keep the batch order.
      // Only the journey that owns the employee's account touches it.
      const decisions = await Promise.all(
        pending.map((item) =>
          states.get(item.cause.requestId)?.ownsAccount
            ? this.connectorSlots(() => this.provision(item.request))
            : Promise.resolve<AccountDecision>(
                refusals.get(item.cause.requestId) ?? { kind: 'failed', code: 'PROVISIONING_FAILED', reason: 'who owns the account could not be established; the next attempt tries again' },
              ),
        ),
      );
      const records: AccountRecord[] = [];
      const out: OutgoingEvent[] = [];
      for (const [i, { cause, request }] of pending.entries()) {
        const decision = decisions[i] as AccountDecision;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(cause, PRODUCER);
        const { employeeId } = request.subject;
        if (decision.kind === 'verified') {
          records.push({ requestId: cause.requestId, employeeId, accountId: decision.accountId, status: 'verified', groups: decision.groups, failure: null, updatedAt: now });
          out.push(
            outgoing(
              AccountVerifiedV1,
              buildEvent(AccountVerifiedV1, context, { accountId: decision.accountId, employeeId, enabled: true, groups: [...decision.groups], verifiedAt: now.toISOString() }, identity),
            ),
          );
        } else {
          records.push({ requestId: cause.requestId, employeeId, accountId: null, status: 'failed', groups: request.groups, failure: { code: decision.code, reason: decision.reason }, updatedAt: now });
          out.push(outgoing(AccountFailedV1, buildEvent(AccountFailedV1, context, { step: NEW_HIRE_IDENTITY.step, attempt: requestedAttempt(cause), code: decision.code, reason: decision.reason, failedAt: now.toISOString() }, identity)));
        }
        this.logger.info({ requestId: cause.requestId, eventId: cause.eventId, result: decision.kind }, 'account step done');
      }
      await this.accounts.saveAll(manager, records);
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Before the directory is touched, each journey that does not own the employee's account yet
   * claims it, in a transaction of its own: the claim is on record before the account is created,
   * so a crash half-way never leaves an account nobody owns, and a retry knows the account as its
   * own. A journey whose employee already has an account it may not take over gets its refusal
   * (ACCOUNT_EXISTS); a directory that refuses the look-up, its refusal.
   */
  private async claimAccounts(items: readonly Item[]): Promise<Map<string, Refusal>> {
    return this.dataSource.transaction(async (manager) => {
      const states = await this.accounts.lock(manager, items.map((i) => ({ requestId: i.cause.requestId, employeeId: i.request.subject.employeeId })));
      const latest = new Map(items.map((i) => [i.cause.requestId, i]));
      const unclaimed = [...latest.values()].filter((i) => {
        const state = states.get(i.cause.requestId);
        return state && state.status !== 'compensated' && !state.ownsAccount && (i.retry || state.status === 'pending');
      });
      await this.accounts.lockEmployees(manager, unclaimed.map((i) => i.request.subject.employeeId));
      const lookups = await Promise.all(
        unclaimed.map((i) =>
          this.connectorSlots(async () => {
            try {
              return { existing: await this.directory.findAccount(i.request.subject.employeeId) };
            } catch (error) {
              if (error instanceof DirectoryRejectedError) return { refused: error.message };
              throw error;
            }
          }),
        ),
      );
      const refusals = new Map<string, Refusal>();
      // One by one: two journeys of one employee in a batch, the first claims and the second sees it.
      for (const [i, item] of unclaimed.entries()) {
        const { requestId } = item.cause;
        const { employeeId } = item.request.subject;
        const lookup = lookups[i] as { existing?: Awaited<ReturnType<DirectoryConnector['findAccount']>>; refused?: string };
        if (lookup.refused !== undefined) {
          refusals.set(requestId, { kind: 'failed', code: 'PROVISIONING_FAILED', reason: lookup.refused });
          continue;
        }
        const ownership = decideOwnership({
          requestId,
          employeeId,
          liveOwner: await this.accounts.liveOwner(manager, employeeId),
          existing: lookup.existing ?? null,
          releasedBy: await this.accounts.releasedBy(manager, employeeId),
        });
        if (ownership.kind === 'owner') await this.accounts.claim(manager, requestId);
        else refusals.set(requestId, { kind: 'failed', code: ownership.code, reason: ownership.reason });
      }
      return refusals;
    });
  }

  private async provision(request: RequestedOf<'new-hire'>): Promise<AccountDecision> {
    const { subject, groups } = request;
    try {
      const { accountId } = await this.directory.ensureAccount(subject);
      await this.directory.ensureGroups(accountId, subject.employeeId, groups);
      return decideAccount(groups, await this.directory.readAccount(accountId));
    } catch (error) {
      if (error instanceof DirectoryRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}

