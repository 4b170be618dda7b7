import { type AttemptOutcome, decideRetry, type RetryPolicy } from './retry-policy';

const POLICY: RetryPolicy = { maxAttempts: 4, maxRetryAfterMs: 10000, backoffMs: 200 };
const NOW = Date.parse('2026-11-21T12:00:00Z');
const response = (status: number, retryAfter: string | null = null): AttemptOutcome => ({ kind: 'response', status, retryAfter });

describe('decideRetry', () => {
  it('answers 2xx and the 4xx that repeating cannot fix, whatever the method', () => {
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 409, 412, 413, 422, 501]) {
      expect(decideRetry(response(status), 1, POLICY, false, NOW)).toEqual({ kind: 'answer' });
      expect(decideRetry(response(status), 1, POLICY, true, NOW)).toEqual({ kind: 'answer' });
    }
  });

  it('waits for the Retry-After of a 429 or 503, in seconds or as a date, and holds the whole target', () => {
    expect(decideRetry(response(429, '2'), 1, POLICY, false, NOW)).toMatchObject({ kind: 'retry', delayMs: 2000, hold: true });
    expect(decideRetry(response(503, 'Sat, 21 Nov 2026 12:00:03 GMT'), 1, POLICY, false, NOW)).toMatchObject({ kind: 'retry', delayMs: 3000, hold: true });
  });

  it('backs off exponentially when a 429 or 503 has no Retry-After', () => {
    expect(decideRetry(response(503), 1, POLICY, true, NOW)).toMatchObject({ kind: 'retry', delayMs: 200, hold: false });
    expect(decideRetry(response(429), 3, POLICY, true, NOW)).toMatchObject({ kind: 'retry', delayMs: 800, hold: false });
  });

  it('gives up at once (retryable) when the target asks for a longer pause than the cap', () => {
    const decision = decideRetry(response(429, '60'), 1, POLICY, true, NOW);
    expect(decision).toEqual({ kind: 'give-up', reason: 'answered 429 with Retry-After 60, longer than the 10000 ms the connector waits', holdMs: 60000 });
  });

  it('gives up after the last attempt', () => {
    expect(decideRetry(response(503, '1'), 4, POLICY, true, NOW)).toEqual({ kind: 'give-up', reason: 'answered 503 with Retry-After 1 4 times', holdMs: 1000 });
    expect(decideRetry(response(503), 4, POLICY, true, NOW)).toEqual({ kind: 'give-up', reason: 'answered 503 4 times' });
    expect(decideRetry({ kind: 'timeout', message: 'no answer' }, 4, POLICY, true, NOW)).toMatchObject({ kind: 'give-up' });
  });

  it('repeats transient server failures and timeouts only when the request is idempotent', () => {
    for (const status of [408, 500, 502, 504]) {
      expect(decideRetry(response(status), 1, POLICY, true, NOW)).toMatchObject({ kind: 'retry', delayMs: 200 });
      expect(decideRetry(response(status), 1, POLICY, false, NOW)).toMatchObject({ kind: 'give-up' });
    }
    expect(decideRetry({ kind: 'timeout', message: 'no answer within 5000 ms' }, 2, POLICY, true, NOW)).toMatchObject({ kind: 'retry', delayMs: 400 });
    expect(decideRetry({ kind: 'timeout', message: 'no answer within 5000 ms' }, 1, POLICY, false, NOW)).toEqual({
      kind: 'give-up',
      reason: 'no answer within 5000 ms; not repeated, the request is not safe to repeat',
    });
    expect(decideRetry({ kind: 'lost', message: 'connection failed (ECONNRESET)' }, 1, POLICY, false, NOW)).toMatchObject({ kind: 'give-up' });
  });

  it('repeats a request that never went out, whatever the method', () => {
    expect(decideRetry({ kind: 'not-sent', message: 'not reachable (ECONNREFUSED)' }, 1, POLICY, false, NOW)).toMatchObject({ kind: 'retry', delayMs: 200 });
  });

  it('never backs off longer than the cap', () => {
    expect(decideRetry(response(502), 3, { ...POLICY, maxAttempts: 10, maxRetryAfterMs: 500 }, true, NOW)).toMatchObject({ kind: 'retry', delayMs: 500 });
  });
});
