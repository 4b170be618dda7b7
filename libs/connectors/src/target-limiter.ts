import type { TargetLimits } from '@closeloop/config';
import Bottleneck from 'bottleneck';

import { TargetTimeoutError } from './errors';

/** A clock and a way to wait, injectable so that tests need no wall-clock time. */
export interface Timing {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const realTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()),
};

/**
 * The calls of one service instance to one target system: at most `maxConcurrent` in flight,
 * started at most `ratePerSecond` per second (evenly spaced, with bottleneck), each given
 * `timeoutMs` once it starts (queueing does not count). A call past its time fails with
 * `TargetTimeoutError` (retryable) and frees its slot; the call's signal is aborted, so an HTTP
 * request is cancelled (work in process cannot be, and finishes on its own).
 *
 * When the target asks for a pause (429 or 503 with Retry-After), `holdUntil` records it, and
 * `waitMs` tells every later caller how long is left, so nobody calls the target early.
 */
export class TargetLimiter {
  private readonly bottleneck: Bottleneck;
  private heldUntil = 0;

  constructor(
    readonly target: string,
    readonly limits: TargetLimits,
    private readonly timing: Timing = realTiming,
  ) {
    this.bottleneck = new Bottleneck({ maxConcurrent: limits.maxConcurrent, minTime: Math.ceil(1000 / limits.ratePerSecond), id: target });
  }

  /** Runs one call within the target's rate, concurrency and time limits. `what` names it in a timeout message. */
  run<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.bottleneck.schedule(() => this.withTimeout(what, call));
  }

  /** The target asked not to be called before `at` (epoch ms). */
  holdUntil(at: number): void {
    this.heldUntil = Math.max(this.heldUntil, at);
  }

  /** How long callers must still wait before calling the target, in ms. */
  waitMs(): number {
    return Math.max(0, this.heldUntil - this.timing.now());
  }

  /** Calls queued or running; for tests and diagnostics. */
  pending(): number {
    const counts = this.bottleneck.counts();
    return counts.RECEIVED + counts.QUEUED + counts.RUNNING + counts.EXECUTING;
  }

  private async withTimeout<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new TargetTimeoutError(this.target, this.limits.timeoutMs, what);
        controller.abort(error);
        reject(error);
      }, this.limits.timeoutMs);
    });
    try {
      return await Promise.race([call(controller.signal), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
