import { JourneyCompensatedV1, JourneyEscalatedV1, JourneyRequestedV1, JourneyTypeSchema, OutcomeConfirmedV1, StepStalledV1 } from '@closeloop/contracts';
import { KafkaBatchServer, OutboxRelay, type PublishedEvent } from '@closeloop/messaging';
import { counter, createLogger, gauge, histogram } from '@closeloop/observability';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KpiRepository } from '../kpis/kpi.repository';

const labelNames = ['journey_type'] as const;

/**
 * Journey counters, counted by the instance that publishes the event (the outbox relay, after
 * Kafka acknowledged it) or handles it (journeys started: `intake.journey.requested` handled and
 * committed). Per instance since it started: `sum` them over instances, use `rate`/`increase`.
 * At-least-once: an event published or handled again after a crash counts again.
 */
const started = counter({ name: 'closeloop_journeys_started_total', help: 'Journeys whose request assurance handled', labelNames });
const stalled = counter({ name: 'closeloop_journeys_stalled_total', help: 'Steps that missed their deadline (assurance.step.stalled published)', labelNames });
const escalated = counter({ name: 'closeloop_journeys_escalated_total', help: 'Escalations to a work queue (assurance.journey.escalated published)', labelNames });
const confirmed = counter({ name: 'closeloop_journeys_confirmed_total', help: 'Journeys whose outcome was verified (assurance.outcome.confirmed published)', labelNames });
const compensated = counter({ name: 'closeloop_journeys_compensated_total', help: 'Journeys undone to the end (assurance.journey.compensated published)', labelNames });
/** From the outcome record's `durationMs`: request to verified outcome, escalations included. */
const timeToFulfil = histogram({
  name: 'closeloop_journey_time_to_fulfil_seconds',
  help: 'Time from the request to the confirmed outcome',
  labelNames,
  buckets: [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 900, 3600, 14400, 86400],
});

/** Journeys started in this window feed the two ratio gauges (as `GET /kpis?from=<now - 1 h>`). */
export const KPI_WINDOW_MS = 60 * 60 * 1000;
/** The gauges below query PostgreSQL; scrapes closer together than this share one answer. */
const REFRESH_MS = 10_000;

interface JourneyGauges {
  readonly inFlight: ReadonlyMap<string, number>;
  readonly firstTimeRight: ReadonlyMap<string, number>;
  readonly exceptions: ReadonlyMap<string, number>;
}

let read: (() => Promise<JourneyGauges>) | undefined;
let cached: { at: number; value: Promise<JourneyGauges> } | undefined;
const current = (): Promise<JourneyGauges> | undefined => {
  if (!read) return undefined;
  if (!cached || Date.now() - cached.at > REFRESH_MS) cached = { at: Date.now(), value: read() };
  return cached.value;
};

/**
 * Gauges read from the database at scrape time, so every assurance instance reports the same
 * whole-system value: aggregate instances with `max`, not `sum`. Absent while PostgreSQL does
 * not answer.
 */
const fromDatabase = (name: string, help: string, pick: (g: JourneyGauges) => ReadonlyMap<string, number>) =>
  gauge({
    name,
    help,
    labelNames,
    async collect() {
      const answer = current();
      if (!answer) return;
      try {
        const values = pick(await answer);
        this.reset();
        for (const [journeyType, value] of values) this.set({ journey_type: journeyType }, value);
      } catch (error) {
        this.reset();
        createLogger('JourneyMetrics').debug({ err: String(error) }, 'journey gauges unavailable');
      }
    },
  });

fromDatabase('closeloop_journeys_in_flight', 'Journeys started and not ended: open, or escalated and waiting on a person (not confirmed, failed or compensated)', (g) => g.inFlight);
fromDatabase(
  'closeloop_journeys_first_time_right_ratio',
  'Of the journeys started in the last hour and confirmed, the share confirmed with no failed attempt, stall, retry, escalation or human action',
  (g) => g.firstTimeRight,
);
fromDatabase(
  'closeloop_journeys_exception_ratio',
  'Of the journeys started in the last hour, the share that failed an attempt, stalled, retried, escalated or failed',
  (g) => g.exceptions,
);

const COUNTED: ReadonlyMap<string, (journeyType: string, payload: unknown) => void> = new Map([
  [StepStalledV1.eventType, (journeyType: string) => stalled.inc({ journey_type: journeyType })],
  [JourneyEscalatedV1.eventType, (journeyType: string) => escalated.inc({ journey_type: journeyType })],
  [JourneyCompensatedV1.eventType, (journeyType: string) => compensated.inc({ journey_type: journeyType })],
  [
    OutcomeConfirmedV1.eventType,
    (journeyType: string, payload: unknown) => {
      confirmed.inc({ journey_type: journeyType });
      const durationMs = (payload as { durationMs?: unknown } | null)?.durationMs;
      if (typeof durationMs === 'number') timeToFulfil.observe({ journey_type: journeyType }, durationMs / 1000);
    },
  ],
]);

/** Assurance's journey series on `/metrics`, by journey type (see README "Observability"). */
@Injectable()
export class JourneyMetrics implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly server: KafkaBatchServer,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    // Every journey type's series exists from the start, at 0.
    for (const journeyType of JourneyTypeSchema.options) {
      for (const series of [started, stalled, escalated, confirmed, compensated]) series.inc({ journey_type: journeyType }, 0);
      timeToFulfil.zero({ journey_type: journeyType });
    }
    this.relay.onPublished((events) => this.published(events));
    this.server.onHandled((topic, events) => {
      if (topic !== JourneyRequestedV1.topic) return;
      for (const event of events) started.inc({ journey_type: event.journeyType });
    });
    const kpis = new KpiRepository(this.dataSource);
    read = async () => {
      const [open, window] = await Promise.all([
        this.dataSource.query(
          `SELECT journey_type, count(*)::int AS n FROM assurance.journeys WHERE status IN ('open', 'escalated') AND started_at IS NOT NULL GROUP BY journey_type`,
        ) as Promise<Array<{ journey_type: string; n: number }>>,
        kpis.byJourneyType(new Date(Date.now() - KPI_WINDOW_MS), null),
      ]);
      const ratio = (pick: (k: (typeof window)[number]) => number | null) =>
        new Map(window.flatMap((k) => (pick(k) === null ? [] : [[k.journeyType, pick(k) as number] as const])));
      return {
        inFlight: new Map([...JourneyTypeSchema.options.map((t) => [t, 0] as const), ...open.map((r) => [r.journey_type, r.n] as const)]),
        firstTimeRight: ratio((k) => k.firstTimeRightRate),
        exceptions: ratio((k) => k.exceptionRate),
      };
    };
    cached = undefined;
  }

  private published(events: readonly PublishedEvent[]): void {
    for (const { event } of events) {
      const count = event.eventType ? COUNTED.get(event.eventType) : undefined;
      if (count && event.journeyType) count(event.journeyType, event.payload);
    }
  }
}
