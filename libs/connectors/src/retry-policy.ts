import { parseRetryAfter } from './retry-after';

/** How one HTTP target is retried. */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** The longest Retry-After (or backoff) the connector waits in place; a longer one gives up at once (retryable). */
  readonly maxRetryAfterMs: number;
  /** First backoff when the target gives no Retry-After; doubles per attempt, up to maxRetryAfterMs. */
  readonly backoffMs: number;
}

/** What one attempt came to. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter: string | null }
  /** Timed out: the target may or may not have done it. */
  | { readonly kind: 'timeout'; readonly message: string }
  /** The request never reached the target (connection refused, name not resolved). */
  | { readonly kind: 'not-sent'; readonly message: string }
  /** The connection broke after the request went out: the target may or may not have done it. */
  | { readonly kind: 'lost'; readonly message: string };

export type RetryDecision =
  /** A final answer for the caller to interpret: 2xx, or a 4xx/5xx that trying again will not change. */
  | { readonly kind: 'answer' }
  /** Wait, then try again; `hold`: the target itself asked for the pause, so it applies to every call to it. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly hold: boolean; readonly reason: string }
  /**
   * Stop trying in place; the failure is retryable later (the caller leaves the event for
   * redelivery). `holdMs`: the pause the target asked for, which every call to it keeps.
   */
  | { readonly kind: 'give-up'; readonly reason: string; readonly holdMs?: number };

/** Statuses that say "not now" about a request the target did not carry out: safe to repeat for any method. */
const NOT_NOW = new Set([429, 503]);
/** Transient server-side failures; the request may have been carried out, so only idempotent requests repeat. */
const TRANSIENT = new Set([408, 500, 502, 504]);

export const backoffMs = (policy: RetryPolicy, attempt: number): number => Math.min(policy.maxRetryAfterMs, policy.backoffMs * 2 ** (attempt - 1));

/**
 * Decides what to do after attempt number `attempt` (1-based) of a request.
 * - 429 and 503 are retried after their Retry-After (seconds or HTTP date; backoff when absent),
 *   for any method: the target did not carry the request out. A Retry-After longer than
 *   `maxRetryAfterMs` gives up at once rather than hold the caller (retryable later).
 * - 408, 500, 502, 504, a timeout and a broken connection are retried with backoff only when
 *   the request is idempotent; a POST may have been carried out, so it gives up (retryable: the
 *   caller's next attempt looks before it creates).
 * - A request that never went out (connection refused) is retried with backoff.
 * - Anything else is the answer: 2xx, and the 4xx that cannot succeed by repeating them
 *   (400, 401, 403, 404, 409, ...), which the caller reports with the target's message.
 * After `maxAttempts` it gives up.
 */
export const decideRetry = (outcome: AttemptOutcome, attempt: number, policy: RetryPolicy, idempotent: boolean, now: number): RetryDecision => {
  const last = attempt >= policy.maxAttempts;
  if (outcome.kind === 'response') {
    const { status } = outcome;
    if (NOT_NOW.has(status)) {
      const asked = parseRetryAfter(outcome.retryAfter, now);
      const what = `answered ${status}${asked === null ? '' : ` with Retry-After ${outcome.retryAfter}`}`;
      const hold = asked === null ? {} : { holdMs: asked };
      if (asked !== null && asked > policy.maxRetryAfterMs) return { kind: 'give-up', reason: `${what}, longer than the ${policy.maxRetryAfterMs} ms the connector waits`, ...hold };
      if (last) return { kind: 'give-up', reason: `${what} ${attempt} times`, ...hold };
      return { kind: 'retry', delayMs: asked ?? backoffMs(policy, attempt), hold: asked !== null, reason: what };
    }
    if (TRANSIENT.has(status)) {
      if (!idempotent) return { kind: 'give-up', reason: `answered ${status} to a request that is not safe to repeat` };
      if (last) return { kind: 'give-up', reason: `answered ${status} ${attempt} times` };
      return { kind: 'retry', delayMs: backoffMs(policy, attempt), hold: false, reason: `answered ${status}` };
    }
    return { kind: 'answer' };
  }
  if (outcome.kind === 'not-sent' || idempotent) {
    if (last) return { kind: 'give-up', reason: `${outcome.message} (${attempt} attempts)` };
    return { kind: 'retry', delayMs: backoffMs(policy, attempt), hold: false, reason: outcome.message };
  }
  return { kind: 'give-up', reason: `${outcome.message}; not repeated, the request is not safe to repeat` };
};
