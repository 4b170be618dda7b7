import { type Attributes, type Context, type Link, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The spans of Closeloop's Kafka messaging, made here rather than by
 * `@opentelemetry/instrumentation-kafkajs` (see `startTracing` in libs/observability for why):
 * one `send <topic>` producer span per outbox row, child of the span that added the row (the
 * HTTP request, or the process span of the event that caused it), and one `process <topic>`
 * consumer span per message, child of the producer span whose `traceparent` the message carries.
 * Attribute names follow the OpenTelemetry messaging semantic conventions (incubating, so spelled
 * out here), plus the journey's fields under the names the logs use: `requestId`, `journeyType`,
 * `eventType`, and from the payload when present `step`, `attempt`, `owner`.
 */
const tracer = trace.getTracer('@closeloop/messaging');

const MESSAGING = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  key: 'messaging.kafka.message.key',
  offset: 'messaging.kafka.offset',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
} as const;

/** The journey fields of an event (envelope and payload), as span attributes. */
export const journeyAttributes = (event: unknown): Attributes => {
  if (!event || typeof event !== 'object') return {};
  const e = event as { requestId?: unknown; journeyType?: unknown; eventType?: unknown; eventId?: unknown; payload?: unknown };
  const payload = (e.payload && typeof e.payload === 'object' ? e.payload : {}) as { step?: unknown; attempt?: unknown; owner?: unknown };
  const attributes: Attributes = {};
  if (typeof e.requestId === 'string') attributes['requestId'] = e.requestId;
  if (typeof e.journeyType === 'string') attributes['journeyType'] = e.journeyType;
  if (typeof e.eventType === 'string') attributes['eventType'] = e.eventType;
  if (typeof e.eventId === 'string') attributes[MESSAGING.messageId] = e.eventId;
  if (typeof payload.step === 'string') attributes['step'] = payload.step;
  if (typeof payload.attempt === 'number') attributes['attempt'] = payload.attempt;
  if (typeof payload.owner === 'string') attributes['owner'] = payload.owner;
  return attributes;
};

/** `send <topic>`: one outbox row on its way to Kafka. */
export const startSendSpan = (topic: string, key: string, event: unknown, parent: Context, links: readonly Link[]): Span =>
  tracer.startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      links: [...links],
      attributes: {
        [MESSAGING.system]: 'kafka',
        [MESSAGING.destination]: topic,
        [MESSAGING.operationType]: 'send',
        [MESSAGING.operationName]: 'send',
        [MESSAGING.key]: key,
        ...journeyAttributes(event),
      },
    },
    parent,
  );

export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  readonly offset: string;
  readonly key: string | undefined;
}

/** `process <topic>`: one message handled by a consumer group, child of its producer span. */
export const startProcessSpan = (message: ReceivedMessage, parent: Context): Span =>
  tracer.startSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [MESSAGING.system]: 'kafka',
        [MESSAGING.destination]: message.topic,
        [MESSAGING.partition]: String(message.partition),
        [MESSAGING.operationType]: 'process',
        [MESSAGING.operationName]: 'process',
        [MESSAGING.consumerGroup]: message.groupId,
        [MESSAGING.offset]: Number(message.offset),
        ...(message.key ? { [MESSAGING.key]: message.key } : {}),
      },
    },
    parent,
  );

/**
 * `handle <topic>`: a handler call for a batch holding several journeys' events (one database
 * transaction for all of them). It is its own trace, linked to each message's process span, so
 * the shared work is not booked on one journey chosen at random.
 */
export const startBatchHandleSpan = (topic: string, partition: number, groupId: string, messages: readonly Span[]): Span =>
  tracer.startSpan(`handle ${topic}`, {
    kind: SpanKind.INTERNAL,
    root: true,
    links: messages.map((span) => ({ context: span.spanContext() })),
    attributes: {
      [MESSAGING.system]: 'kafka',
      [MESSAGING.destination]: topic,
      [MESSAGING.partition]: String(partition),
      [MESSAGING.operationType]: 'process',
      [MESSAGING.consumerGroup]: groupId,
      [MESSAGING.batchCount]: messages.length,
    },
  });

/** Ends a span as failed, with the reason. */
export const endFailed = (span: Span, error: unknown, description?: string): void => {
  span.setStatus({ code: SpanStatusCode.ERROR, message: description ?? (error instanceof Error ? error.message : String(error)) });
  if (error instanceof Error) span.recordException(error);
  span.end();
};
