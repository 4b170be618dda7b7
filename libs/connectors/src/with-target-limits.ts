import type { TargetLimiter } from './target-limiter';

/**
 * A connector whose every method call goes through the target's limiter (rate, concurrency,
 * timeout), for connectors that are not HTTP clients (the in-process simulators). Calls the
 * connector makes to its own methods run on the unwrapped object, so they take no second slot.
 */
export const withTargetLimits = <T extends object>(connector: T, limiter: TargetLimiter): T =>
  new Proxy(connector, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) => limiter.run(String(property), async () => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
