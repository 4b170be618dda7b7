import type { EventContract, EventOf } from '@closeloop/contracts';
import type { OutgoingEvent } from '@closeloop/messaging';
import type { EntityManager } from 'typeorm';

import { assertOpen, type Transactional } from './in-memory-transactions.fake';
import type { OutboxPort } from './ports';

/** The outbox in memory, with the real one's rule: an event (by its id) is sent once. */
export class InMemoryOutbox implements OutboxPort, Transactional {
  readonly sent: OutgoingEvent[] = [];

  async add(tx: EntityManager, events: readonly OutgoingEvent[]): Promise<void> {
    assertOpen(tx);
    for (const e of events) if (!this.sent.some((s) => s.event.eventId === e.event.eventId)) this.sent.push(e);
  }

  /** The topics sent, in order. */
  topics(): string[] {
    return this.sent.map((e) => e.topic);
  }

  /** The events sent of one contract, typed, in order. */
  eventsOf<C extends EventContract>(contract: C): Array<EventOf<C>> {
    return this.sent.filter((e) => e.topic === contract.topic).map((e) => e.event as EventOf<C>);
  }

  /** Forgets what was sent (between the acts of a test). */
  clear(): void {
    this.sent.length = 0;
  }

  snapshot(): () => void {
    const before = [...this.sent];
    return () => this.sent.splice(0, this.sent.length, ...before);
  }
}
