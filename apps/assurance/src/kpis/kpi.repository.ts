import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface JourneyKpis {
  readonly journeyType: string;
  readonly journeys: number;
  readonly confirmed: number;
  readonly inFlight: number;
  readonly escalated: number;
  /** Confirmed failures (by an operator or by policy), compensated or being compensated. */
  readonly failed: number;
  readonly compensated: number;
  readonly meanTimeToFulfilMs: number | null;
  readonly p95TimeToFulfilMs: number | null;
  /** Confirmed with no failed attempt, no stall, no retry, no escalation and no human rework (planned approvals and attestations do not count against it). */
  readonly firstTimeRightRate: number | null;
  readonly humanTouchpointsPerJourney: number | null;
  /** Journeys that failed an attempt, stalled, retried, escalated or failed. */
  readonly exceptionRate: number | null;
}

/** Fulfilment KPIs from the stored journeys, outcomes and audit trail: outcomes, not tickets. */
@Injectable()
export class KpiRepository {
  constructor(private readonly dataSource: DataSource) {}

  async byJourneyType(from: Date | null, to: Date | null): Promise<JourneyKpis[]> {
    const rows: Array<Record<string, string | number | null>> = await this.dataSource.query(
      `WITH window_journeys AS (
         SELECT j.*, (SELECT count(*) FROM assurance.audit_entries a WHERE a.request_id = j.request_id AND (a.actor LIKE 'operator:%' OR a.actor LIKE 'approver:%')) AS touchpoints,
                -- Planned decisions (pre-approval, attestation) are touchpoints but not rework.
                (SELECT count(*) FROM assurance.audit_entries a WHERE a.request_id = j.request_id AND (a.actor LIKE 'operator:%' OR a.action LIKE 'approval.exception.%')) AS rework,
                (j.failures <> '[]'::jsonb OR j.stalls <> '[]'::jsonb
                  OR EXISTS (SELECT 1 FROM jsonb_each(j.steps) s WHERE (s.value->>'attempt')::int > 1)) AS exceptional
         FROM assurance.journeys j
         WHERE j.started_at IS NOT NULL AND ($1::timestamptz IS NULL OR j.started_at >= $1) AND ($2::timestamptz IS NULL OR j.started_at < $2))
       SELECT w.journey_type,
              count(*)::int AS journeys,
              count(*) FILTER (WHERE w.status = 'confirmed')::int AS confirmed,
              count(*) FILTER (WHERE w.status = 'open')::int AS in_flight,
              count(*) FILTER (WHERE w.status = 'escalated')::int AS escalated,
              count(*) FILTER (WHERE w.status IN ('failed', 'compensating', 'compensated'))::int AS failed,
              count(*) FILTER (WHERE w.status = 'compensated')::int AS compensated,
              avg(o.duration_ms)::float AS mean_ms,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY o.duration_ms)::float AS p95_ms,
              count(*) FILTER (WHERE w.status = 'confirmed' AND NOT w.exceptional AND w.rework = 0)::float
                / nullif(count(*) FILTER (WHERE w.status = 'confirmed'), 0) AS ftr,
              avg(w.touchpoints)::float AS touchpoints,
              count(*) FILTER (WHERE w.exceptional OR w.status IN ('escalated', 'failed', 'compensating', 'compensated'))::float / nullif(count(*), 0) AS exception_rate
       FROM window_journeys w LEFT JOIN assurance.outcomes o USING (request_id)
       GROUP BY w.journey_type ORDER BY w.journey_type`,
      [from?.toISOString() ?? null, to?.toISOString() ?? null],
    );
    const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
    return rows.map((r) => ({
      journeyType: String(r['journey_type']),
      journeys: Number(r['journeys']),
      confirmed: Number(r['confirmed']),
      inFlight: Number(r['in_flight']),
      escalated: Number(r['escalated']),
      failed: Number(r['failed']),
      compensated: Number(r['compensated']),
      meanTimeToFulfilMs: num(r['mean_ms']) === null ? null : Math.round(num(r['mean_ms']) as number),
      p95TimeToFulfilMs: num(r['p95_ms']) === null ? null : Math.round(num(r['p95_ms']) as number),
      firstTimeRightRate: num(r['ftr']),
      humanTouchpointsPerJourney: num(r['touchpoints']),
      exceptionRate: num(r['exception_rate']),
    }));
  }
}
