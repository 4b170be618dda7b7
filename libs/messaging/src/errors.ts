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

/** PostgreSQL error classes that mean "try again later": connection, lock, resources, serialization, operator intervention. */
const RETRYABLE_SQLSTATE = /^(08|40|53|55P03|57P0[1-3])/;
/**
 * PostgreSQL errors that no retry can fix: data exceptions (class 22: a NUL in text, a lone
 * surrogate in jsonb, a date or number out of range, invalid text for a type) and program
 * limits (54: a value or statement too large or too complex). The event carries what cannot be
 * stored; it is dead-lettered at once.
 */
const TERMINAL_SQLSTATE = /^(22|54)/;
const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** Lost or released connections, which pg and TypeORM report without a SQLSTATE. */
const RETRYABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end on the pool|query runner (was )?already released|Query runner already released|Release called on client which has already been released|terminating connection due to administrator command|server closed the connection unexpectedly|the database system is (starting up|shutting down|in recovery mode)/i;
const RETRYABLE_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'ConnectionIsNotSetError', 'CannotExecuteNotConnectedError']);

/** The error and the errors inside it (`cause`, TypeORM's `driverError`, an `AggregateError`'s), outermost first. */
const chainOf = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 10) {
    const current = queue.shift();
    if (current === undefined || current === null || chain.includes(current)) continue;
    chain.push(current);
    if (typeof current !== 'object') continue;
    const inner = current as { cause?: unknown; driverError?: unknown; errors?: unknown };
    queue.push(inner.driverError, inner.cause, ...(Array.isArray(inner.errors) ? inner.errors : []));
  }
  return chain;
};

const classifyOne = (error: unknown): ErrorClass => {
  if (error instanceof TerminalError) return 'terminal';
  if (error instanceof RetryableError) return 'retryable';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NODE_CODES.has(code))) return 'retryable';
  if (typeof code === 'string' && code.length === 5 && TERMINAL_SQLSTATE.test(code)) return 'terminal';
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && (name.startsWith('KafkaJS') || RETRYABLE_NAMES.has(name))) return 'retryable';
  if (RETRYABLE_MESSAGE.test(errorMessage(error))) return 'retryable';
  return 'unknown';
};

/**
 * Terminal or retryable, by the first error of the chain that says (an infrastructure failure
 * wrapped by a library is still retryable); `unknown` when none does.
 */
export const classifyError = (error: unknown): ErrorClass => {
  for (const inner of chainOf(error)) {
    const kind = classifyOne(inner);
    if (kind !== 'unknown') return kind;
  }
  return 'unknown';
};

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
