import type { EventEnvelope } from '@closeloop/contracts';
import type { OutgoingEvent } from '@closeloop/messaging';
import { type BoundedCalls, byJourney, type Claimable, confirmUndos, type ParticipantPorts, type StepLog, stepTransaction, type UndoResult } from '@closeloop/participant';
import type { EntityManager } from 'typeorm';

/*
 * The transactions of a service that runs several steps of one journey (a replacement, an
 * offboarding), keeping them in one record per journey.
 */

/** One record per journey: locked for the transaction (created the first time), and saved whole. */
export interface StepRecords<K, R> {
  lock(tx: EntityManager, keys: readonly K[]): Promise<Map<string, R>>;
  save(tx: EntityManager, record: R, now: Date): Promise<void>;
}

/** What one journey's asks came to: its record now, and the events that report it. */
export interface Advanced<R> {
  readonly record: R;
  readonly out: readonly OutgoingEvent[];
}

interface Forward<A, K, R> {
  readonly records: StepRecords<K, R>;
  /** What an ask tells the record of its journey. */
  readonly keyOf: (ask: A) => K;
  /** Runs the steps a journey's asks (in batch order) make due. */
  readonly advance: (record: R, asks: readonly A[]) => Promise<Advanced<R>>;
}

/**
 * The transaction of a batch of asks: the fresh ones' records locked, the journeys advanced side
 * by side (bounded) and the steps of one journey one after the other, each record saved, and the
 * events reported, all or nothing.
 */
export const advanceJourneys = <A extends Claimable, K, R>(ports: ParticipantPorts, calls: BoundedCalls, log: StepLog, asks: readonly A[], forward: Forward<A, K, R>): Promise<void> =>
  stepTransaction(ports, asks, log, async (tx, fresh) => {
    const records = await forward.records.lock(tx, fresh.map(forward.keyOf));
    const advanced = await calls([...byJourney(fresh)], ([requestId, journeyAsks]) => forward.advance(records.get(requestId) as R, journeyAsks));
    const now = ports.clock.now();
    for (const [, { record }] of advanced) await forward.records.save(tx, record, now);
    return advanced.flatMap(([, { out }]) => out);
  });

interface Backward<E, K, R> {
  readonly records: StepRecords<K, R>;
  readonly keyOf: (event: E) => K;
  /** Undoes the step the request names, and reads the target back. */
  readonly undo: (record: R, event: E) => Promise<UndoResult>;
  /** The record once the target confirmed the undo (the step compensated). */
  readonly undone: (record: R, event: E) => R;
  /** The event that confirms the undo. */
  readonly confirmed: (event: E, what: string) => OutgoingEvent;
}

/**
 * Undoes one step per compensation request. From the first request on, the journey's record says
 * compensating, so no forward work runs for it any more; the step is compensated only once the
 * target confirms the undo (read back). An undo refused or contradicted confirms nothing: the
 * owner is asked again.
 */
export const undoSteps = <E extends EventEnvelope, K, R extends { readonly compensating: boolean }>(ports: ParticipantPorts, log: StepLog, events: readonly E[], backward: Backward<E, K, R>): Promise<void> =>
  stepTransaction(ports, events, log, async (tx, todo) => {
    const records = await backward.records.lock(tx, todo.map(backward.keyOf));
    return confirmUndos(
      todo,
      log,
      async (event) => {
        const record: R = { ...(records.get(event.requestId) as R), compensating: true };
        const result = await backward.undo(record, event);
        const next = result.confirmed ? backward.undone(record, event) : record;
        records.set(event.requestId, next);
        await backward.records.save(tx, next, ports.clock.now());
        return result;
      },
      (event, { undone: what }) => backward.confirmed(event, what),
    );
  });
