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

/**
 * Claims the event ids of a batch's items and returns the items seen for the first time, in
 * their order: what a handler may act on (redelivered ones change nothing).
 */
export const claimFresh = async <T>(
  inbox: InboxPort,
  manager: EntityManager,
  items: readonly T[],
  eventIdOf: (item: T) => string = (item) => (item as { eventId: string }).eventId,
): Promise<T[]> => {
  const fresh = await inbox.claim(manager, items.map(eventIdOf));
  return items.filter((item) => fresh.has(eventIdOf(item)));
};
