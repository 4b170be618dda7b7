import { AccountCompensatedV1, AccountVerifiedV1 } from '@closeloop/contracts';

import { InMemoryJourneyRecords } from './in-memory-journey-records.fake';
import { FixedClock, inMemoryPorts } from './in-memory-ports.fake';
import { assertOpen, InMemoryTransactions } from './in-memory-transactions.fake';
import { compensatedEvent } from './step-events';
import { newHire } from './test-events.fake';

const COMPENSATED = { producer: 'p', step: 's', compensated: AccountCompensatedV1 };

describe('InMemoryTransactions', () => {
  it('hands out a transaction that answers no query: code under test must go through its ports', async () => {
    const transactions = new InMemoryTransactions();
    await expect(transactions.transaction(async (tx) => tx.query('SELECT 1'))).rejects.toThrow(/has no query/);
  });

  it('runs one transaction at a time, and its stores refuse a transaction once it has ended', async () => {
    const transactions = new InMemoryTransactions();
    let kept: unknown;
    await transactions.transaction(async (tx) => {
      kept = tx;
      await expect(transactions.transaction(async () => undefined)).rejects.toThrow(/one at a time/);
    });
    expect(() => assertOpen(kept)).toThrow(/outside an open transaction/);
    expect(() => assertOpen({})).toThrow(/outside an open transaction/);
  });
});

describe('InMemoryInbox and InMemoryOutbox', () => {
  it('claims an event id once, like the inbox table', async () => {
    const { transactions, inbox } = inMemoryPorts();
    const claimed = await transactions.transaction(async (tx) => [await inbox.claim(tx, ['a', 'b', 'a']), await inbox.claim(tx, ['b', 'c'])]);
    expect(claimed.map((set) => [...set])).toEqual([['a', 'b'], ['c']]);
  });

  it('sends an event once, and hands the events of a contract back typed', async () => {
    const ports = inMemoryPorts();
    const event = compensatedEvent(COMPENSATED, newHire(), 'undone', ports);
    await ports.transactions.transaction(async (tx) => {
      await ports.outbox.add(tx, [event]);
      await ports.outbox.add(tx, [event]);
    });
    expect(ports.outbox.topics()).toEqual([AccountCompensatedV1.topic]);
    expect(ports.outbox.eventsOf(AccountCompensatedV1)[0]?.payload.undone).toBe('undone');
    expect(ports.outbox.eventsOf(AccountVerifiedV1)).toEqual([]);
    ports.outbox.clear();
    expect(ports.outbox.sent).toEqual([]);
  });

  it('refuses writes outside a transaction', async () => {
    const { inbox, outbox } = inMemoryPorts();
    await expect(inbox.claim({} as never, ['a'])).rejects.toThrow(/outside an open transaction/);
    await expect(outbox.add({} as never, [])).rejects.toThrow(/outside an open transaction/);
  });
});

describe('InMemoryJourneyRecords', () => {
  interface Row {
    readonly requestId: string;
    readonly status: 'pending' | 'verified' | 'compensated';
    readonly seen: number;
  }
  const rows = () =>
    new InMemoryJourneyRecords<{ requestId: string }, Row, Row['status']>({
      create: ({ requestId }) => ({ requestId, status: 'pending', seen: 1 }),
      relock: (row) => ({ ...row, seen: row.seen + 1 }),
      view: (row) => row.status,
    });

  it('creates a journey’s record the first time it is locked, and shows the step what it reads of it', async () => {
    const { transactions } = inMemoryPorts();
    const store = rows();
    const views = await transactions.transaction(async (tx) => {
      await store.lock(tx, [{ requestId: 'r1' }]);
      return store.lock(tx, [{ requestId: 'r1' }, { requestId: 'r2' }]);
    });
    expect([...views]).toEqual([
      ['r1', 'pending'],
      ['r2', 'pending'],
    ]);
    expect(store.records.get('r1')?.seen).toBe(2);
  });

  it('never overwrites a compensated record', async () => {
    const { transactions } = inMemoryPorts();
    const store = rows();
    await transactions.transaction(async (tx) => {
      await store.saveAll(tx, [{ requestId: 'r1', status: 'compensated', seen: 1 }]);
      await store.saveAll(tx, [{ requestId: 'r1', status: 'verified', seen: 1 }]);
    });
    expect(store.records.get('r1')?.status).toBe('compensated');
    expect(store.isCompensated('r1')).toBe(true);
  });
});

describe('FixedClock', () => {
  it('stands still until set or advanced', () => {
    const clock = new FixedClock(new Date('2026-01-01T00:00:00.000Z'));
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(1000);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
    clock.set('2026-02-01T00:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });
});
