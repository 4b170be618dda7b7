import { errorMessage } from './errors';
import { clipText } from './safe-json';

/** A partition whose consumer has not moved past an offset for too long, or failed on it too often. */
export interface StuckPartition {
  readonly topic: string;
  readonly partition: number;
  /** The first offset of the batch that is not committed yet. */
  readonly offset: string;
  /** When the consumer first tried that offset. */
  readonly since: Date;
  readonly seconds: number;
  /** Failed attempts on it: handler calls that threw, dead letters the broker did not take. */
  readonly failures: number;
  readonly lastError?: string;
}

export interface StuckThresholds {
  /** Not committed this long after the first attempt. */
  readonly afterMs: number;
  /** Or this many failed attempts. */
  readonly afterFailures: number;
}

export const STUCK_THRESHOLDS: StuckThresholds = { afterMs: 60_000, afterFailures: 5 };

interface Entry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly since: number;
  failures: number;
  lastError?: string;
}

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Where a consumer is on each partition it works on: the offset of the batch in hand, since when,
 * and how often it failed there. An entry goes once the batch is committed, or once the
 * partition is no longer assigned; an idle partition has none. A partition that keeps an entry
 * past the thresholds is stuck, for `/health/ready` and `closeloop_consumer_stuck_seconds`.
 */
export class ConsumerProgress {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A batch starting at `offset` is in hand; the same offset again keeps its first time and failures. */
  started(topic: string, partition: number, offset: string): void {
    const key = keyOf(topic, partition);
    if (this.entries.get(key)?.offset === offset) return;
    this.entries.set(key, { topic, partition, offset, since: this.now(), failures: 0 });
  }

  failed(topic: string, partition: number, error: unknown): void {
    const entry = this.entries.get(keyOf(topic, partition));
    if (!entry) return;
    entry.failures++;
    entry.lastError = clipText(errorMessage(error), 300);
  }

  committed(topic: string, partition: number): void {
    this.entries.delete(keyOf(topic, partition));
  }

  /** Keeps only the partitions of the member's new assignment (after a rebalance). */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [key, { topic, partition }] of this.entries) {
      if (!assignment[topic]?.includes(partition)) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  stuck(thresholds: StuckThresholds = STUCK_THRESHOLDS): StuckPartition[] {
    const now = this.now();
    const stuck: StuckPartition[] = [];
    for (const entry of this.entries.values()) {
      const elapsed = Math.max(0, now - entry.since);
      if (elapsed < thresholds.afterMs && entry.failures < thresholds.afterFailures) continue;
      stuck.push({
        topic: entry.topic,
        partition: entry.partition,
        offset: entry.offset,
        since: new Date(entry.since),
        seconds: elapsed / 1000,
        failures: entry.failures,
        ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
      });
    }
    return stuck.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
}

/** One line per stuck partition, for a health check: topic, partition, offset, since when, why. */
export const describeStuck = (stuck: readonly StuckPartition[]): string =>
  stuck
    .map((s) => `${s.topic} partition ${s.partition} stuck at offset ${s.offset} since ${s.since.toISOString()} (${s.failures} failed attempts${s.lastError ? `; last: ${s.lastError}` : ''})`)
    .join('; ');
