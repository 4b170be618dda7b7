import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountVerifiedV1, type RequestedOf } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, conclusion, dueSteps, type Failed, failed, forStep, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { accountVerified, IDENTITY_REPORTS } from '../account-steps/account-step.domain';
import { DIRECTORY_CONNECTOR, DIRECTORY_REFUSAL, type DirectoryConnector } from '../directory/directory.connector';
import { type AccountRecord, AccountRepository, type AccountState } from './account.repository';
import { type AccountDecision, decideAccount, decideOwnership, NEW_HIRE_IDENTITY } from './provisioning.domain';

type NewHire = RequestedOf<'new-hire'>;

const ACCOUNT = stepContracts({ ...IDENTITY_REPORTS, step: NEW_HIRE_IDENTITY.step, verified: AccountVerifiedV1, evidence: accountVerified });

const isMine = forStep(NEW_HIRE_IDENTITY);
const journeyOf = (requestId: string, request: NewHire) => ({ requestId, employeeId: request.subject.employeeId });
const OWNER_UNKNOWN = failed('PROVISIONING_FAILED', 'who owns the account could not be established; the next attempt tries again');

const accountRecord = ({ cause, request }: StepAsk<NewHire>, result: AccountDecision, now: Date): AccountRecord => ({
  requestId: cause.requestId,
  employeeId: request.subject.employeeId,
  ...(result.kind === 'verified' ? { accountId: result.accountId, groups: result.groups } : { accountId: null, groups: request.groups }),
  ...conclusion(result),
  updatedAt: now,
});

@Injectable()
export class ProvisioningService {
  private readonly logger = createLogger(ProvisioningService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly accounts: AccountRepository,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
  ) {}

  /**
   * Creates each requested account with its groups, reads it back, and reports the verified or
   * failed result. One transaction for the batch: inbox, account records and outgoing events.
   * The directory calls are idempotent, so a batch retried after a crash does only what is missing.
   */
  provisionAccounts(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt: re-check the directory, do what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    return this.run(retryAsks(events.filter(isMine)));
  }

  /**
   * Compensation undoes only what this journey did: when it created the account (or took over a
   * released one), disables it and removes its groups, reads the directory back, and confirms. An
   * account the journey found already there (ACCOUNT_EXISTS) is another journey's or someone
   * else's, and is left as it is. A read-back that disagrees confirms nothing: assurance asks again.
   */
  compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    return stepTransaction(this.ports, events.filter(isMine), this.logger, async (tx, todo) => {
      const states = await this.accounts.lock(tx, todo.map((e) => journeyOf(e.requestId, e.payload.request)));
      await this.accounts.lockEmployees(tx, todo.map((e) => e.payload.request.subject.employeeId));
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.disable(event.payload.request, states.get(event.requestId)),
        async (event, { undone: what, accountId }) => {
          const { subject, groups } = event.payload.request;
          const record: AccountRecord = { requestId: event.requestId, employeeId: subject.employeeId, accountId, status: 'compensated', groups, failure: null, updatedAt: this.ports.clock.now() };
          await this.accounts.saveAll(tx, [record]);
          return compensatedEvent(ACCOUNT, event, what, this.ports);
        },
      );
    });
  }

  /** Once per journey and never after a compensation; only the journey that owns the employee's account touches it. */
  private async run(asks: ReadonlyArray<StepAsk<NewHire>>): Promise<void> {
    if (asks.length === 0) return;
    const refusals = await this.claimAccounts(asks);
    await stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const due = dueSteps(fresh, await this.accounts.lock(tx, fresh.map((a) => journeyOf(a.cause.requestId, a.request))));
      await this.accounts.lockEmployees(tx, due.map(({ ask }) => ask.request.subject.employeeId));
      const provisioned = await attemptSteps(this.calls, due, async ({ ask, record }) =>
        record.ownsAccount ? this.provision(ask.request) : (refusals.get(ask.cause.requestId) ?? OWNER_UNKNOWN),
      );
      await this.accounts.saveAll(tx, provisioned.map(({ ask, result }) => accountRecord(ask, result, this.ports.clock.now())));
      return outcomeEvents(ACCOUNT, provisioned, this.ports);
    });
  }

  /**
   * Before the directory is touched, each journey that does not own the employee's account yet
   * claims it, in a transaction of its own: the claim is on record before the account is created,
   * so a crash half-way never leaves an account nobody owns, and a retry knows the account as its
   * own. A journey whose employee already has an account it may not take over gets its refusal
   * (ACCOUNT_EXISTS); a directory that refuses the look-up, its refusal.
   */
  private async claimAccounts(asks: ReadonlyArray<StepAsk<NewHire>>): Promise<Map<string, Failed>> {
    return this.ports.transactions.transaction(async (tx) => {
      const states = await this.accounts.lock(tx, asks.map((a) => journeyOf(a.cause.requestId, a.request)));
      const unclaimed = dueSteps(asks, states).filter(({ record }) => !record.ownsAccount);
      await this.accounts.lockEmployees(tx, unclaimed.map(({ ask }) => ask.request.subject.employeeId));
      const lookups = await this.calls(unclaimed, ({ ask }) =>
        DIRECTORY_REFUSAL.means(
          (error) => failed('PROVISIONING_FAILED', error.message),
          async () => ({ existing: await this.directory.findAccount(ask.request.subject.employeeId) }),
        ),
      );
      const refusals = new Map<string, Failed>();
      // One by one: two journeys of one employee in a batch, the first claims and the second sees it.
      for (const [{ ask }, lookup] of lookups) {
        const { requestId } = ask.cause;
        const { employeeId } = ask.request.subject;
        if ('kind' in lookup) {
          refusals.set(requestId, lookup);
          continue;
        }
        const ownership = decideOwnership({
          requestId,
          employeeId,
          liveOwner: await this.accounts.liveOwner(tx, employeeId),
          existing: lookup.existing,
          releasedBy: await this.accounts.releasedBy(tx, employeeId),
        });
        if (ownership.kind === 'owner') await this.accounts.claim(tx, requestId);
        else refusals.set(requestId, failed(ownership.code, ownership.reason));
      }
      return refusals;
    });
  }

  private provision({ subject, groups }: NewHire): Promise<AccountDecision> {
    return DIRECTORY_REFUSAL.failsStep(async () => {
      const { accountId } = await this.directory.ensureAccount(subject);
      await this.directory.ensureGroups(accountId, subject.employeeId, groups);
      return decideAccount(groups, await this.directory.readAccount(accountId));
    });
  }

  /** Only the journey that created the account (or took over a released one) disables it and takes its groups away; read back. */
  private async disable({ subject }: NewHire, state: AccountState | undefined): Promise<UndoResult<{ accountId: string | null }>> {
    if (!state?.ownsAccount) {
      return undone(
        state?.failure?.code === 'ACCOUNT_EXISTS'
          ? `nothing to undo: the account of employee ${subject.employeeId} was not created by this journey (ACCOUNT_EXISTS), and is left as it is`
          : 'no account had been created',
        { accountId: null },
      );
    }
    const disabled = await this.directory.disableAccount(subject.employeeId);
    if (!disabled) return undone('no account had been created', { accountId: null });
    const readBack = await this.directory.readAccount(disabled.accountId);
    if (readBack && (readBack.enabled || readBack.groups.length > 0)) return notUndone('account still enabled or in groups after compensation');
    return undone(`account ${disabled.accountId} disabled and removed from every group`, { accountId: disabled.accountId });
  }
}
