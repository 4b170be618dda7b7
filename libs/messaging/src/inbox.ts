import type { EntityManager } from 'typeorm';

export interface InboxPort {
  claim(manager: EntityManager, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/**
 * Records handled event ids in `<schema>.inbox_messages(consumer, event_id)` inside the
 * caller's transaction and returns the ids seen for the first time; the others were handled
 * already and must change nothing.
 */
export class Inbox implements InboxPort {
  constructor(
    private readonly schema: string,
    private readonly consumer: string,
  ) {}

  async claim(manager: EntityManager, eventIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (eventIds.length === 0) return new Set();
    const rows: Array<{ event_id: string }> = await manager.query(
      `INSERT INTO "${this.schema}".inbox_messages (consumer, event_id)
       SELECT $1, id FROM unnest($2::uuid[]) AS id
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.consumer, [...new Set(eventIds)]],
    );
    return new Set(rows.map((r) => r.event_id));
  }
}
