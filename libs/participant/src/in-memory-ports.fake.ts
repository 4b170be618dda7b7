import { randomUUID } from 'node:crypto';

import { InMemoryInbox } from './in-memory-inbox.fake';
import { InMemoryOutbox } from './in-memory-outbox.fake';
import { InMemoryTransactions, type Transactional } from './in-memory-transactions.fake';
import type { Clock, IdGenerator, ParticipantPorts } from './ports';

/** A clock that stands still until told otherwise. */
export class FixedClock implements Clock {
  constructor(private at: Date = new Date('2026-01-01T00:00:00.000Z')) {}

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at);
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export const randomIds: IdGenerator = { next: () => randomUUID() };

/** Every port of a step service in memory, the inbox and outbox enlisted in the unit of work. */
export interface InMemoryPorts extends ParticipantPorts {
  readonly transactions: InMemoryTransactions;
  readonly inbox: InMemoryInbox;
  readonly outbox: InMemoryOutbox;
  readonly clock: FixedClock;
  /** Enlists a store (a fake repository) in the unit of work and returns it. */
  enlist<S extends Transactional>(store: S): S;
}

export const inMemoryPorts = (clock: FixedClock = new FixedClock()): InMemoryPorts => {
  const transactions = new InMemoryTransactions();
  const inbox = transactions.enlist(new InMemoryInbox());
  const outbox = transactions.enlist(new InMemoryOutbox());
  return { transactions, inbox, outbox, clock, ids: randomIds, enlist: (store) => transactions.enlist(store) };
};
