import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { type AuditEntry, type ChainHead, GENESIS } from './audit.domain';

interface Row {
  request_id: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  reason: string;
  trace_id: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const toEntry = (r: Row): AuditEntry => ({
  requestId: r.request_id,
  seq: r.seq,
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  reason: r.reason,
  traceId: r.trace_id,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The last entry of each journey's chain, and the journey's trace id (what its new entries
   * record); call it with the journeys locked, so no one appends meanwhile.
   */
  async heads(manager: EntityManager, requestIds: readonly string[]): Promise<Map<string, ChainHead>> {
    const heads = new Map<string, ChainHead>(requestIds.map((id) => [id, { seq: 0, hash: GENESIS, traceId: null }]));
    if (requestIds.length === 0) return heads;
    const rows: Array<{ request_id: string; trace_id: string | null; seq: number | null; hash: string | null }> = await manager.query(
      `SELECT j.request_id, j.trace_id, e.seq, e.hash FROM assurance.journeys j
       LEFT JOIN LATERAL (SELECT seq, hash FROM assurance.audit_entries a WHERE a.request_id = j.request_id ORDER BY seq DESC LIMIT 1) e ON true
       WHERE j.request_id = ANY($1::uuid[])`,
      [[...requestIds]],
    );
    for (const row of rows) heads.set(row.request_id, { seq: row.seq ?? 0, hash: row.hash ?? GENESIS, traceId: row.trace_id || null });
    return heads;
  }

  async append(manager: EntityManager, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO assurance.audit_entries (request_id, seq, at, actor, action, reason, trace_id, detail, prev_hash, hash)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::text[], $10::text[])`,
      [
        entries.map((e) => e.requestId),
        entries.map((e) => e.seq),
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.reason),
        entries.map((e) => e.traceId),
        entries.map((e) => JSON.stringify(e.detail)),
        entries.map((e) => e.prevHash),
        entries.map((e) => e.hash),
      ],
    );
  }

  /** The journey's entries in order: all of them, or a page (`limit` entries after `afterSeq`). */
  async timeline(requestId: string, page?: { limit: number; afterSeq: number }): Promise<AuditEntry[]> {
    const rows: Row[] = page
      ? await this.dataSource.query('SELECT * FROM assurance.audit_entries WHERE request_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [requestId, page.afterSeq, page.limit])
      : await this.dataSource.query('SELECT * FROM assurance.audit_entries WHERE request_id = $1 ORDER BY seq', [requestId]);
    return rows.map(toEntry);
  }
}
