import { contextFromCarrier, createLogger, traceCarrierOf } from '@closeloop/observability';
import { context, type Link, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { Message, Producer } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { errorMessage } from './errors';
import { messagingMetrics } from './messaging.metrics';
import { endFailed, startSendSpan } from './messaging-spans';
import { outboxChannel, type StoredTraceContext } from './outbox';

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
  trace_context: StoredTraceContext | null;
}

/** An event the relay has published (Kafka acknowledged it). */
export interface PublishedEvent {
  readonly topic: string;
  readonly event: { readonly eventType?: string; readonly requestId?: string; readonly journeyType?: string; readonly payload?: unknown };
}

export interface OutboxBacklog {
  /** Rows committed and not yet published. */
  readonly rows: number;
  /** Age of the oldest of them; 0 when there is none. */
  readonly oldestAgeSeconds: number;
}

/** A row's send span continues the trace stored with it, and links the traces that led to it. */
const sendSpanOf = (row: OutboxRow): Span => {
  const stored = row.trace_context;
  const links: Link[] = [];
  for (const traceparent of stored?.links ?? []) {
    const linked = trace.getSpanContext(contextFromCarrier({ traceparent }));
    if (linked) links.push({ context: linked });
  }
  return startSendSpan(row.topic, row.key, row.payload, contextFromCarrier(stored ? { traceparent: stored.traceparent, tracestate: stored.tracestate } : null), links);
};

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
  private readonly listeners: Array<(events: readonly PublishedEvent[]) => void> = [];

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

  /** Called after each publication with the events Kafka acknowledged (e.g. for metrics). */
  onPublished(listener: (events: readonly PublishedEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** Unpublished rows and the age of the oldest: a relay that cannot publish shows here first. */
  async backlog(): Promise<OutboxBacklog> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS oldest FROM "${this.options.schema}".outbox_messages`,
    );
    return { rows: Number(row?.rows ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
  }

  /** Publishes everything committed so far; resolves when the outbox is empty (or stopping). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const published = await this.drainOnce();
      if (published.length === 0) return;
      this.published(published); // after the commit: a rolled-back drain publishes its rows again
    }
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Outside any caller's trace: each row's send span has the parent stored with the row, and
    // the relay's own queries (no parent) make no spans.
    this.running = context.with(ROOT_CONTEXT, () => this.drain()).finally(() => {
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

  private async drainOnce(): Promise<OutboxRow[]> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [this.channel]);
      if (!lock?.locked) return [];
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, id, topic, key, headers, payload, trace_context FROM "${this.options.schema}".outbox_messages ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return [];
      const byTopic = new Map<string, Message[]>();
      const spans: Span[] = [];
      for (const row of rows) {
        const span = sendSpanOf(row);
        spans.push(span);
        const messages = byTopic.get(row.topic) ?? [];
        messages.push({
          key: row.key,
          value: JSON.stringify(row.payload),
          headers: {
            ...row.headers,
            // The send span's W3C context (replacing any stored with the row): consumers' process spans are its children.
            ...traceCarrierOf(trace.setSpan(ROOT_CONTEXT, span)),
            'content-type': 'application/json',
            'event-id': row.id,
            'event-type': row.payload.eventType ?? '',
            'request-id': row.payload.requestId ?? row.key,
          },
        });
        byTopic.set(row.topic, messages);
      }
      try {
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      } catch (error) {
        for (const span of spans) endFailed(span, error);
        throw error;
      }
      for (const span of spans) span.end();
      await manager.query(`DELETE FROM "${this.options.schema}".outbox_messages WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows;
    });
  }

  private published(rows: readonly OutboxRow[]): void {
    for (const row of rows) messagingMetrics.produced.inc({ topic: row.topic });
    if (this.listeners.length === 0) return;
    const events = rows.map((row) => ({ topic: row.topic, event: row.payload }));
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (error) {
        this.logger.warn({ err: errorMessage(error) }, 'an outbox publication listener failed');
      }
    }
  }
}
