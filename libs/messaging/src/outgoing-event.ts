import type { EventContract, EventEnvelope } from '@closeloop/contracts';

/** An event on its way to Kafka through the outbox. The key is the requestId. */
export interface OutgoingEvent {
  readonly topic: string;
  readonly key: string;
  readonly event: EventEnvelope;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The W3C `traceparent` of the span this event continues, for an event that no message and no
   * request of its journey caused: a deadline's retry, an operator's decision, a cancel. Without
   * it, the event continues the trace of the event that caused it (`causationId`), else the
   * active span's (see `Outbox.add`).
   */
  readonly traceParent?: string | null;
}

export const outgoing = (contract: EventContract, event: EventEnvelope): OutgoingEvent => ({
  topic: contract.topic,
  key: event.requestId,
  event,
});
