import type { EntityManager } from 'typeorm';

import { assertOpen, type Transactional } from './in-memory-transactions.fake';
import type { InboxPort } from './ports';

/** The inbox in memory, with the real one's rule: an event id is fresh once, the first time it is claimed. */
export class InMemoryInbox implements InboxPort, Transactional {
  readonly handled = new Set<string>();

  async claim(tx: EntityManager, eventIds: readonly string[]): Promise<ReadonlySet<string>> {
    assertOpen(tx);
    const fresh = new Set<string>();
    for (const id of eventIds) {
      if (this.handled.has(id)) continue;
      this.handled.add(id);
      fresh.add(id);
    }
    return fresh;
  }

  snapshot(): () => void {
    const before = [...this.handled];
    return () => {
      this.handled.clear();
      for (const id of before) this.handled.add(id);
    };
  }
}
