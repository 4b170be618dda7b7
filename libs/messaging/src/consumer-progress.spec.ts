import { ConsumerProgress, describeStuck } from './consumer-progress';

describe('ConsumerProgress', () => {
  let now = 0;
  const progress = () => new ConsumerProgress(() => now);
  const thresholds = { afterMs: 60_000, afterFailures: 3 };

  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('reports a partition stuck after as many failures on the same offset, and forgets it once committed', () => {
    const p = progress();
    p.started('t', 0, '10');
    p.failed('t', 0, new Error('first'));
    p.started('t', 0, '10'); // the same batch delivered again
    p.failed('t', 0, new Error('second'));
    expect(p.stuck(thresholds)).toEqual([]);
    p.failed('t', 0, new Error('x'.repeat(1000)));
    const [stuck] = p.stuck(thresholds);
    expect(stuck).toMatchObject({ topic: 't', partition: 0, offset: '10', failures: 3, since: new Date(now) });
    expect(stuck?.lastError?.length).toBeLessThanOrEqual(300);
    p.committed('t', 0);
    expect(p.stuck(thresholds)).toEqual([]);
  });

  it('reports a partition not committed past the time threshold, counting from the first attempt at the offset', () => {
    const p = progress();
    p.started('t', 1, '5');
    now += 59_000;
    p.started('t', 1, '5');
    expect(p.stuck(thresholds)).toEqual([]);
    now += 2_000;
    expect(p.stuck(thresholds)).toEqual([expect.objectContaining({ partition: 1, seconds: 61, failures: 0 })]);
    p.started('t', 1, '6'); // moved on
    expect(p.stuck(thresholds)).toEqual([]);
  });

  it('forgets partitions no longer assigned, and says where and since when it is stuck', () => {
    const p = progress();
    p.started('a', 0, '1');
    p.started('b', 2, '7');
    for (let i = 0; i < 3; i++) {
      p.failed('a', 0, new Error('database down'));
      p.failed('b', 2, new Error('broker down'));
    }
    p.retain({ b: [2] });
    const stuck = p.stuck(thresholds);
    expect(stuck.map((s) => s.topic)).toEqual(['b']);
    expect(describeStuck(stuck)).toBe(`b partition 2 stuck at offset 7 since ${new Date(now).toISOString()} (3 failed attempts; last: broker down)`);
  });
});
