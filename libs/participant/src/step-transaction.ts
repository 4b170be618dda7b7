import type { EventEnvelope } from '@closeloop/contracts';
import { claimFresh, type OutgoingEvent } from '@closeloop/messaging';
import type { EntityManager } from 'typeorm';

import type { BoundedCalls } from './connector-calls';
import type { ParticipantPorts, StepLog, TransactionRunner } from './ports';
import { type Claimable, envelopeOf } from './step-asks';
import type { Undone, UndoResult } from './step-result';

/**
 * The transaction of a batch: claims the items' events in the inbox (the ones handled before
 * drop out), hands the fresh ones to `work`, and adds the events it returns to the outbox, all or
 * nothing. An empty batch, or one handled before, does nothing.
 */
export const stepTransaction = async <T extends Claimable>(
  ports: Pick<ParticipantPorts, 'transactions' | 'inbox' | 'outbox'>,
  items: readonly T[],
  log: StepLog,
  work: (tx: EntityManager, fresh: T[]) => Promise<readonly OutgoingEvent[]>,
): Promise<void> => {
  if (items.length === 0) return;
  await ports.transactions.transaction(async (tx) => {
    const fresh = await claimFresh(ports.inbox, tx, items, (item) => envelopeOf(item).eventId);
    if (fresh.length === 0) return;
    const out = await work(tx, fresh);
    await ports.outbox.add(tx, out);
    for (const { topic, event } of out) log.info({ requestId: event.requestId, eventId: event.causationId, topic }, 'step reported');
  });
};

/**
 * Undoes the step for each compensation request, one after the other, and reports each undo the
 * target confirms (read back) with `confirmed`. An undo that is refused or that the read-back
 * contradicts reports nothing, so assurance asks again.
 */
export const confirmUndos = async <T extends EventEnvelope, X extends object>(
  requests: readonly T[],
  log: StepLog,
  undo: (request: T) => Promise<UndoResult<X>>,
  confirmed: (request: T, result: Undone<X>) => OutgoingEvent | Promise<OutgoingEvent>,
): Promise<OutgoingEvent[]> => {
  const out: OutgoingEvent[] = [];
  for (const request of requests) {
    const result = await undo(request);
    if (!result.confirmed) {
      log.warn({ requestId: request.requestId, eventId: request.eventId, mismatch: result.mismatch }, 'step not undone; not confirmed');
      continue;
    }
    out.push(await confirmed(request, result));
  }
  return out;
};

/** How a step keeps what a target holds before it changes it (see `snapshotBefore`). */
export interface Snapshot<R, S> {
  /** Creates or merges the journeys' records and locks them (and what else the reads need); returns those with nothing kept yet. */
  readonly unrecorded: (tx: EntityManager) => Promise<readonly R[]>;
  /** Reads what the target holds now; null when it cannot be read (the step itself reports that). */
  readonly read: (record: R) => Promise<S | null>;
  /** Keeps it with the record; once kept, it is never replaced. */
  readonly keep: (tx: EntityManager, record: R, snapshot: S) => Promise<void>;
}

/**
 * Before a step changes a target, keeps what the target holds, in a transaction of its own: if
 * the change then fails half-way (a crash, a lost connection), compensation still knows what to
 * set back. The reads run side by side, bounded.
 */
export const snapshotBefore = <R, S>(transactions: TransactionRunner, calls: BoundedCalls, snapshot: Snapshot<R, S>): Promise<void> =>
  transactions.transaction(async (tx) => {
    const records = await snapshot.unrecorded(tx);
    for (const [record, held] of await calls(records, snapshot.read)) if (held !== null) await snapshot.keep(tx, record, held);
  });
