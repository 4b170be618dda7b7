import { buildEvent, type EventEnvelope, findDefinition, JourneyFailedV1, JourneyRequestedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
import { Inbox, Outbox, outgoing, type OutgoingEvent, TerminalError } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { JourneyRepository, type OutcomeRecord } from './journey.repository';
import { judge, observe, type TrackedJourney } from './tracking.domain';

const PRODUCER = 'assurance';

@Injectable()
export class TrackingService {
  private readonly logger = createLogger(TrackingService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly journeys: JourneyRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Follows every event of the journeys in the batch: records signals and failures, and when a
   * journey's definition of done is met, stores its confirmed-outcome record and publishes
   * `assurance.outcome.confirmed` — in one transaction with the inbox, so a redelivered event
   * changes nothing and a journey is confirmed once.
   */
  async observe(events: readonly EventEnvelope[]): Promise<void> {
    for (const event of events) this.assertKnownDefinition(event);
    await this.dataSource.transaction(async (manager) => {
      const fresh = await this.inbox.claim(manager, events.map((e) => e.eventId));
      const todo = events.filter((e) => fresh.has(e.eventId));
      if (todo.length === 0) return;
      const now = this.clock.now();
      const tracked = await this.journeys.lockOrCreate(manager, todo, now);
      const changed = new Map<string, TrackedJourney>();
      const outcomes: OutcomeRecord[] = [];
      const out: OutgoingEvent[] = [];
      for (const event of todo) {
        const before = changed.get(event.requestId) ?? (tracked.get(event.requestId) as TrackedJourney);
        const { journey, verdict } = judge(observe(before, event), now);
        changed.set(journey.requestId, journey);
        if (!verdict) continue;
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = { requestId: journey.requestId, journeyType: journey.journeyType, producer: PRODUCER, causationId: event.eventId };
        if (verdict.kind === 'confirmed') {
          const { requestId: _r, journeyType: _t, ...payload } = verdict.outcome;
          outcomes.push({ ...verdict.outcome, eventId: identity.eventId });
          out.push(outgoing(OutcomeConfirmedV1, buildEvent(OutcomeConfirmedV1, context, { ...payload, signals: [...payload.signals] }, identity)));
          this.logger.info({ requestId: journey.requestId, eventId: event.eventId, durationMs: verdict.outcome.durationMs }, 'journey outcome confirmed');
        } else {
          const { step, code, reason, at } = verdict.failure;
          out.push(outgoing(JourneyFailedV1, buildEvent(JourneyFailedV1, context, { step, code, reason, failedAt: at }, identity)));
          this.logger.warn({ requestId: journey.requestId, eventId: event.eventId, step, code }, 'journey step failed');
        }
      }
      await this.journeys.saveAll(manager, [...changed.values()], now);
      await this.journeys.insertOutcomes(manager, outcomes);
      await this.outbox.add(manager, out);
    });
  }

  findJourney(requestId: string) {
    return this.journeys.findJourney(requestId);
  }

  findOutcome(requestId: string) {
    return this.journeys.findOutcome(requestId);
  }

  private assertKnownDefinition(event: EventEnvelope): void {
    if (event.eventType !== JourneyRequestedV1.eventType) return;
    const { definitionVersion } = event.payload as JourneyRequestedV1['payload'];
    if (!findDefinition(event.journeyType, definitionVersion)) {
      throw new TerminalError('UNKNOWN_DEFINITION', `journey ${event.requestId} asks for ${event.journeyType} definition v${definitionVersion}, which assurance does not know`);
    }
  }
}
