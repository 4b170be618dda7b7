import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { TargetUnavailableError } from './errors';
import { HttpTarget } from './http-target';
import type { RetryPolicy } from './retry-policy';
import { TargetLimiter, type Timing } from './target-limiter';

/** Answers each request with the next scripted reply; 'hang' never answers. */
type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'hang';

let server: Server;
let baseUrl: string;
let script: Reply[] = [];
let seen: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      const reply = script.shift() ?? { status: 200, body: {} };
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  seen = [];
});

const POLICY: RetryPolicy = { maxAttempts: 3, maxRetryAfterMs: 10000, backoffMs: 100 };

/** A target whose waits are recorded, not slept: the tests need no wall-clock time. */
const target = (policy: RetryPolicy = POLICY, timeoutMs = 5000) => {
  const waits: number[] = [];
  let now = Date.parse('2026-11-21T12:00:00Z');
  const timing: Timing = {
    now: () => now,
    sleep: async (ms) => {
      if (ms > 0) waits.push(ms);
      now += ms;
    },
  };
  const limiter = new TargetLimiter('crm', { ratePerSecond: 10000, maxConcurrent: 4, timeoutMs }, timing);
  return { http: new HttpTarget(limiter, { baseUrl, headers: { authorization: 'Bearer s3cret' }, retry: policy }, timing), waits, limiter };
};

describe('HttpTarget', () => {
  it('sends JSON with the target headers and returns the parsed answer', async () => {
    script = [{ status: 201, body: { id: 'u-1' } }];
    const answer = await target().http.request({ method: 'POST', path: '/Users', query: { filter: 'userName eq "a b"' }, body: { userName: 'a' }, idempotent: false });
    expect(answer).toEqual({ status: 201, body: { id: 'u-1' }, text: '{"id":"u-1"}' });
    expect(seen).toEqual([{ method: 'POST', url: '/api/Users?filter=userName+eq+%22a+b%22', auth: 'Bearer s3cret', body: '{"userName":"a"}' }]);
  });

  it('waits for the Retry-After of a 429, then succeeds, even for a POST', async () => {
    script = [{ status: 429, headers: { 'retry-after': '2' } }, { status: 201, body: { id: 'u-2' } }];
    const { http, waits } = target();
    expect((await http.request({ method: 'POST', path: '/Users', body: {}, idempotent: false })).status).toBe(201);
    expect(waits).toEqual([2000]);
    expect(seen).toHaveLength(2);
  });

  it('waits for a 503 Retry-After given as an HTTP date', async () => {
    script = [{ status: 503, headers: { 'retry-after': 'Sat, 21 Nov 2026 12:00:03 GMT' } }, { status: 200, body: {} }];
    const { http, waits } = target();
    expect((await http.request({ method: 'GET', path: '/Users/1', idempotent: true })).status).toBe(200);
    expect(waits).toEqual([3000]);
  });

  it('gives up, retryable, when the Retry-After is longer than it waits, and holds later calls without sending them', async () => {
    script = [{ status: 429, headers: { 'retry-after': '3600' } }];
    const { http } = target();
    const error = await http.request({ method: 'GET', path: '/Users/1', idempotent: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as Error).message).toBe('crm: GET /Users/1 answered 429 with Retry-After 3600, longer than the 10000 ms the connector waits');
    await expect(http.request({ method: 'GET', path: '/Users/2', idempotent: true })).rejects.toThrow(
      'crm: GET /Users/2 not sent: the target asked for a pause of 3600000 ms more (Retry-After), longer than the 10000 ms the connector waits',
    );
    expect(seen).toHaveLength(1);
  });

  it('gives up, retryable, after its attempts', async () => {
    script = [{ status: 503 }, { status: 503 }, { status: 503 }];
    const { http, waits } = target();
    await expect(http.request({ method: 'GET', path: '/x', idempotent: true })).rejects.toThrow('crm: GET /x answered 503 3 times');
    expect(waits).toEqual([100, 200]);
  });

  it('returns a 4xx that cannot succeed as the answer, with the target message, without repeating it', async () => {
    script = [{ status: 409, body: { detail: 'userName is taken' } }];
    const answer = await target().http.request({ method: 'POST', path: '/Users', body: {}, idempotent: false });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ detail: 'userName is taken' });
    expect(seen).toHaveLength(1);
  });

  it('repeats an idempotent request that timed out', async () => {
    script = ['hang', { status: 200, body: { ok: true } }];
    const { http } = target(POLICY, 50);
    expect((await http.request({ method: 'GET', path: '/slow', idempotent: true })).body).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it('does not repeat a POST that timed out: the target may have done it (retryable)', async () => {
    script = ['hang'];
    const { http } = target(POLICY, 50);
    const error = await http.request({ method: 'POST', path: '/Users', body: {}, idempotent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as Error).message).toBe('crm: POST /Users no answer within 50 ms; not repeated, the request is not safe to repeat');
    expect(seen).toHaveLength(1);
  });

  it('repeats a request that could not be sent at all, then gives up retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const timing: Timing = { now: () => 0, sleep: async () => undefined };
    const http = new HttpTarget(new TargetLimiter('gone', { ratePerSecond: 1000, maxConcurrent: 1, timeoutMs: 1000 }, timing), { baseUrl: `http://127.0.0.1:${port}`, headers: {}, retry: POLICY }, timing);
    await expect(http.request({ method: 'POST', path: '/Users', body: {}, idempotent: false })).rejects.toThrow('gone: POST /Users not reachable (ECONNREFUSED) (3 attempts)');
  });
});
