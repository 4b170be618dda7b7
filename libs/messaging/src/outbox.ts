import { messageContextOfEvent, messageContextOfJourney, spanContextOf, traceCarrierOf } from '@closeloop/observability';
import { type Context, context } from '@opentelemetry/api';
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
  /** `traceparent`s of spans in other traces that led to the event (e.g. an operator's request). */
  readonly links?: readonly string[];
}

export interface OutboxOptions {
  /**
   * A table of the service's schema with `request_id uuid` (primary key) and `trace_parent text`:
   * the trace each journey started in. An event that no message of the batch being handled
   * caused (a deadline's retry, an operator's decision, a cancel) continues that trace, linked
   * to the active span when that is another trace (the operator's request).
   */
  readonly journeyTraceTable?: string;
}

const stored = (ctx: Context | undefined): string | null => {
  if (!ctx || !spanContextOf(ctx)) return null;
  const { traceparent, tracestate } = traceCarrierOf(ctx);
  return traceparent ? JSON.stringify({ traceparent, ...(tracestate ? { tracestate } : {}) }) : null;
};

/**
 * Writes outgoing events into `<schema>.outbox_messages` inside the caller's transaction, in
 * one statement, with the trace context each continues, and notifies the relay; PostgreSQL
 * delivers the notification on commit.
 *
 * The trace an event continues, first that applies: the process span of the message that
 * caused it (`causationId`) or, failing that, of the batch's message of the same journey (see
 * `runInMessageScope`); the journey's trace from `journeyTraceTable`; the active span (the HTTP
 * request that starts a journey).
 */
export class Outbox implements OutboxPort {
  private readonly traceOf: string;

  constructor(
    private readonly schema: string,
    options: OutboxOptions = {},
  ) {
    const table = options.journeyTraceTable;
    if (table !== undefined && !/^[a-z][a-z0-9_]*$/.test(table)) throw new Error(`journey trace table "${table}" must be lower-case letters, digits and _`);
    // The journey's trace, only looked up (by primary key, in the same statement) for an event
    // nothing closer explains; linked to the active span when that is in another trace.
    this.traceOf = table
      ? `coalesce(t.resolved, (
           SELECT jsonb_build_object('traceparent', j.trace_parent)
                  || CASE WHEN a.active IS NOT NULL AND split_part(a.active->>'traceparent', '-', 2) <> split_part(j.trace_parent, '-', 2)
                          THEN jsonb_build_object('links', jsonb_build_array(a.active->>'traceparent')) ELSE '{}'::jsonb END
           FROM "${schema}"."${table}" AS j
           WHERE t.resolved IS NULL AND j.request_id = t.key::uuid AND j.trace_parent IS NOT NULL), a.active)`
      : 'coalesce(t.resolved, a.active)';
  }

  async add(manager: EntityManager, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const active = stored(context.active());
    // One round trip: the rows, and the notification PostgreSQL delivers to the relay at commit.
    await manager.query(
      `WITH inserted AS (
         INSERT INTO "${this.schema}".outbox_messages (id, topic, key, headers, payload, trace_context)
         SELECT t.id, t.topic, t.key, t.headers, t.payload, ${this.traceOf}
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[]) AS t(id, topic, key, headers, payload, resolved)
           CROSS JOIN (SELECT $8::jsonb AS active) AS a(active)
         -- An event sent again (the same eventId) while its first row still waits is sent once.
         ON CONFLICT (id) DO NOTHING
         RETURNING 1)
       SELECT pg_notify($7, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row`,
      [
        events.map((e) => e.event.eventId),
        events.map((e) => e.topic),
        events.map((e) => e.key),
        events.map((e) => JSON.stringify(e.headers ?? {})),
        events.map((e) => JSON.stringify(e.event)),
        events.map((e) => stored(messageContextOfEvent(e.event.causationId) ?? messageContextOfJourney(e.event.requestId))),
        outboxChannel(this.schema),
        active,
      ],
    );
  }
}
