import type { JourneyType } from '../envelope';

/** How often a step is tried, and how long to wait between tries (exponential, with jitter). */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** 0 to 1: the share of each backoff that is random. */
  readonly jitter: number;
}

/**
 * A journey definition is plain data: its steps, the event that completes (or fails) each, the
 * deadline of each attempt, the retry policy, where an exhausted step escalates to, and the
 * verification signals that make the journey done. A journey keeps the definition version it
 * started with.
 */
export interface JourneyStepDefinition {
  readonly name: string;
  /** The service that owns the step. */
  readonly owner: string;
  /** The topic whose event completes the step with a verified signal. */
  readonly completedBy: string;
  /** The topic whose event reports that the step failed. */
  readonly failedBy: string;
  /** Steps whose verification must come first; the step's deadline starts when they are verified. */
  readonly after: readonly string[];
  /** The SLA of one attempt: the step is stalled when no outcome arrived by then. */
  readonly deadlineMs: number;
  readonly retry: RetryPolicy;
  /** The human work queue an exhausted step goes to. */
  readonly escalateTo: string;
  /** The topic whose event confirms that the owner undid the step. */
  readonly compensatedBy: string;
}

export interface JourneyDefinition {
  readonly type: JourneyType;
  readonly version: number;
  readonly steps: readonly JourneyStepDefinition[];
  /** Topics of the verification signals that together make the journey done. */
  readonly doneWhen: readonly string[];
}

/** The wait before attempt `attempt + 1`: exponential from `backoffMs`, capped, with jitter. */
export const retryDelayMs = (policy: RetryPolicy, attempt: number, random: number): number => {
  const exponential = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - policy.jitter + policy.jitter * random));
};
