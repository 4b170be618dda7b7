import { createLogger } from '@closeloop/observability';
import type { Message, Producer } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { errorMessage } from './errors';
import { outboxChannel } from './outbox';

export interface OutboxRelayOptions {
  readonly schema: string;
  readonly databaseUrl: string;
  readonly pollMs: number;
  readonly batchSize?: number;
}

interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: { eventType?: string; requestId?: string };
}

/**
 * Publishes committed outbox rows to Kafka with the idempotent producer, in commit order.
 * It wakes on the NOTIFY that `Outbox.add` sends at commit, and polls as a backstop. One relay
 * per schema drains at a time (a transaction-scoped advisory lock), so the order of a
 * journey's events is the order they were committed in. A row is deleted in the same
 * transaction that read it, after Kafka acknowledged it: the outbox is a queue, and Kafka keeps
 * the record. (Marking rows published instead left the unpublished-rows index full of dead
 * entries that every poll had to read: 5,000 per poll after 10,000 journeys.) A crash between
 * the send and the commit publishes a row again, which the consumers' inboxes absorb.
 */
export class OutboxRelay {
  private readonly logger = createLogger(OutboxRelay.name);
  private readonly channel: string;
  private readonly batchSize: number;
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: OutboxRelayOptions,
  ) {
    this.channel = outboxChannel(options.schema);
    this.batchSize = options.batchSize ?? 500;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const listener = new Client({ connectionString: this.options.databaseUrl });
    listener.on('notification', () => this.wake());
    listener.on('error', (error) => this.logger.warn({ err: errorMessage(error) }, 'outbox listener connection lost; polling only'));
    await listener.connect();
    await listener.query(`LISTEN "${this.channel}"`);
    this.listener = listener;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Publishes everything committed so far; resolves when the outbox is empty (or stopping). */
  async flush(): Promise<void> {
    while (!this.stopped && (await this.drainOnce()) > 0) {
      /* keep draining */
    }
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.error({ err: errorMessage(error), schema: this.options.schema }, 'outbox relay failed; will retry');
    }
  }

  private async drainOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [this.channel]);
      if (!lock?.locked) return 0;
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, id, topic, key, headers, payload FROM "${this.options.schema}".outbox_messages ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, Message[]>();
      for (const row of rows) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({
          key: row.key,
          value: JSON.stringify(row.payload),
          headers: {
            ...row.headers,
            'content-type': 'application/json',
            'event-id': row.id,
            'event-type': row.payload.eventType ?? '',
            'request-id': row.payload.requestId ?? row.key,
          },
        });
        byTopic.set(row.topic, messages);
      }
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await manager.query(`DELETE FROM "${this.options.schema}".outbox_messages WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });
  }
}
