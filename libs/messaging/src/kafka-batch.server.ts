import { contractForTopic, deadLetterTopic, describeIssues, type EventEnvelope } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import type { Batch, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';

import { classifyError, errorMessage } from './errors';

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
}

interface Received {
  readonly message: KafkaMessage;
  readonly event: EventEnvelope;
}

interface DeadLetter {
  readonly message: KafkaMessage;
  readonly reason: string;
}

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
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = createLogger(KafkaBatchServer.name);
  private consumer?: Consumer;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
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
    await this.consumer?.disconnect();
    this.consumer = undefined;
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
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // A member that died without leaving (SIGKILL, lost node) holds its partitions this long.
      sessionTimeout: 10000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
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

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty()) return;
    const control: BatchControl = { batch, heartbeat, isRunning, isStale };
    const received: Received[] = [];
    const dead: DeadLetter[] = [];
    for (const message of batch.messages) {
      const decoded = this.decode(batch.topic, message);
      if ('reason' in decoded) dead.push({ message, reason: decoded.reason });
      else received.push({ message, event: decoded.event });
    }
    await this.deadLetter(batch, dead);
    if (received.length > 0 && !(await this.dispatch(control, received))) return;
    if (!isRunning() || isStale()) return;
    // Both: resolving moves the consumer's position, committing makes it survive a restart.
    resolveOffset(batch.lastOffset());
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
  }

  private decode(topic: string, message: KafkaMessage): { event: EventEnvelope } | { reason: string } {
    const contract = contractForTopic(topic);
    if (!contract) return { reason: `no contract is known for topic ${topic}` };
    if (!message.value) return { reason: 'empty message value' };
    let raw: unknown;
    try {
      raw = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return { reason: `value is not JSON: ${errorMessage(error)}` };
    }
    const result = contract.schema.safeParse(raw);
    if (!result.success) return { reason: `does not match ${contract.topic}: ${describeIssues(result.error)}` };
    const key = message.key?.toString('utf8');
    if (key !== result.data.requestId) return { reason: `message key "${key ?? ''}" is not the requestId ${result.data.requestId}` };
    return { event: result.data };
  }

  /** Hands events to the handler; returns false when the consumer stopped before they were handled. */
  private async dispatch(control: BatchControl, items: readonly Received[]): Promise<boolean> {
    const maxUnknown = this.options.maxUnknownAttempts ?? 5;
    let unknownAttempts = 0; // only these count toward giving up; retryable errors are retried for as long as it takes
    for (let attempt = 1; ; attempt++) {
      try {
        await this.invoke(control.batch, items);
        return true;
      } catch (error) {
        const kind = classifyError(error);
        if (kind === 'unknown') unknownAttempts++;
        const giveUp = kind === 'terminal' || (kind === 'unknown' && unknownAttempts >= maxUnknown);
        if (giveUp && items.length === 1) {
          await this.deadLetter(control.batch, [{ message: (items[0] as Received).message, reason: `${kind} error: ${errorMessage(error)}` }]);
          return true;
        }
        if (giveUp) {
          // Find the culprit: hand the events over one at a time.
          for (const item of items) {
            if (!(await this.dispatch(control, [item]))) return false;
          }
          return true;
        }
        this.log.warn(
          { topic: control.batch.topic, partition: control.batch.partition, attempt, kind, err: errorMessage(error) },
          'batch failed; retrying',
        );
        if (!control.isRunning() || control.isStale()) return false;
        await sleep(Math.min(this.options.maxBackoffMs ?? 10000, 100 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2));
        await control.heartbeat();
      }
    }
  }

  private async invoke(batch: Batch, items: readonly Received[]): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for ${batch.topic}`);
    const eventBatch: EventBatch = { topic: batch.topic, partition: batch.partition, events: items.map((i) => i.event) };
    const result = await handler(eventBatch, new KafkaBatchContext([batch.topic, batch.partition]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  private async deadLetter(batch: Batch, dead: readonly DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.options.producer.send({
      topic: deadLetterTopic(batch.topic),
      acks: -1,
      messages: dead.map(({ message, reason }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...stringHeaders(message.headers),
          'dlq-reason': reason,
          'dlq-source-topic': batch.topic,
          'dlq-source-partition': String(batch.partition),
          'dlq-source-offset': message.offset,
          'dlq-consumer-group': this.options.groupId,
          'dlq-failed-at': failedAt,
        },
      })),
    });
    for (const { message, reason } of dead) {
      this.log.warn(
        { topic: batch.topic, partition: batch.partition, offset: message.offset, dlq: deadLetterTopic(batch.topic), reason },
        'event dead-lettered',
      );
    }
  }
}

const stringHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
};
