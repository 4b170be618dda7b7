import { assuranceTopics } from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { TrackingService } from './tracking.service';

/**
 * Assurance observes every event of a journey; it never commands the happy path. What it
 * subscribes to follows from the journey definitions (libs/contracts): every step's completing,
 * failing and compensating events, plus the journey's lifecycle and people's decisions. A new
 * step, owner or definition needs no change here.
 */
@EventHandlers()
export class TrackingHandler {
  constructor(private readonly tracking: TrackingService) {}

  @EventPattern(assuranceTopics())
  onJourneyEvents(@Payload() batch: EventBatch): Promise<void> {
    return this.tracking.observe(batch.events);
  }
}
