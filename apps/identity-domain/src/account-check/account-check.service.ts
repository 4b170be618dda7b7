import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AccountVerifiedV1, type RequestedOf } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, dueSteps, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { accountVerified, concludeStep, IDENTITY_REPORTS } from '../account-steps/account-step.domain';
import { type AccountStepKey, type AccountStepRecord, AccountStepRepository } from '../account-steps/account-step.repository';
import { DIRECTORY_CONNECTOR, DIRECTORY_REFUSAL, type DirectoryConnector } from '../directory/directory.connector';
import { ACCOUNT_CHECK, decideAccountCheck } from './account-check.domain';

type LicensingRequest = RequestedOf<'saas-licensing'>;

const keyOf = (requestId: string, request: LicensingRequest): AccountStepKey => ({
  requestId,
  journeyType: 'saas-licensing',
  step: ACCOUNT_CHECK.step,
  employeeId: request.subject.employeeId,
});

const ACCOUNT_CHECKED = stepContracts({ ...IDENTITY_REPORTS, step: ACCOUNT_CHECK.step, verified: AccountVerifiedV1, evidence: accountVerified });

/**
 * The identity step of SaaS licensing: the subject's account must exist and be enabled before
 * seats are licensed to it. It reads the directory and changes nothing.
 */
@Injectable()
export class AccountCheckService {
  private readonly logger = createLogger(AccountCheckService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly steps: AccountStepRepository,
    @Inject(DIRECTORY_CONNECTOR) private readonly directory: DirectoryConnector,
  ) {}

  check(events: ReadonlyArray<Requested<'saas-licensing'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt (the account may have been created meanwhile): look again. */
  retry(events: ReadonlyArray<RetryOf<'saas-licensing'>>): Promise<void> {
    return this.run(retryAsks(events));
  }

  /** The check changed nothing, so there is nothing to undo: it confirms so, and keeps a tombstone. */
  compensate(events: ReadonlyArray<CompensationOf<'saas-licensing'>>): Promise<void> {
    return stepTransaction(this.ports, events, this.logger, async (tx, todo) => {
      const records = await this.steps.lock(tx, todo.map((e) => keyOf(e.requestId, e.payload.request)));
      const now = this.ports.clock.now();
      await this.steps.save(tx, todo.map((e) => ({ ...(records.get(e.requestId) as AccountStepRecord), status: 'compensated', failure: null, updatedAt: now })));
      return todo.map((e) => compensatedEvent(ACCOUNT_CHECKED, e, 'nothing to undo: the account check only read the directory', this.ports));
    });
  }

  /** Once per journey and never after a compensation: the directory's account of the subject, enabled, passes. */
  private run(asks: ReadonlyArray<StepAsk<LicensingRequest>>): Promise<void> {
    return stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const records = await this.steps.lock(tx, fresh.map((a) => keyOf(a.cause.requestId, a.request)));
      const checked = await attemptSteps(this.calls, dueSteps(fresh, records), ({ ask }) => this.look(ask.request.subject.employeeId));
      await this.steps.save(tx, checked.map(({ record, result }) => concludeStep(record, result, this.ports.clock.now())));
      return outcomeEvents(ACCOUNT_CHECKED, checked, this.ports);
    });
  }

  private look(employeeId: string) {
    return DIRECTORY_REFUSAL.failsStep(async () => decideAccountCheck(employeeId, await this.directory.findAccount(employeeId)));
  }
}
