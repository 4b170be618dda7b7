import { contextFromCarrier, createLogger, traceCarrierOf } from '@closeloop/observability';
import { context, type Link, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { errorMessage } from './errors';
import { chunkByBytes, DEFAULT_MAX_REQUEST_BYTES, messageBytes, undeliverableType } from './message-size';
import { messagingMetrics } from './messaging.metrics';
import { endFailed, startSendSpan } from './messaging-spans';
import { outboxChannel, type StoredTraceContext } from './outbox';

export interface OutboxRelayOptions {
  readonly schema: string;
  readonly databaseUrl: string;
  readonly pollMs: number;
  readonly batchSize?: number;
  /** Bytes per produce request, under the broker's `message.max.bytes` (default 900,000 of Kafka's 1,048,588). */
  readonly maxRequestBytes?: number;
  /** A row whose message is larger goes to `outbox_dead_letters` unsent; by default `maxRequestBytes`. */
  readonly maxMessageBytes?: number;
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

/** A row on its way: its message and send span. */
interface Outgoing {
  readonly row: OutboxRow;
  readonly message: Message;
  readonly bytes: number;
  readonly span: Span;
}

/** A row Kafka can never take, and why. */
interface Undeliverable {
  readonly row: OutboxRow;
  readonly reason: string;
}

/** What one send of rows came to: published, refused for good, and the failure that stopped it. */
interface SendResult {
  readonly published: OutboxRow[];
  readonly undeliverable: Undeliverable[];
  readonly failure?: unknown;
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

/** Kafka's shape of a send: the messages per topic, in order. */
const byTopic = (items: readonly Outgoing[]): TopicMessages[] => {
  const topics = new Map<string, Message[]>();
  for (const { row, message } of items) {
    const messages = topics.get(row.topic) ?? [];
    messages.push(message);
    topics.set(row.topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
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
 *
 * Each send stays under `maxRequestBytes` (rows in order, split into several produce requests).
 * A row that can never be sent (its message alone is larger than `maxMessageBytes`, or Kafka
 * refuses it as too large or invalid) moves to `outbox_dead_letters` with the reason, logged
 * and counted (`closeloop_outbox_dead_lettered_total`), and the relay goes on with the next.
 * A send that fails otherwise (the broker unavailable) stops the drain; what was published
 * before it is committed, and the rest is sent again on the next wake.
 */
export class OutboxRelay {
  private readonly logger = createLogger(OutboxRelay.name);
  private readonly channel: string;
  private readonly batchSize: number;
  private readonly maxRequestBytes: number;
  private readonly maxMessageBytes: number;
  private listener?: Client;
  private relisten?: NodeJS.Timeout;
  private relistenAttempts = 0;
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
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.maxMessageBytes = Math.min(options.maxMessageBytes ?? this.maxRequestBytes, this.maxRequestBytes);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.relisten);
    await this.running;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Whether the relay hears PostgreSQL's notifications now (false while it polls only, reconnecting). */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /**
   * LISTENs on the outbox channel on a connection of its own. When that connection is lost (a
   * PostgreSQL restart, a terminated backend) the relay polls meanwhile and connects again, with
   * backoff (0.5 s doubling to 30 s), then wakes once to send what was committed in between.
   */
  private async listen(): Promise<void> {
    const listener = new Client({ connectionString: this.options.databaseUrl });
    listener.on('notification', () => this.wake());
    listener.on('error', (error) => {
      if (this.listener !== listener) return;
      this.listener = undefined;
      void listener.end().catch(() => undefined);
      this.logger.warn({ err: errorMessage(error) }, 'outbox listener connection lost; polling until it is back');
      this.scheduleListen();
    });
    try {
      await listener.connect();
      await listener.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await listener.end().catch(() => undefined);
      throw error;
    }
    this.listener = listener;
    if (this.relistenAttempts > 0) this.logger.info({ attempts: this.relistenAttempts }, 'outbox listener connected again');
    this.relistenAttempts = 0;
  }

  private scheduleListen(): void {
    if (this.stopped) return;
    this.relistenAttempts += 1;
    this.relisten = setTimeout(() => {
      void this.listen().then(
        () => this.wake(),
        (error: unknown) => {
          this.logger.warn({ err: errorMessage(error), attempt: this.relistenAttempts }, 'outbox listener could not connect again; retrying');
          this.scheduleListen();
        },
      );
    }, Math.min(30_000, 500 * 2 ** Math.min(this.relistenAttempts - 1, 6)));
    this.relisten.unref();
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
      const { published, undeliverable } = await this.drainOnce();
      if (published.length === 0 && undeliverable.length === 0) return;
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

  /** One batch of rows: published or dead-lettered, then deleted, in one transaction. */
  private async drainOnce(): Promise<SendResult> {
    const result = await this.dataSource.transaction(async (manager) => {
      const [lock] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [this.channel]);
      if (!lock?.locked) return { published: [], undeliverable: [] };
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, id, topic, key, headers, payload, trace_context FROM "${this.options.schema}".outbox_messages ORDER BY seq LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return { published: [], undeliverable: [] };
      const sent = await this.send(rows.map((row) => this.outgoing(row)));
      const { undeliverable } = sent;
      if (undeliverable.length > 0) {
        await manager.query(
          `INSERT INTO "${this.options.schema}".outbox_dead_letters (id, topic, key, headers, payload, trace_context, reason, created_at)
           SELECT o.id, o.topic, o.key, o.headers, o.payload, o.trace_context, d.reason, o.created_at
           FROM "${this.options.schema}".outbox_messages AS o JOIN unnest($1::bigint[], $2::text[]) AS d(seq, reason) ON o.seq = d.seq
           ON CONFLICT (id) DO NOTHING`,
          [undeliverable.map((d) => d.row.seq), undeliverable.map((d) => d.reason)],
        );
      }
      const done = [...sent.published, ...undeliverable.map((d) => d.row)];
      if (done.length > 0) await manager.query(`DELETE FROM "${this.options.schema}".outbox_messages WHERE seq = ANY($1::bigint[])`, [done.map((r) => r.seq)]);
      if (done.length === 0 && sent.failure !== undefined) throw sent.failure;
      return sent;
    });
    // After the commit: a rolled-back drain dead-letters nothing.
    for (const { row, reason } of result.undeliverable) {
      messagingMetrics.outboxDeadLettered.inc({ topic: row.topic });
      this.logger.error({ schema: this.options.schema, eventId: row.id, topic: row.topic, requestId: row.payload.requestId ?? row.key, eventType: row.payload.eventType, reason }, 'outbox row can never be published; moved to outbox_dead_letters');
    }
    if (result.failure !== undefined) this.logger.warn({ err: errorMessage(result.failure), schema: this.options.schema, published: result.published.length }, 'outbox send failed part-way; the rest is sent again');
    return result;
  }

  private outgoing(row: OutboxRow): Outgoing {
    const span = sendSpanOf(row);
    const message: Message = {
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
    };
    return { row, message, bytes: messageBytes(message), span };
  }

  /**
   * Sends the rows in order, in requests of at most `maxRequestBytes`; a row over
   * `maxMessageBytes` is not sent. A request Kafka refuses for good is sent again one row at a
   * time, to find the row it refuses. Stops at the first other failure.
   */
  private async send(items: readonly Outgoing[], split = false): Promise<SendResult> {
    const published: OutboxRow[] = [];
    const undeliverable: Undeliverable[] = [];
    const sendable: Outgoing[] = [];
    for (const item of items) {
      if (item.bytes <= this.maxMessageBytes) {
        sendable.push(item);
        continue;
      }
      const reason = `the message is ${item.bytes} bytes, over the limit of ${this.maxMessageBytes} bytes for one message`;
      endFailed(item.span, undefined, reason);
      undeliverable.push({ row: item.row, reason });
    }
    const chunks = split ? sendable.map((item) => [item]) : chunkByBytes(sendable, (item) => item.bytes, this.maxRequestBytes);
    for (const [index, chunk] of chunks.entries()) {
      try {
        await this.producer.sendBatch({ acks: -1, topicMessages: byTopic(chunk) });
        for (const item of chunk) item.span.end();
        published.push(...chunk.map((item) => item.row));
        continue;
      } catch (error) {
        const refused = undeliverableType(error);
        if (refused && chunk.length === 1) {
          const reason = `Kafka refused the message (${refused}): ${errorMessage(error)}`;
          endFailed((chunk[0] as Outgoing).span, error, reason);
          undeliverable.push({ row: (chunk[0] as Outgoing).row, reason });
          continue;
        }
        if (refused) {
          const one = await this.send(chunk, true);
          published.push(...one.published);
          undeliverable.push(...one.undeliverable);
          if (one.failure === undefined) continue;
          this.notSent(chunks.slice(index + 1), one.failure);
          return { published, undeliverable, failure: one.failure };
        }
        for (const item of chunk) endFailed(item.span, error);
        this.notSent(chunks.slice(index + 1), error);
        return { published, undeliverable, failure: error };
      }
    }
    return { published, undeliverable };
  }

  private notSent(chunks: ReadonlyArray<readonly Outgoing[]>, error: unknown): void {
    for (const chunk of chunks) for (const item of chunk) endFailed(item.span, error, 'not sent: an earlier send failed');
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
