import type { EventContract, EventEnvelope } from '@closeloop/contracts';

/** An event on its way to Kafka through the outbox. The key is the requestId. */
export interface OutgoingEvent {
  readonly topic: string;
  readonly key: string;
  readonly event: EventEnvelope;
  readonly headers?: Readonly<Record<string, string>>;
}

export const outgoing = (contract: EventContract, event: EventEnvelope): OutgoingEvent => ({
  topic: contract.topic,
  key: event.requestId,
  event,
});
