import pLimit from 'p-limit';

import { type Failed,failed } from './step-result';

/** Connector calls in flight at once per service (the database pool is 10 by default). */
export const CONNECTOR_CONCURRENCY = 8;

/** Runs a call per item, side by side but bounded; each result comes back with its item, in the items' order. */
export type BoundedCalls = <T, R>(items: readonly T[], call: (item: T) => Promise<R>) => Promise<Array<readonly [item: T, result: R]>>;

/**
 * Bounded connector calls. One per service, kept for its life: the bound holds across the
 * batches it handles at once (partitions are consumed concurrently).
 */
export const boundedCalls = (concurrency: number = CONNECTOR_CONCURRENCY): BoundedCalls => {
  const slots = pLimit(concurrency);
  return (items, call) => Promise.all(items.map((item) => slots(async () => [item, await call(item)] as const)));
};

export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * How a step reads a target system's refusal (an error of one of the given classes: the target
 * said no, and asking again as it is will not help) as opposed to any other error (the database,
 * a lost connection), which is thrown so the batch is tried again.
 */
export interface TargetRefusal {
  isRefusal(error: unknown): error is Error;
  /** Runs the call; a refusal is the step's failure: PROVISIONING_FAILED, with the target's message. */
  failsStep<R>(call: () => Promise<R>): Promise<R | Failed>;
  /** Runs the call; a refusal is `answer(error)`: null for a read before a change, a mismatch for an undo. */
  means<R, F>(answer: (error: Error) => F, call: () => Promise<R>): Promise<R | F>;
}

export const targetRefusal = (...classes: readonly ErrorClass[]): TargetRefusal => {
  const isRefusal = (error: unknown): error is Error => classes.some((refusal) => error instanceof refusal);
  const means = async <R, F>(answer: (error: Error) => F, call: () => Promise<R>): Promise<R | F> => {
    try {
      return await call();
    } catch (error) {
      if (isRefusal(error)) return answer(error);
      throw error;
    }
  };
  return { isRefusal, means, failsStep: (call) => means((error) => failed('PROVISIONING_FAILED', error.message), call) };
};
