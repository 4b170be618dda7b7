import type { EntityManager } from 'typeorm';

import { assertOpen, type Transactional } from './in-memory-transactions.fake';
import type { JourneyRecords } from './ports';

/** How the records of a step are made and read (see `InMemoryJourneyRecords`). */
export interface RecordRules<K, R, V> {
  /** The record of a journey seen for the first time: pending. */
  readonly create: (key: K) => R;
  /** What `lock` does to a record already there (by default nothing). */
  readonly relock?: (record: R, key: K) => R;
  /** What the step reads of a record (by default the record). */
  readonly view?: (record: R) => V;
}

/**
 * A step's records in memory, keyed by journey, with the rules the TypeORM repositories share:
 * `lock` creates a journey's record the first time, and a compensated record is never
 * overwritten. Enlist it in `InMemoryTransactions` to have a failed transaction leave it as it was.
 */
export class InMemoryJourneyRecords<K extends { readonly requestId: string }, R extends { readonly requestId: string }, V = R> implements JourneyRecords<K, V>, Transactional {
  readonly records = new Map<string, R>();

  constructor(private readonly rules: RecordRules<K, R, V>) {}

  async lock(tx: EntityManager, keys: readonly K[]): Promise<Map<string, V>> {
    assertOpen(tx);
    for (const key of keys) {
      const record = this.records.get(key.requestId);
      this.records.set(key.requestId, record === undefined ? this.rules.create(key) : (this.rules.relock?.(record, key) ?? record));
    }
    const view = this.rules.view ?? ((record: R) => record as unknown as V);
    return new Map(keys.map((k) => [k.requestId, view(this.records.get(k.requestId) as R)]));
  }

  /** Saves records; one already compensated is left as it is. */
  async saveAll(tx: EntityManager, records: readonly R[]): Promise<void> {
    assertOpen(tx);
    for (const record of records) if (!this.isCompensated(record.requestId)) this.records.set(record.requestId, record);
  }

  /** Changes a journey's record in place (for the repositories' narrower updates); nothing when there is none. */
  protected update(tx: EntityManager, requestId: string, change: (record: R) => R): void {
    assertOpen(tx);
    const record = this.records.get(requestId);
    if (record !== undefined) this.records.set(requestId, change(record));
  }

  isCompensated(requestId: string): boolean {
    return (this.records.get(requestId) as { status?: string } | undefined)?.status === 'compensated';
  }

  snapshot(): () => void {
    const before = new Map(this.records);
    return () => {
      this.records.clear();
      for (const [id, record] of before) this.records.set(id, record);
    };
  }
}
