import { performance } from 'node:perf_hooks';

import { contractForTopic, deadLetterTopic, type EventContract, type EventEnvelope } from '@closeloop/contracts';
import { contextFromCarrier, createLogger, runInMessageScope } from '@closeloop/observability';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import { type Context, context, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';

import { ConsumerProgress, STUCK_THRESHOLDS, type StuckPartition, type StuckThresholds } from './consumer-progress';
import { boundedReason, DEAD_LETTER_LIMITS, type DeadLetterLimits, deadLetterMessage, type DeadLetterSource, sendDeadLetters } from './dead-letter';
import { classifyError, errorMessage } from './errors';
import { decodeEvent, MESSAGE_LIMITS, type MessageLimits } from './message-checks';
import { messagingMetrics, reportStuckPartitions } from './messaging.metrics';
import { endFailed, journeyAttributes, startBatchHandleSpan, startProcessSpan } from './messaging-spans';
import { type RawMessage, type RawMessageBatch, takesRawMessages, toRawMessage } from './raw-messages';
import { clipText } from './safe-json';

/** What an `@EventPattern(topic)` handler receives: the valid events of one partition, in order. */
export interface EventBatch<E extends EventEnvelope = EventEnvelope> {
  readonly topic: string;
  readonly partition: number;
  readonly events: readonly E[];
}

export interface KafkaBatchServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Producer for dead letters; the service's idempotent producer. */
  readonly producer: Producer;
  readonly partitionsConsumedConcurrently?: number;
  /** How often an unclassified error is retried before the event is dead-lettered. */
  readonly maxUnknownAttempts?: number;
  readonly maxBackoffMs?: number;
  /** What a consumed message may be before it is dead-lettered unread (see `MESSAGE_LIMITS`). */
  readonly messageLimits?: Partial<MessageLimits>;
  /** Bounds of a dead letter (see `DEAD_LETTER_LIMITS`). */
  readonly deadLetterLimits?: Partial<DeadLetterLimits>;
  /** When a partition counts as stuck (see `STUCK_THRESHOLDS`). */
  readonly stuckAfter?: Partial<StuckThresholds>;
  /** The contract of a topic's events; by default the one `@closeloop/contracts` declares. */
  readonly contractFor?: (topic: string) => EventContract | undefined;
}

/** An event, or on a topic whose handler takes `RAW_MESSAGES` a raw message. */
type Received = {
  readonly message: KafkaMessage;
  /** `process <topic>`: child of the producer span whose context the message carries. */
  readonly span: Span;
} & ({ readonly event: EventEnvelope; readonly raw?: undefined } | { readonly event?: undefined; readonly raw: RawMessage });

interface DeadLetter {
  readonly message: KafkaMessage;
  readonly reason: string;
  readonly span: Span;
  /** When the message was a valid event (it failed in its handler). */
  readonly requestId?: string;
}

/**
 * The batch consumer's state, for the health checks: `starting` until it first joined its
 * group, `restarting` after kafkajs restarts it (a broker or a coordinator was lost),
 * `rejoining` after kafkajs gave up on it (a rebalance it missed while paused, a coordinator
 * that forgot it) while the server builds a new consumer and joins again with backoff, `crashed`
 * once that failed `REJOIN_ATTEMPTS` times in a row (only a new process helps), `stopped` once
 * closed.
 */
export type ConsumerState = 'starting' | 'running' | 'restarting' | 'rejoining' | 'crashed' | 'stopped';

export interface ConsumerHealth {
  readonly state: ConsumerState;
  readonly error?: string;
  /** While `rejoining`: the attempt under way. */
  readonly attempt?: number;
}

/** How often the server builds a new consumer after kafkajs gave up, before it counts as crashed. */
export const REJOIN_ATTEMPTS = 8;
/** Backoff between rejoin attempts: 1 s, doubling, at most 30 s. */
const rejoinDelayMs = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));
/** While a handler runs, the member heartbeats this often (a long batch must not cost the group its membership). */
const HANDLER_HEARTBEAT_MS = 2000;

export type HandledListener = (topic: string, events: readonly EventEnvelope[]) => void;

interface BatchControl {
  readonly batch: Batch;
  readonly heartbeat: () => Promise<void>;
  readonly isRunning: () => boolean;
  readonly isStale: () => boolean;
}

