import type { EventEnvelope } from '@closeloop/contracts';
import type { BoundedCalls, CompensatedContract, ParticipantPorts, StepLog, UndoResult } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, snapshotBefore, stepTransaction } from '@closeloop/participant';
import type { EntityManager } from 'typeorm';

import { DIRECTORY_REFUSAL, type DirectoryConnector } from '../directory/directory.connector';
import type { AccountStepKey, AccountStepRecord, AccountStepRepository } from './account-step.repository';

/*
 * The transactions the steps on an existing account share (the access change and the
 * offboarding): the account recorded as it was before the directory is touched, and the undo of a
 * step confirmed against the read-back.
 */

/** What a step on an existing account works with. */
export interface AccountStepContext {
  readonly ports: ParticipantPorts;
  readonly calls: BoundedCalls;
  readonly steps: AccountStepRepository;
  readonly directory: DirectoryConnector;
  readonly logger: StepLog;
}

/**
 * Before the directory is touched, records each journey's account as it is (enabled, groups), in
 * a transaction of its own: if the step then fails half-way, compensation still knows what to
 * restore. A record that already has it keeps it, so a retry never mistakes its own earlier
 * changes for the state before the journey. An account the directory has not, or will not show,
 * is not recorded: the step itself looks again and reports that.
 */
export const rememberAccountsBefore = (context: AccountStepContext, keys: readonly AccountStepKey[]): Promise<void> =>
  snapshotBefore(context.ports.transactions, context.calls, {
    unrecorded: async (tx) => {
      const records = await context.steps.lock(tx, keys);
      const unknown = [...records.values()].filter((r) => r.groupsBefore === null && r.status !== 'compensated');
      // Read while no other journey is changing these accounts: as they are, not half-changed.
      await context.steps.lockEmployees(tx, unknown.map((r) => r.employeeId));
      return unknown;
    },
    read: (record) => DIRECTORY_REFUSAL.means(() => null, () => context.directory.findAccount(record.employeeId)),
    keep: (tx, record, account) => context.steps.rememberBefore(tx, record.requestId, account),
  });

/** A compensation request of a step on an existing account. */
type UndoRequest = EventEnvelope<{ readonly request: { readonly subject: { readonly employeeId: string } } }>;

/**
 * Undoes the step for each journey under the journey's and the employee's locks, and confirms
 * each undo the read-back agrees with (the record then kept as a tombstone, with the groups read
 * back). An undo that is refused or contradicted confirms nothing: assurance asks again.
 */
export const undoAccountSteps = <E extends UndoRequest>(
  context: AccountStepContext,
  contracts: { readonly producer: string; readonly step: string; readonly compensated: CompensatedContract | null },
  events: readonly E[],
  keyOf: (event: E) => AccountStepKey,
  undo: (tx: EntityManager, event: E, record: AccountStepRecord) => Promise<UndoResult<{ groups: readonly string[] }>>,
): Promise<void> =>
  stepTransaction(context.ports, events, context.logger, async (tx, todo) => {
    const records = await context.steps.lock(tx, todo.map(keyOf));
    await context.steps.lockEmployees(tx, todo.map((e) => e.payload.request.subject.employeeId));
    const recordOf = (event: E) => records.get(event.requestId) as AccountStepRecord;
    return confirmUndos(
      todo,
      context.logger,
      (event) => undo(tx, event, recordOf(event)),
      async (event, result) => {
        await context.steps.save(tx, [{ ...recordOf(event), status: 'compensated', groups: result.groups, failure: null, updatedAt: context.ports.clock.now() }]);
        return compensatedEvent(contracts, event, result.undone, context.ports);
      },
    );
  });
