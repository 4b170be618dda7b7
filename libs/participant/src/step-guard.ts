import type { BoundedCalls } from './connector-calls';
import { latestPerJourney, type StepAsk } from './step-asks';
import type { StepResult } from './step-result';

/** Where a step stands for a journey. `compensated` is a tombstone: the journey was undone here. */
export type StepStatus = 'pending' | 'verified' | 'failed' | 'compensated';

/**
 * Whether an ask makes the step run: never after a compensation; a first request only while the
 * step is pending (a redelivered or second request does nothing); a retry whatever it came to.
 */
export const isDue = (status: StepStatus | undefined, retry: boolean): boolean => status !== undefined && status !== 'compensated' && (retry || status === 'pending');

/** An ask the step is due for, with its journey's record. */
export interface DueStep<A, V> {
  readonly ask: A;
  readonly record: V;
}

const ownStatus = (record: unknown): StepStatus | undefined => (record as { status?: StepStatus } | undefined)?.status;

/**
 * What a batch makes the step run for: per journey the last ask (the last request of the batch
 * wins), with the journey's record, when the step is due for it (`isDue`): journeys whose record
 * says compensated drop out. `statusOf` reads a record's status (by default its `status`).
 */
export const dueSteps = <A extends StepAsk<unknown>, V>(asks: readonly A[], records: ReadonlyMap<string, V>, statusOf: (record: V) => StepStatus | undefined = ownStatus): Array<DueStep<A, V>> =>
  latestPerJourney(asks).flatMap((ask) => {
    const record = records.get(ask.cause.requestId);
    return record !== undefined && isDue(statusOf(record), ask.retry) ? [{ ask, record }] : [];
  });

/** A due step with the result of its attempt. */
export interface Attempted<A, V, E extends object> extends DueStep<A, V> {
  readonly result: StepResult<E>;
}

/** One attempt of each due step, side by side but bounded (`calls`); the results keep the order. */
export const attemptSteps = async <A, V, E extends object>(calls: BoundedCalls, due: ReadonlyArray<DueStep<A, V>>, attempt: (step: DueStep<A, V>) => Promise<StepResult<E>>): Promise<Array<Attempted<A, V, E>>> =>
  (await calls(due, attempt)).map(([step, result]) => ({ ...step, result }));
