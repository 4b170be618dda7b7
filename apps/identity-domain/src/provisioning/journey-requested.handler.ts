import { CompensationRequestedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { ProvisioningService } from './provisioning.service';

@EventHandlers()
export class JourneyRequestedHandler {
  constructor(private readonly provisioning: ProvisioningService) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    await this.provisioning.provisionAccounts(batch.events);
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    await this.provisioning.retry(batch.events);
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    await this.provisioning.compensate(batch.events);
  }
}
