import { TargetTimeoutError } from './errors';
import { TargetLimiter } from './target-limiter';
import { withTargetLimits } from './with-target-limits';

class Directory {
  running = 0;
  peak = 0;
  readonly releases: Array<() => void> = [];

  async lookup(id: string): Promise<string> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    this.running--;
    return `found ${id}`;
  }

  /** Calls another method of its own. */
  async lookupTwice(id: string): Promise<string> {
    return `${await this.read(id)} and ${await this.read(id)}`;
  }

  async read(id: string): Promise<string> {
    return `read ${id}`;
  }

  hang(): Promise<never> {
    return new Promise(() => undefined);
  }
}

describe('withTargetLimits', () => {
  it('puts every call through the limiter and returns its result', async () => {
    const raw = new Directory();
    const directory = withTargetLimits(raw, new TargetLimiter('directory', { ratePerSecond: 100000, maxConcurrent: 2, timeoutMs: 60000 }));
    const calls = ['a', 'b', 'c', 'd'].map((id) => directory.lookup(id));
    let finished = false;
    void Promise.all(calls).then(() => (finished = true));
    // Nothing is let go until two calls run at once (the limiter's maximum), however slow the machine.
    while (raw.running < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    // Then the calls that are running finish, a few at a time, until all have run.
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      raw.releases.splice(0).forEach((release) => release());
    }
    expect(await Promise.all(calls)).toEqual(['found a', 'found b', 'found c', 'found d']);
    expect(raw.peak).toBe(2);
  });

  it('does not take a second slot for a call the connector makes to itself', async () => {
    const directory = withTargetLimits(new Directory(), new TargetLimiter('directory', { ratePerSecond: 100000, maxConcurrent: 1, timeoutMs: 60000 }));
    expect(await directory.lookupTwice('x')).toBe('read x and read x');
  });

  it('fails a call past the timeout with a retryable timeout naming the method', async () => {
    const directory = withTargetLimits(new Directory(), new TargetLimiter('identity directory', { ratePerSecond: 100000, maxConcurrent: 1, timeoutMs: 30 }));
    const error = await directory.hang().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetTimeoutError);
    expect((error as Error).message).toBe('identity directory: no answer to hang within 30 ms');
  });
});
