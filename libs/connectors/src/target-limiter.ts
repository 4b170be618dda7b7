import type { TargetLimits } from '@closeloop/config';
import pLimit from 'p-limit';

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
 * The calls of one service instance to one target system: at most `maxConcurrent` in flight
 * (p-limit), started at most `ratePerSecond` per second (each start reserves the next free slot
 * of 1/ratePerSecond, and a caller waits for its slot only when it is ahead of the rate, by a
 * millisecond or more: timers are not finer; the wait holds no concurrency slot), each given `timeoutMs` once it starts (queueing does not
 * count). A scheduler with its own timers per call (bottleneck, used before) cost a tenth of a
 * simulator-backed service's CPU at rates far below the limit. A call past its time fails with
 * `TargetTimeoutError` (retryable) and frees its slot; the call's signal is aborted, so an HTTP
 * request is cancelled (work in process cannot be, and finishes on its own).
 *
 * When the target asks for a pause (429 or 503 with Retry-After), `holdUntil` records it, and
 * `waitMs` tells every later caller how long is left, so nobody calls the target early.
 */
export class TargetLimiter {
  private readonly slots: pLimit.Limit;
  private readonly intervalMs: number;
  /** When the next call may start, by the rate (epoch ms). */
  private nextStart = 0;
  /** Callers waiting for their start by the rate. */
  private pacing = 0;
  private heldUntil = 0;

  constructor(
    readonly target: string,
    readonly limits: TargetLimits,
    private readonly timing: Timing = realTiming,
  ) {
    this.slots = pLimit(limits.maxConcurrent);
    this.intervalMs = 1000 / limits.ratePerSecond;
  }

  /** Runs one call within the target's rate, concurrency and time limits. `what` names it in a timeout message. */
  async run<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    await this.pace();
    return this.slots(() => this.withTimeout(what, call));
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
    return this.pacing + this.slots.pendingCount + this.slots.activeCount;
  }

  /** Waits until this call's start by the rate: evenly spaced starts, none earlier than 1/ratePerSecond after the one before. */
  private async pace(): Promise<void> {
    const now = this.timing.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + this.intervalMs;
    if (start - now < 1) return;
    this.pacing++;
    try {
      await this.timing.sleep(start - now);
    } finally {
      this.pacing--;
    }
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