export class KafkaBatchContext extends BaseRpcContext<[topic: string, partition: number]> {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Nest microservice transport over kafkajs `eachBatch`. Each batch is decoded and validated
 * against the topic's contract; invalid messages go to `<topic>.dlq` with the reason and their
 * source in headers; the valid ones reach the `@EventPattern(topic)` handler together, so a
 * service can handle them in one database transaction. The offset is committed only after the
 * handler returned (and so after its transaction committed). Error policy: see `errors.ts`.
 * A message is refused unread when it is larger than the limits, its headers are, it is not
 * UTF-8, or its JSON holds what PostgreSQL cannot store (see `message-checks.ts`). A dead letter
 * is bounded and a send of it that fails is retried; a partition the consumer cannot get past
 * shows in `stuckPartitions()` (`/health/ready`, `closeloop_consumer_stuck_seconds`).
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = createLogger(KafkaBatchServer.name);
  private consumer?: Consumer;
  private health: ConsumerHealth = { state: 'starting' };
  private closing = false;
  private readonly handledListeners: HandledListener[] = [];
  private readonly progress = new ConsumerProgress();
  private readonly messageLimits: MessageLimits;
  private readonly deadLetterLimits: DeadLetterLimits;
  private readonly stuckAfter: StuckThresholds;
  private stopReporting?: () => void;
  private rejoins = 0;
  private rejoinTimer?: NodeJS.Timeout;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    this.messageLimits = { ...MESSAGE_LIMITS, ...options.messageLimits };
    this.deadLetterLimits = { ...DEAD_LETTER_LIMITS, ...options.deadLetterLimits };
    this.stuckAfter = { ...STUCK_THRESHOLDS, ...options.stuckAfter };
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.rejoinTimer);
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.health = { state: 'stopped' };
    this.progress.clear();
    this.stopReporting?.();
    this.stopReporting = undefined;
  }

  /** The topics of the `@EventPattern` handlers: what the group subscribes to. */
  subscribedTopics(): string[] {
    return [...this.messageHandlers.keys()];
  }

  get groupId(): string {
    return this.options.groupId;
  }

  consumerHealth(): ConsumerHealth {
    return this.health;
  }

  /**
   * The partitions this consumer has not moved past the same offset on for longer than
   * `stuckAfter.afterMs`, or failed on `stuckAfter.afterFailures` times: a handler that keeps
   * failing or hanging, dead letters the broker keeps refusing. Empty while it keeps up.
   */
  stuckPartitions(): StuckPartition[] {
    return this.progress.stuck(this.stuckAfter);
  }

  /** Called with the events of a batch once their handler returned and the offset is committed. */
  onHandled(listener: HandledListener): void {
    this.handledListeners.push(listener);
  }

  on(): void {
    throw new Error('KafkaBatchServer does not expose transport events');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchServer is not listening');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    // Every topic's series exists from the start, at 0 (a dashboard shows 0, not "no data").
    for (const topic of topics) {
      messagingMetrics.consumed.inc({ topic }, 0);
      messagingMetrics.deadLettered.inc({ topic }, 0);
      messagingMetrics.batchFailures.inc({ topic }, 0);
      messagingMetrics.deadLetterFailures.inc({ topic }, 0);
      messagingMetrics.handlerDuration.zero({ topic });
    }
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // A member that died without leaving (SIGKILL, lost node) holds its partitions this long.
      sessionTimeout: 10000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    this.closing = false;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.rejoins > 0) this.log.info({ groupId: this.options.groupId, attempts: this.rejoins }, 'consumer rejoined its group');
      this.rejoins = 0;
      this.health = { state: 'running' };
      this.progress.retain(payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const error = errorMessage(payload.error);
      if (payload.restart) {
        this.health = { state: 'restarting', error };
        this.log.warn({ groupId: payload.groupId, err: error, restart: true }, 'consumer crashed; kafkajs restarts it');
        return;
      }
      // kafkajs gave up on this consumer: a new one joins the group again, with backoff.
      this.log.warn({ groupId: payload.groupId, err: error, restart: false }, 'consumer crashed; a new consumer rejoins the group');
      this.scheduleRejoin(consumer, error);
    });
    consumer.on(consumer.events.STOP, () => {
      if (!this.closing) this.health = { state: 'stopped' };
    });
    this.stopReporting?.();
    this.stopReporting = reportStuckPartitions(() => this.stuckPartitions());
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.log.info({ groupId: this.options.groupId, topics }, 'consuming');
  }

  /** Runs a handler while the member keeps heartbeating, so a long batch does not cost it its place in the group. */
  private async withHeartbeats<T>(control: BatchControl, run: () => Promise<T>): Promise<T> {
    const beat = setInterval(() => void control.heartbeat().catch(() => undefined), HANDLER_HEARTBEAT_MS);
    try {
      return await run();
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * Replaces a consumer kafkajs gave up on: the old one is disconnected, a new one connects,
   * subscribes and joins the group after a backoff. Offsets are committed only after handling, so
   * nothing is lost and a redelivered event is recognised by the inbox. After `REJOIN_ATTEMPTS`
   * failures in a row the consumer counts as crashed (`/health/live` fails, the process is
   * replaced).
   */
  private scheduleRejoin(failed: Consumer, error: string): void {
    if (this.closing || this.consumer !== failed) return;
    this.rejoins += 1;
    if (this.rejoins > REJOIN_ATTEMPTS) {
      this.health = { state: 'crashed', error: `${error} (the consumer could not rejoin its group ${REJOIN_ATTEMPTS} times in a row)` };
      this.log.error({ groupId: this.options.groupId, err: error, attempts: REJOIN_ATTEMPTS }, 'consumer could not rejoin its group; giving up');
      return;
    }
    const attempt = this.rejoins;
    this.health = { state: 'rejoining', error, attempt };
    messagingMetrics.consumerRejoins.inc();
    this.rejoinTimer = setTimeout(() => {
      void (async () => {
        if (this.closing || this.consumer !== failed) return;
        await failed.disconnect().catch(() => undefined);
        try {
          await this.start();
        } catch (cause) {
          this.log.warn({ groupId: this.options.groupId, err: errorMessage(cause), attempt }, 'consumer could not rejoin; trying again');
          this.scheduleRejoin(this.consumer ?? failed, errorMessage(cause));
        }
      })();
    }, rejoinDelayMs(attempt));
    this.rejoinTimer.unref();
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty()) return;
    const { topic, partition } = batch;
    this.progress.started(topic, partition, (batch.messages[0] as KafkaMessage).offset);
    const control: BatchControl = { batch, heartbeat, isRunning, isStale };
    const received: Received[] = [];
    const dead: DeadLetter[] = [];
    for (const message of batch.messages) {
      const headers = stringHeaders(message.headers);
      const span = startProcessSpan({ topic, partition, groupId: this.options.groupId, offset: message.offset, key: clippedKey(message) }, contextFromCarrier(headers));
      const decoded = this.takesRaw(topic) ? toRawMessage(topic, partition, message, headers, this.messageLimits) : this.decode(topic, message);
      if ('reason' in decoded) {
        dead.push({ message, reason: decoded.reason, span });
      } else if ('raw' in decoded) {
        received.push({ message, raw: decoded.raw, span });
      } else {
        span.setAttributes(journeyAttributes(decoded.event));
        received.push({ message, event: decoded.event, span });
      }
    }
    const open = new Set<Span>([...dead, ...received].map((item) => item.span));
    try {
      if (!(await this.deadLetter(control, dead, open))) return;
      if (received.length > 0 && !(await this.dispatch(control, received, open))) return;
      if (!isRunning() || isStale()) return;
      // Both: resolving moves the consumer's position, committing makes it survive a restart.
      resolveOffset(batch.lastOffset());
      const next = (BigInt(batch.lastOffset()) + 1n).toString();
      await this.consumer?.commitOffsets([{ topic, partition, offset: next }]);
      this.progress.committed(topic, partition);
      messagingMetrics.consumed.inc({ topic }, batch.messages.length);
      this.handled(topic, received);
      for (const span of open) span.end();
      open.clear();
    } catch (error) {
      this.failed(topic, partition, error);
      for (const span of open) endFailed(span, error);
      open.clear();
      throw error;
    } finally {
      // Not committed (the consumer stopped or lost the partition): another delivery follows.
      for (const span of open) endFailed(span, undefined, 'not committed; the message will be delivered again');
    }
  }

  /** Whether the topic's handler takes the messages undecoded (`@EventPattern(topic, RAW_MESSAGES)`). */
  private takesRaw(topic: string): boolean {
    return takesRawMessages(this.getHandlerByPattern(topic)?.extras);
  }

  private decode(topic: string, message: KafkaMessage): { event: EventEnvelope } | { reason: string } {
    const contract = (this.options.contractFor ?? contractForTopic)(topic);
    if (!contract) return { reason: `no contract is known for topic ${topic}` };
    return decodeEvent(contract, message, this.messageLimits);
  }

  /** A failed attempt at the partition's batch: counted, and kept for the stuck check. */
  private failed(topic: string, partition: number, error: unknown): void {
    this.progress.failed(topic, partition, error);
    messagingMetrics.batchFailures.inc({ topic });
  }

  private backoff(attempt: number): Promise<unknown> {
    return sleep(Math.min(this.options.maxBackoffMs ?? 10000, 100 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2));
  }

  /** Hands events to the handler; returns false when the consumer stopped before they were handled. */
  private async dispatch(control: BatchControl, items: readonly Received[], open: Set<Span>): Promise<boolean> {
    const maxUnknown = this.options.maxUnknownAttempts ?? 5;
    let unknownAttempts = 0; // only these count toward giving up; retryable errors are retried for as long as it takes
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withHeartbeats(control, () => this.invoke(control.batch, items));
        return true;
      } catch (error) {
        const kind = classifyError(error);
        if (kind === 'unknown') unknownAttempts++;
        const giveUp = kind === 'terminal' || (kind === 'unknown' && unknownAttempts >= maxUnknown);
        if (giveUp && items.length === 1) {
          const item = items[0] as Received;
          return this.deadLetter(control, [{ message: item.message, reason: `${kind} error: ${errorMessage(error)}`, span: item.span, requestId: item.event?.requestId }], open);
        }
        if (giveUp) {
          // Find the culprit: hand the events over one at a time.
          for (const item of items) {
            if (!(await this.dispatch(control, [item], open))) return false;
          }
          return true;
        }
        this.failed(control.batch.topic, control.batch.partition, error);
        for (const item of items) item.span.addEvent('handler failed; retrying', { attempt, kind, error: clipText(errorMessage(error), 1000) });
        inSpanOf(items.length === 1 ? items[0]?.span : undefined, () =>
          this.log.warn(
            { topic: control.batch.topic, partition: control.batch.partition, attempt, kind, err: clipText(errorMessage(error), 1000), ...journeysOf(items) },
            'batch failed; retrying',
          ),
        );
        if (!control.isRunning() || control.isStale()) return false;
        await this.backoff(attempt);
        await control.heartbeat();
      }
    }
  }

  /**
   * Calls the topic's handler with the batch. Each message's process span is recorded by event
   * id and by journey (see `runInMessageScope`), so the events the handler adds to the outbox
   * continue the trace of the event that caused them. The handler runs inside the process span
   * when the batch holds one journey's events (its queries and log lines are that journey's),
   * otherwise inside a `handle <topic>` span linked to every message's.
   */
  private async invoke(batch: Batch, items: readonly Received[]): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for ${batch.topic}`);
    const byEventId = new Map<string, Context>();
    const byRequestId = new Map<string, Context>();
    for (const { event, span } of items) {
      if (!event) continue;
      const ctx = trace.setSpan(ROOT_CONTEXT, span);
      byEventId.set(event.eventId, ctx);
      byRequestId.set(event.requestId, ctx);
    }
    // Raw messages belong to no journey: several of them are handled in a batch span too.
    const several = byRequestId.size > 1 || (byRequestId.size === 0 && items.length > 1);
    const batchSpan = several ? startBatchHandleSpan(batch.topic, batch.partition, this.options.groupId, items.map((i) => i.span)) : undefined;
    const active = batchSpan ? trace.setSpan(ROOT_CONTEXT, batchSpan) : (byRequestId.values().next().value ?? trace.setSpan(ROOT_CONTEXT, (items[0] as Received).span));
    const eventBatch: EventBatch | RawMessageBatch = this.takesRaw(batch.topic)
      ? { topic: batch.topic, partition: batch.partition, messages: items.flatMap((i) => (i.raw ? [i.raw] : [])) }
      : { topic: batch.topic, partition: batch.partition, events: items.flatMap((i) => (i.event ? [i.event] : [])) };
    const started = performance.now();
    try {
      await runInMessageScope({ byEventId, byRequestId }, () =>
        context.with(active, async () => {
          const result = await handler(eventBatch, new KafkaBatchContext([batch.topic, batch.partition]));
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        }),
      );
      batchSpan?.end();
    } catch (error) {
      if (batchSpan) endFailed(batchSpan, error);
      throw error;
    } finally {
      messagingMetrics.handlerDuration.observe({ topic: batch.topic }, (performance.now() - started) / 1000);
    }
  }

  private handled(topic: string, items: readonly Received[]): void {
    if (this.handledListeners.length === 0) return;
    const events = items.flatMap((i) => (i.event ? [i.event] : []));
    if (events.length === 0) return;
    for (const listener of this.handledListeners) {
      try {
        listener(topic, events);
      } catch (error) {
        this.log.warn({ topic, err: errorMessage(error) }, 'a handled-events listener failed');
      }
    }
  }

  /**
   * Sends the dead letters to `<topic>.dlq` (bounded: see `deadLetterMessage`), in requests
   * under the broker's limit. A send that fails is tried again with backoff for as long as the
   * consumer holds the partition (each failure counts toward the stuck check), so a broker that
   * refuses a dead letter stops nothing silently. Returns false when the consumer stopped first.
   */
  private async deadLetter(control: BatchControl, dead: readonly DeadLetter[], open: Set<Span>): Promise<boolean> {
    if (dead.length === 0) return true;
    const { topic, partition } = control.batch;
    const failedAt = new Date().toISOString();
    const pending = dead.map((item) => {
      const source: DeadLetterSource = { topic, partition, groupId: this.options.groupId, message: item.message, reason: item.reason, failedAt };
      return { item, source, message: deadLetterMessage(source, this.deadLetterLimits), sent: false };
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await sendDeadLetters(this.options.producer, deadLetterTopic(topic), pending, this.deadLetterLimits);
        break;
      } catch (error) {
        this.failed(topic, partition, error);
        messagingMetrics.deadLetterFailures.inc({ topic });
        this.log.error(
          { topic, partition, offsets: pending.filter((p) => !p.sent).slice(0, 10).map((p) => p.item.message.offset), attempt, err: clipText(errorMessage(error), 1000), dlq: deadLetterTopic(topic) },
          'could not dead-letter; retrying',
        );
        if (!control.isRunning() || control.isStale()) return false;
        await this.backoff(attempt);
        await control.heartbeat();
      }
    }
    messagingMetrics.deadLettered.inc({ topic }, dead.length);
    for (const { message, span, requestId, reason: fullReason } of dead) {
      const reason = boundedReason(fullReason, this.deadLetterLimits);
      span.setAttribute('closeloop.dead_letter.reason', reason);
      endFailed(span, undefined, `dead-lettered: ${reason}`);
      open.delete(span);
      inSpanOf(span, () =>
        this.log.warn(
          { topic, partition, offset: message.offset, ...(requestId ? { requestId } : { key: clippedKey(message) }), dlq: deadLetterTopic(topic), reason },
          'event dead-lettered',
        ),
      );
    }
    return true;
  }
}

/** Runs `fn` (a log call) inside a message's span, so the line carries its trace. */
const inSpanOf = (span: Span | undefined, fn: () => void): void => (span ? context.with(trace.setSpan(ROOT_CONTEXT, span), fn) : fn());

/** The journeys of a batch, for a log line: one `requestId`, or the first few `requestIds`. */
const journeysOf = (items: readonly Received[]): { requestId: string } | { requestIds: string[]; journeys: number } | { offsets: string[] } => {
  const ids = [...new Set(items.flatMap((i) => (i.event ? [i.event.requestId] : [])))];
  if (ids.length === 0) return { offsets: items.slice(0, 10).map((i) => i.message.offset) };
  return ids.length === 1 ? { requestId: ids[0] as string } : { requestIds: ids.slice(0, 10), journeys: ids.length };
};

/** The message key as a log line or a span attribute holds it: at most 200 characters. */
const clippedKey = (message: KafkaMessage): string | undefined => (message.key ? clipText(message.key.toString('utf8'), 200) : undefined);

const stringHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
};
