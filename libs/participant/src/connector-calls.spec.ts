import { boundedCalls, targetRefusal } from './connector-calls';

class RefusedError extends Error {}
class OtherRefusedError extends Error {}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('boundedCalls', () => {
  it('never has more calls in flight than its bound, and returns each result with its item, in order', async () => {
    const calls = boundedCalls(2);
    let inFlight = 0;
    let most = 0;
    const results = await calls([3, 1, 2, 5, 4], async (n) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i += 1) await tick();
      inFlight -= 1;
      return n * 10;
    });
    expect(most).toBe(2);
    expect(results).toEqual([
      [3, 30],
      [1, 10],
      [2, 20],
      [5, 50],
      [4, 40],
    ]);
  });

  it('holds the bound across batches run at once', async () => {
    const calls = boundedCalls(1);
    let inFlight = 0;
    let most = 0;
    const work = async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick();
      inFlight -= 1;
    };
    await Promise.all([calls([1, 2], work), calls([3], work)]);
    expect(most).toBe(1);
  });
});

describe('targetRefusal', () => {
  const refusal = targetRefusal(RefusedError, OtherRefusedError);

  it('makes a refusal of the target the step failure, with its message', async () => {
    await expect(refusal.failsStep(() => Promise.reject(new OtherRefusedError('no such group')))).resolves.toEqual({ kind: 'failed', code: 'PROVISIONING_FAILED', reason: 'no such group' });
    await expect(refusal.failsStep(async () => 'done')).resolves.toBe('done');
  });

  it('answers a refusal as told', async () => {
    await expect(refusal.means(() => null, () => Promise.reject(new RefusedError('read refused')))).resolves.toBeNull();
    await expect(refusal.means((e) => e.message, () => Promise.reject(new RefusedError('undo refused')))).resolves.toBe('undo refused');
  });

  it('throws any other error, so the batch is tried again', async () => {
    const lost = new Error('connection lost');
    await expect(refusal.failsStep(() => Promise.reject(lost))).rejects.toBe(lost);
    await expect(refusal.means(() => null, () => Promise.reject(lost))).rejects.toBe(lost);
    expect(refusal.isRefusal(lost)).toBe(false);
    expect(refusal.isRefusal(new RefusedError('x'))).toBe(true);
  });
});
