import { JourneyCompensatedV1, JourneyEscalatedV1, JourneyFailedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { JourneysService } from './journeys.service';

/** Assurance's verdicts update the journey status that `GET /journeys/:id` shows. */
@EventHandlers()
export class VerdictsHandler {
  constructor(private readonly journeys: JourneysService) {}

  @EventPattern(OutcomeConfirmedV1.topic)
  async onOutcomeConfirmed(@Payload() batch: EventBatch<OutcomeConfirmedV1>): Promise<void> {
    await this.journeys.recordVerdicts(batch.events);
  }

  @EventPattern(JourneyEscalatedV1.topic)
  async onJourneyEscalated(@Payload() batch: EventBatch<JourneyEscalatedV1>): Promise<void> {
    await this.journeys.recordVerdicts(batch.events);
  }

  @EventPattern(JourneyCompensatedV1.topic)
  async onJourneyCompensated(@Payload() batch: EventBatch<JourneyCompensatedV1>): Promise<void> {
    await this.journeys.recordVerdicts(batch.events);
  }

  @EventPattern(JourneyFailedV1.topic)
  async onJourneyFailed(@Payload() batch: EventBatch<JourneyFailedV1>): Promise<void> {
    await this.journeys.recordVerdicts(batch.events);
  }
}
