/**
 * Every error a handler can raise is terminal or retryable. Terminal errors (invalid event,
 * unknown aggregate, broken invariant) send the event to `<topic>.dlq` and the offset moves on.
 * Retryable errors (database or broker unavailable, lock timeouts) leave the offset where it is
 * and the batch is tried again with backoff. Anything else is retried a bounded number of
 * times, then dead-lettered.
 */
export class TerminalError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

export type ErrorClass = 'terminal' | 'retryable' | 'unknown';

/** PostgreSQL error classes that mean "try again later": connection, lock, resources, serialization. */
const RETRYABLE_SQLSTATE = /^(08|40|53|55P03|57P0[1-3])/;
const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export const classifyError = (error: unknown): ErrorClass => {
  if (error instanceof TerminalError) return 'terminal';
  if (error instanceof RetryableError) return 'retryable';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NODE_CODES.has(code))) return 'retryable';
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && name.startsWith('KafkaJS')) return 'retryable';
  // pg reports a lost connection without a SQLSTATE.
  if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(errorMessage(error))) {
    return 'retryable';
  }
  return 'unknown';
};

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
