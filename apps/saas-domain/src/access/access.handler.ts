import { AccountVerifiedV1, CompensationRequestedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { type EventBatch, EventHandlers } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { AccessService } from './access.service';

@EventHandlers()
export class AccessHandler {
  constructor(private readonly access: AccessService) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    await this.access.onJourneysRequested(batch.events);
  }

  @EventPattern(AccountVerifiedV1.topic)
  async onAccountVerified(@Payload() batch: EventBatch<AccountVerifiedV1>): Promise<void> {
    await this.access.onAccountsVerified(batch.events);
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    await this.access.onRetryRequested(batch.events);
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    await this.access.compensate(batch.events);
  }
}
