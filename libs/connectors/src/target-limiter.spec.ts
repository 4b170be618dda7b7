import { TargetTimeoutError } from './errors';
import { TargetLimiter } from './target-limiter';

/** A call that finishes when the test says so. */
const gate = () => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
};

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('TargetLimiter', () => {
  it('never runs more than maxConcurrent calls to a target at once, and runs them all', async () => {
    const limiter = new TargetLimiter('app', { ratePerSecond: 100000, maxConcurrent: 2, timeoutMs: 60000 });
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, gate);
    const starts = Array.from({ length: 5 }, gate);
    const calls = gates.map((g, i) =>
      limiter.run(`call ${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        starts[i]?.open();
        await g.opened;
        running--;
        return i;
      }),
    );
    await Promise.all([starts[0]?.opened, starts[1]?.opened]);
    for (let i = 0; i < 5; i++) {
      gates[i]?.open();
      await starts[Math.min(i + 2, 4)]?.opened;
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('holds a call back by the rate while calls to another target go ahead', async () => {
    const slow = new TargetLimiter('one-per-second', { ratePerSecond: 1, maxConcurrent: 10, timeoutMs: 60000 });
    const fast = new TargetLimiter('unlimited', { ratePerSecond: 100000, maxConcurrent: 10, timeoutMs: 60000 });
    const order: string[] = [];
    const held = [1, 2].map((i) => slow.run(`slow ${i}`, async () => void order.push(`slow-${i}`)));
    await held[0];
    for (const i of [1, 2, 3]) await fast.run(`fast ${i}`, async () => void order.push(`fast-${i}`));
    await Promise.all(held);
    expect(order).toEqual(['slow-1', 'fast-1', 'fast-2', 'fast-3', 'slow-2']);
  });

  it('fails a call that runs past timeoutMs with a retryable timeout, aborts its signal and frees its slot', async () => {
    const limiter = new TargetLimiter('slow-app', { ratePerSecond: 1000, maxConcurrent: 1, timeoutMs: 50 });
    let aborted: unknown;
    const hanging = limiter.run('GET /Users', (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject((aborted = signal.reason)))));
    const next = limiter.run('GET /Groups', async () => 'next');
    const error = await hanging.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetTimeoutError);
    expect((error as Error).message).toBe('slow-app: no answer to GET /Users within 50 ms');
    expect(aborted).toBe(error);
    expect(await next).toBe('next');
  });

  it('keeps a pause the target asked for, for every caller, until it has passed', () => {
    let now = 1000;
    const limiter = new TargetLimiter('app', { ratePerSecond: 10, maxConcurrent: 1, timeoutMs: 100 }, { now: () => now, sleep: async () => undefined });
    expect(limiter.waitMs()).toBe(0);
    limiter.holdUntil(3000);
    limiter.holdUntil(2000);
    expect(limiter.waitMs()).toBe(2000);
    now = 2500;
    expect(limiter.waitMs()).toBe(500);
    now = 4000;
    expect(limiter.waitMs()).toBe(0);
  });

  it('limits each target on its own: a blocked target does not hold up another', async () => {
    const busy = new TargetLimiter('busy', { ratePerSecond: 1000, maxConcurrent: 1, timeoutMs: 60000 });
    const free = new TargetLimiter('free', { ratePerSecond: 1000, maxConcurrent: 1, timeoutMs: 60000 });
    const g = gate();
    const order: string[] = [];
    const blocked = busy.run('first', async () => {
      await g.opened;
      order.push('busy-1');
    });
    const queued = busy.run('second', async () => void order.push('busy-2'));
    await flush();
    await free.run('other', async () => void order.push('free'));
    g.open();
    await Promise.all([blocked, queued]);
    expect(order).toEqual(['free', 'busy-1', 'busy-2']);
  });
});
