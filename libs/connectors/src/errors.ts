import { RetryableError } from '@closeloop/messaging';

/**
 * A target system could not be reached or did not answer usefully in time: it timed out, kept
 * answering 429/503/5xx, or asked (Retry-After) to be called later than the connector waits.
 * Nothing was decided, so it is retryable: the caller leaves the event for redelivery.
 */
export class TargetUnavailableError extends RetryableError {
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TargetUnavailableError';
  }
}

/** A call to a target system took longer than the target's `timeoutMs`. */
export class TargetTimeoutError extends TargetUnavailableError {
  constructor(
    target: string,
    readonly timeoutMs: number,
    what: string,
  ) {
    super(target, `${target}: no answer to ${what} within ${timeoutMs} ms`);
    this.name = 'TargetTimeoutError';
  }
}
