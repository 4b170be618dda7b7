import type { JourneyType } from '@closeloop/contracts';
import { messageTraceParentOfJourney } from '@closeloop/observability';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { nextDueAt, type Outcome, type TrackedJourney } from './tracking.domain';

interface JourneyRow {
  request_id: string;
  request: TrackedJourney['request'];
  steps: TrackedJourney['steps'];
  compensation: TrackedJourney['compensation'];
  stalls: TrackedJourney['stalls'];
  journey_type: JourneyType;
  definition_version: number | null;
  status: TrackedJourney['status'];
  started_at: Date | null;
  signals: TrackedJourney['signals'];
  failures: TrackedJourney['failures'];
  confirmed_at: Date | null;
}

const COLUMNS = 'request_id, journey_type, definition_version, status, started_at, request, signals, failures, stalls, steps, compensation, confirmed_at';

const toJourney = (r: JourneyRow): TrackedJourney => ({
  requestId: r.request_id,
  request: r.request,
  steps: r.steps,
  compensation: r.compensation,
  stalls: r.stalls,
  journeyType: r.journey_type,
  definitionVersion: r.definition_version,
  status: r.status,
  startedAt: r.started_at?.toISOString() ?? null,
  signals: r.signals,
  failures: r.failures,
  confirmedAt: r.confirmed_at?.toISOString() ?? null,
});

export interface OutcomeRecord extends Outcome {
  readonly eventId: string;
  /** The journey's trace (from `journeys.trace_id`). */
  readonly traceId?: string | null;
}

