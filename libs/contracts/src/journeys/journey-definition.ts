import type { JourneyType } from '../envelope';

/**
 * A journey definition is plain data: its steps, the event that completes (or fails) each,
 * and the verification signals that make the journey done. A journey keeps the definition
 * version it started with.
 */
export interface JourneyStepDefinition {
  readonly name: string;
  /** The service that owns the step. */
  readonly owner: string;
  /** The topic whose event completes the step with a verified signal. */
  readonly completedBy: string;
  /** The topic whose event reports that the step failed. */
  readonly failedBy: string;
  /** Steps whose verification must come first (documentation of the choreography). */
  readonly after: readonly string[];
}

export interface JourneyDefinition {
  readonly type: JourneyType;
  readonly version: number;
  readonly steps: readonly JourneyStepDefinition[];
  /** Topics of the verification signals that together make the journey done. */
  readonly doneWhen: readonly string[];
}
