import { errorMessage } from '@closeloop/messaging';

import { TargetTimeoutError, TargetUnavailableError } from './errors';
import { type AttemptOutcome, decideRetry, type RetryPolicy } from './retry-policy';
import { realTiming, type TargetLimiter, type Timing } from './target-limiter';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Appended to the target's base URL. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Safe to repeat after a timeout or a 5xx (GET, PUT, DELETE, an idempotent PATCH). POST is not. */
  readonly idempotent: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  /** The parsed JSON body; null when empty or not JSON. */
  readonly body: unknown;
  /** The raw body text, for messages when it is not JSON. */
  readonly text: string;
}

export interface HttpTargetOptions {
  /**
   * Base URL without a trailing slash, e.g. `https://api.example.com/scim/v2`; or a function that
   * gives it when a request is made (a target whose address is known only at run time), which
   * may throw `TargetUnavailableError`.
   */
  readonly baseUrl: string | (() => string);
  readonly headers: Readonly<Record<string, string>>;
  readonly retry: RetryPolicy;
  readonly contentType?: string;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What a failed fetch means for a retry: timed out, never sent, or lost on the way. */
const failedAttempt = (error: unknown): AttemptOutcome => {
  if (error instanceof TargetTimeoutError) return { kind: 'timeout', message: `no answer within ${error.timeoutMs} ms` };
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? (typeof cause?.message === 'string' ? cause.message : errorMessage(error));
  return code && NOT_SENT.has(code) ? { kind: 'not-sent', message: `not reachable (${detail})` } : { kind: 'lost', message: `connection failed (${detail})` };
};

/**
 * JSON over HTTP to one target system, within its limiter (rate, concurrency, timeout), retried
 * by `decideRetry`: 429/503 after their Retry-After, transient failures of idempotent requests
 * with backoff. Returns the final answer (2xx or a status that repeating will not change) for
 * the caller to interpret; throws `TargetUnavailableError` (retryable) when it gives up.
 */
export class HttpTarget {
  constructor(
    private readonly limiter: TargetLimiter,
    private readonly options: HttpTargetOptions,
    private readonly timing: Timing = realTiming,
  ) {}

  get name(): string {
    return this.limiter.target;
  }

  async request(request: HttpRequest): Promise<HttpAnswer> {
    const what = `${request.method} ${request.path}`;
    const baseUrl = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
    for (let attempt = 1; ; attempt++) {
      const held = this.limiter.waitMs();
      if (held > this.options.retry.maxRetryAfterMs) {
        throw new TargetUnavailableError(this.name, `${this.name}: ${what} not sent: the target asked for a pause of ${held} ms more (Retry-After), longer than the ${this.options.retry.maxRetryAfterMs} ms the connector waits`);
      }
      await this.timing.sleep(held);
      let answer: (HttpAnswer & { retryAfter: string | null }) | undefined;
      let outcome: AttemptOutcome;
      try {
        answer = await this.limiter.run(what, (signal) => this.send(baseUrl, request, signal));
        outcome = { kind: 'response', status: answer.status, retryAfter: answer.retryAfter };
      } catch (error) {
        outcome = failedAttempt(error);
      }
      const decision = decideRetry(outcome, attempt, this.options.retry, request.idempotent, this.timing.now());
      if (decision.kind === 'answer' && answer) return { status: answer.status, body: answer.body, text: answer.text };
      if (decision.kind === 'give-up') {
        if (decision.holdMs !== undefined) this.limiter.holdUntil(this.timing.now() + decision.holdMs);
        throw new TargetUnavailableError(this.name, `${this.name}: ${what} ${decision.reason}`);
      }
      if (decision.kind === 'retry') {
        if (decision.hold) this.limiter.holdUntil(this.timing.now() + decision.delayMs);
        else await this.timing.sleep(decision.delayMs);
      }
    }
  }

  private async send(baseUrl: string, request: HttpRequest, signal: AbortSignal): Promise<HttpAnswer & { retryAfter: string | null }> {
    const url = new URL(`${baseUrl}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    const contentType = this.options.contentType ?? 'application/json';
    const response = await fetch(url, {
      method: request.method,
      headers: { accept: `${contentType}, application/json`, ...(request.body === undefined ? {} : { 'content-type': contentType }), ...this.options.headers },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    const text = await response.text();
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    return { status: response.status, body, text, retryAfter: response.headers.get('retry-after') };
  }
}
