import type { EntityManager } from 'typeorm';

import type { OutgoingEvent } from './outgoing-event';

export interface OutboxPort {
  add(manager: EntityManager, events: readonly OutgoingEvent[]): Promise<void>;
}

export const outboxChannel = (schema: string): string => `${schema}_outbox`;

/**
 * Writes outgoing events into `<schema>.outbox_messages` inside the caller's transaction, in
 * one statement, and notifies the relay; PostgreSQL delivers the notification on commit.
 */
export class Outbox implements OutboxPort {
  constructor(private readonly schema: string) {}

  async add(manager: EntityManager, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    // One round trip: the rows, and the notification PostgreSQL delivers to the relay at commit.
    await manager.query(
      `WITH inserted AS (
         INSERT INTO "${this.schema}".outbox_messages (id, topic, key, headers, payload)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[])
         RETURNING 1)
       SELECT pg_notify($6, '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row`,
      [
        events.map((e) => e.event.eventId),
        events.map((e) => e.topic),
        events.map((e) => e.key),
        events.map((e) => JSON.stringify(e.headers ?? {})),
        events.map((e) => JSON.stringify(e.event)),
        outboxChannel(this.schema),
      ],
    );
  }
}
