import { AccountCompensatedV1 } from '@closeloop/contracts';

import { boundedCalls } from './connector-calls';
import { InMemoryJourneyRecords } from './in-memory-journey-records.fake';
import { inMemoryPorts } from './in-memory-ports.fake';
import type { StepLog } from './ports';
import { requestAsks } from './step-asks';
import { compensatedEvent } from './step-events';
import { notUndone, undone } from './step-result';
import { confirmUndos, snapshotBefore, stepTransaction } from './step-transaction';
import { ACCOUNT_STEP, newHire } from './test-events.fake';


interface Row {
  readonly requestId: string;
  readonly status: 'pending' | 'verified' | 'compensated';
  readonly before: string | null;
}

const setUp = () => {
  const ports = inMemoryPorts();
  const rows = ports.enlist(new InMemoryJourneyRecords<{ requestId: string }, Row>({ create: ({ requestId }) => ({ requestId, status: 'pending', before: null }) }));
  const lines: string[] = [];
  const log: StepLog = { info: (_f, m) => void lines.push(`info ${m}`), warn: (_f, m) => void lines.push(`warn ${m}`) };
  return { ports, rows, lines, log };
};

describe('stepTransaction', () => {
  it('hands the work only the events not handled before, and adds what it reports to the outbox', async () => {
    const { ports, log, lines } = setUp();
    const [first, second] = [newHire('A'), newHire('B')];
    const seen: string[][] = [];
    const work = async (_tx: unknown, fresh: ReadonlyArray<{ cause: { requestId: string } }>) => {
      seen.push(fresh.map((a) => a.cause.requestId));
      return fresh.map((a) => compensatedEvent(ACCOUNT_STEP, a.cause as ReturnType<typeof newHire>, 'x', ports));
    };
    await stepTransaction(ports, requestAsks([first]), log, work);
    await stepTransaction(ports, requestAsks([first, second]), log, work);
    expect(seen).toEqual([[first.requestId], [second.requestId]]);
    expect(ports.outbox.sent.map((e) => e.key)).toEqual([first.requestId, second.requestId]);
    expect(lines).toEqual(['info step reported', 'info step reported']);
  });

  it('leaves inbox, outbox and records as they were when the work fails, so the batch can be tried again', async () => {
    const { ports, rows, log } = setUp();
    const hire = newHire();
    const attempt = () =>
      stepTransaction(ports, [hire], log, async (tx, fresh) => {
        await rows.lock(tx, fresh);
        await rows.saveAll(tx, [{ requestId: hire.requestId, status: 'verified', before: null }]);
        throw new Error('connection lost');
      });
    await expect(attempt()).rejects.toThrow('connection lost');
    expect(ports.inbox.handled.size).toBe(0);
    expect(rows.records.size).toBe(0);
    expect(ports.transactions.rolledBack).toBe(1);
    await stepTransaction(ports, [hire], log, async (tx, fresh) => {
      await rows.lock(tx, fresh);
      return [compensatedEvent(ACCOUNT_STEP, hire, 'x', ports)];
    });
    expect(ports.outbox.eventsOf(AccountCompensatedV1)).toHaveLength(1);
  });

  it('opens no transaction for an empty batch', async () => {
    const { ports, log } = setUp();
    await stepTransaction(ports, [], log, () => Promise.reject(new Error('never')));
    expect(ports.transactions.committed).toBe(0);
  });
});

describe('confirmUndos', () => {
  it('reports the undos the target confirms, one after the other, and warns of the others', async () => {
    const { ports, log, lines } = setUp();
    const [kept, refused] = [newHire('A'), newHire('B')];
    const order: string[] = [];
    const out = await confirmUndos(
      [kept, refused],
      log,
      async (request) => {
        order.push(request.requestId);
        return request === kept ? undone('disabled', { accountId: 'u-A' }) : notUndone('still enabled');
      },
      (request, result) => compensatedEvent(ACCOUNT_STEP, request, `${result.undone} ${result.accountId}`, ports),
    );
    expect(order).toEqual([kept.requestId, refused.requestId]);
    expect(out.map((e) => e.event.payload)).toEqual([expect.objectContaining({ undone: 'disabled u-A' })]);
    expect(lines).toEqual(['warn step not undone; not confirmed']);
  });
});

describe('snapshotBefore', () => {
  it('keeps what the target holds for the records with nothing kept yet, and nothing for a read that fails', async () => {
    const { ports, rows } = setUp();
    const [a, b, c] = [newHire('A'), newHire('B'), newHire('C')];
    await ports.transactions.transaction(async (tx) => {
      await rows.lock(tx, [a, b, c]);
      await rows.saveAll(tx, [{ requestId: c.requestId, status: 'pending', before: 'kept earlier' }]);
    });
    const read: string[] = [];
    await snapshotBefore(ports.transactions, boundedCalls(2), {
      unrecorded: async (tx) => [...(await rows.lock(tx, [a, b, c])).values()].filter((r) => r.before === null),
      read: async (row) => {
        read.push(row.requestId);
        return row.requestId === b.requestId ? null : `groups of ${row.requestId}`;
      },
      keep: async (tx, row, before) => rows.saveAll(tx, [{ ...row, before }]),
    });
    expect(read.sort()).toEqual([a.requestId, b.requestId].sort());
    expect([a, b, c].map((e) => rows.records.get(e.requestId)?.before)).toEqual([`groups of ${a.requestId}`, null, 'kept earlier']);
  });
});
