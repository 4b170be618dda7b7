import type { EntityManager } from 'typeorm';

import type { TransactionRunner } from './ports';

/** A store of the in-memory unit of work: a copy of its state, to put back when the transaction fails. */
export interface Transactional {
  snapshot(): () => void;
}

const open = new WeakSet<object>();

/** Fails unless `tx` is a transaction of `InMemoryTransactions` that is still open: fakes write only inside one. */
export const assertOpen = (tx: unknown): void => {
  if (typeof tx !== 'object' || tx === null || !open.has(tx)) throw new Error('an in-memory store was used outside an open transaction');
};

/** Reads that test runners and formatters make of any object; everything else is a query a fake cannot answer. */
const HARMLESS = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', '$$typeof', 'nodeType', 'inspect']);

/** Stands in for the EntityManager: anything that reaches for it (a query, a TypeORM repository) fails the test. */
const strictManager = (id: number): EntityManager =>
  new Proxy({ inMemoryTransaction: id } as object, {
    get(target, property) {
      if (typeof property === 'symbol' || HARMLESS.has(property) || property === 'inMemoryTransaction') return Reflect.get(target, property);
      throw new Error(`in-memory transaction ${id} has no ${property}: the code under test reached past its ports (use an in-memory store)`);
    },
  }) as EntityManager;

/**
 * The unit of work in memory: the enlisted stores (inbox, outbox, records) keep what a
 * transaction wrote when it returns, and get their state back when it throws. One transaction at
 * a time, as a step service runs them.
 */
export class InMemoryTransactions implements TransactionRunner {
  committed = 0;
  rolledBack = 0;
  private readonly stores: Transactional[] = [];
  private active = false;

  /** Takes part in every transaction from now on. */
  enlist<S extends Transactional>(store: S): S {
    this.stores.push(store);
    return store;
  }

  async transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    if (this.active) throw new Error('in-memory transactions run one at a time');
    const restores = this.stores.map((store) => store.snapshot());
    const tx = strictManager(this.committed + this.rolledBack + 1);
    this.active = true;
    open.add(tx);
    try {
      const result = await work(tx);
      this.committed += 1;
      return result;
    } catch (error) {
      for (const restore of restores.reverse()) restore();
      this.rolledBack += 1;
      throw error;
    } finally {
      open.delete(tx);
      this.active = false;
    }
  }
}
