import { activeTraceParent, messageContextOfEvent, messageContextOfJourney, spanContextOf, traceCarrierOf, traceIdOf } from '@closeloop/observability';
import { context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';

import type { OutgoingEvent } from './outgoing-event';

export interface OutboxPort {
  add(manager: EntityManager, events: readonly OutgoingEvent[]): Promise<void>;
}

export const outboxChannel = (schema: string): string => `${schema}_outbox`;

/** What `outbox_messages.trace_context` holds: the W3C context the relay's send span continues. */
export interface StoredTraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
  /** `traceparent`s of spans in other traces that led to the event (an operator's HTTP request). */
  readonly links?: readonly string[];
}

/**
 * The trace an outgoing event continues: the one its caller names (`traceParent`), else the
 * process span of the message that caused it (`causationId`) in the batch being handled, else
 * that of the batch's message of the same journey, else the active span (the HTTP request).
 * An event that continues its journey's trace from inside another trace (an operator's request)
 * links that one.
 */
export const traceContextFor = (event: OutgoingEvent): StoredTraceContext | null => {
  if (event.traceParent && traceIdOf(event.traceParent)) {
    const active = activeTraceParent();
    const other = active && traceIdOf(active) !== traceIdOf(event.traceParent) ? [active] : [];
    return { traceparent: event.traceParent, ...(other.length > 0 ? { links: other } : {}) };
  }
  const ctx = messageContextOfEvent(event.event.causationId) ?? messageContextOfJourney(event.event.requestId) ?? context.active();
  if (!spanContextOf(ctx)) return null;
  const carrier = traceCarrierOf(ctx);
  return carrier.traceparent ? { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) } : null;
};

/**
 * Writes outgoing events into `<schema>.outbox_messages` inside the caller's transaction, in
 * one statement, with the trace context each continues, and notifies the relay; PostgreSQL
 * delivers the notification on commit.
 */
export class Outbox implements OutboxPort {
  constructor(private readonly schema: string) {}

  async add(manager: EntityManager, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One round trip: the rows, and the notification PostgreSQL delivers to the relay at commit.
    await manager.query(
      `WITH inserted AS (
         INSERT INTO "${this.schema}".outbox_messages (id, topic, key, headers, payload, trace_context)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[])
         RETURNING 1)
       SELECT pg_notify($7, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row`,
      [
        events.map((e) => e.event.eventId),
        events.map((e) => e.topic),
        events.map((e) => e.key),
        events.map((e) => JSON.stringify(e.headers ?? {})),
        events.map((e) => JSON.stringify(e.event)),
        events.map((e) => {
          const trace = traceContextFor(e);
          return trace ? JSON.stringify(trace) : null;
        }),
        outboxChannel(this.schema),
      ],
    );
  }
}