@Injectable()
export class JourneyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the missing journeys and locks them all, in request id order (no deadlocks). A new
   * journey keeps the trace of the event that created it (missing on journeys from before
   * tracing, it is taken from the next event that has one).
   */
  async lockOrCreate(manager: EntityManager, journeys: ReadonlyArray<{ requestId: string; journeyType: JourneyType }>, now: Date): Promise<Map<string, TrackedJourney>> {
    const sorted = [...new Map(journeys.map((j) => [j.requestId, j])).values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
    if (sorted.length === 0) return new Map();
    await manager.query(
      `INSERT INTO assurance.journeys (request_id, journey_type, status, updated_at, trace_parent)
       SELECT id, type, 'open', $3, trace_parent FROM unnest($1::uuid[], $2::text[], $4::text[]) AS t(id, type, trace_parent) ORDER BY id
       ON CONFLICT (request_id) DO UPDATE SET trace_parent = EXCLUDED.trace_parent
         WHERE journeys.trace_parent IS NULL AND EXCLUDED.trace_parent IS NOT NULL`,
      [sorted.map((j) => j.requestId), sorted.map((j) => j.journeyType), now.toISOString(), sorted.map((j) => messageTraceParentOfJourney(j.requestId) ?? null)],
    );
    const rows: JourneyRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM assurance.journeys WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE`,
      [sorted.map((j) => j.requestId)],
    );
    return new Map(rows.map((r) => [r.request_id, toJourney(r)]));
  }

  async saveAll(manager: EntityManager, journeys: readonly TrackedJourney[], now: Date): Promise<void> {
    if (journeys.length === 0) return;
    await manager.query(
      `UPDATE assurance.journeys AS j SET definition_version = t.version, status = t.status, started_at = t.started_at,
         request = t.request, signals = t.signals, failures = t.failures, stalls = t.stalls, steps = t.steps,
         compensation = t.compensation, confirmed_at = t.confirmed_at, next_due_at = t.next_due_at, updated_at = $13
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::jsonb[], $9::jsonb[],
                   $10::timestamptz[], $11::timestamptz[], $12::jsonb[])
         AS t(request_id, version, status, started_at, request, signals, failures, stalls, steps, confirmed_at, next_due_at, compensation)
       WHERE j.request_id = t.request_id`,
      [
        journeys.map((j) => j.requestId),
        journeys.map((j) => j.definitionVersion),
        journeys.map((j) => j.status),
        journeys.map((j) => j.startedAt),
        journeys.map((j) => (j.request ? JSON.stringify(j.request) : null)),
        journeys.map((j) => JSON.stringify(j.signals)),
        journeys.map((j) => JSON.stringify(j.failures)),
        journeys.map((j) => JSON.stringify(j.stalls)),
        journeys.map((j) => JSON.stringify(j.steps)),
        journeys.map((j) => j.confirmedAt),
        journeys.map((j) => nextDueAt(j)),
        journeys.map((j) => (j.compensation ? JSON.stringify(j.compensation) : null)),
        now.toISOString(),
      ],
    );
  }

  /** Journeys with a step past its deadline or due for a retry: an index range scan on next_due_at. */
  async findDue(now: Date, limit: number): Promise<string[]> {
    const rows: Array<{ request_id: string }> = await this.dataSource.query(
      'SELECT request_id FROM assurance.journeys WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT $2',
      [now.toISOString(), limit],
    );
    return rows.map((r) => r.request_id);
  }

  /** Locks those of the journeys nobody else holds (another instance's scan, or an event batch). */
  async lockAvailable(manager: EntityManager, requestIds: readonly string[]): Promise<TrackedJourney[]> {
    const rows: JourneyRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM assurance.journeys WHERE request_id = ANY($1::uuid[]) ORDER BY request_id FOR UPDATE SKIP LOCKED`,
      [[...requestIds]],
    );
    return rows.map(toJourney);
  }

  /** Locks one journey, waiting for whoever holds it; with the operator who claimed it. */
  async lockOne(manager: EntityManager, requestId: string): Promise<{ journey: TrackedJourney; claimedBy: string | null } | null> {
    const [row] = await manager.query(`SELECT ${COLUMNS}, claimed_by FROM assurance.journeys WHERE request_id = $1 FOR UPDATE`, [requestId]);
    return row ? { journey: toJourney(row), claimedBy: row.claimed_by } : null;
  }

  async setClaim(manager: EntityManager, requestId: string, operator: string | null): Promise<void> {
    await manager.query('UPDATE assurance.journeys SET claimed_by = $2 WHERE request_id = $1', [requestId, operator]);
  }

  /** The human work queue: escalated journeys, oldest first. */
  /** Oldest first, a page at a time: after the (started_at, request_id) of the previous page's last row. */
  async listEscalated(limit: number, after?: { startedAt: string | null; requestId: string }): Promise<Array<{ journey: TrackedJourney; claimedBy: string | null }>> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS}, claimed_by FROM assurance.journeys WHERE status = 'escalated'
         AND ($2::uuid IS NULL OR (coalesce(started_at, 'epoch'::timestamptz), request_id) > (coalesce($3::timestamptz, 'epoch'::timestamptz), $2::uuid))
       ORDER BY coalesce(started_at, 'epoch'::timestamptz), request_id LIMIT $1`,
      [limit, after?.requestId ?? null, after?.startedAt ?? null],
    );
    return rows.map((row: JourneyRow & { claimed_by: string | null }) => ({ journey: toJourney(row), claimedBy: row.claimed_by }));
  }

  /** Stores confirmed outcomes; the primary key makes a second record for a journey impossible. */
  async insertOutcomes(manager: EntityManager, outcomes: readonly OutcomeRecord[]): Promise<void> {
    if (outcomes.length === 0) return;
    await manager.query(
      `INSERT INTO assurance.outcomes (request_id, journey_type, definition_version, signals, started_at, confirmed_at, duration_ms, event_id, trace_id)
       SELECT t.*, (SELECT j.trace_id FROM assurance.journeys j WHERE j.request_id = t.request_id)
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::bigint[], $8::uuid[])
         AS t(request_id, journey_type, definition_version, signals, started_at, confirmed_at, duration_ms, event_id)`,
      [
        outcomes.map((o) => o.requestId),
        outcomes.map((o) => o.journeyType),
        outcomes.map((o) => o.definitionVersion),
        outcomes.map((o) => JSON.stringify(o.signals)),
        outcomes.map((o) => o.startedAt),
        outcomes.map((o) => o.confirmedAt),
        outcomes.map((o) => o.durationMs),
        outcomes.map((o) => o.eventId),
      ],
    );
  }

  async findJourney(requestId: string): Promise<TrackedJourney | null> {
    const [row] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM assurance.journeys WHERE request_id = $1`,
      [requestId],
    );
    return row ? toJourney(row) : null;
  }

  async findOutcome(requestId: string): Promise<OutcomeRecord | null> {
    const [row] = await this.dataSource.query(
      'SELECT request_id, journey_type, definition_version, signals, started_at, confirmed_at, duration_ms, event_id, trace_id FROM assurance.outcomes WHERE request_id = $1',
      [requestId],
    );
    return row
      ? {
          requestId: row.request_id,
          journeyType: row.journey_type,
          definitionVersion: row.definition_version,
          signals: row.signals,
          startedAt: row.started_at.toISOString(),
          confirmedAt: row.confirmed_at.toISOString(),
          durationMs: Number(row.duration_ms),
          eventId: row.event_id,
          traceId: row.trace_id,
        }
      : null;
  }
}
