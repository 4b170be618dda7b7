import { AccountVerifiedV1, CompensationRequestedV1, DirectoryAccessChangedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { compensationsOf, requestsOf, retriesOf } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { NEW_HIRE_SAAS } from '../access/access.domain';
import { AccessService } from '../access/access.service';
import { APP_ACCESS } from '../app-access-change/app-access-change.domain';
import { AppAccessChangeService } from '../app-access-change/app-access-change.service';
import { LICENCE } from '../licensing/licensing.domain';
import { LicensingService } from '../licensing/licensing.service';

/**
 * Hands each journey's events to the service that runs this domain's step of that journey type;
 * a device replacement has no SaaS step, so its events are left alone. identity's verified
 * account means a new hire's apps or a licence's seats, by the journey's type.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly newHireAccess: AccessService,
    private readonly accessChanges: AppAccessChangeService,
    private readonly licensing: LicensingService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.onJourneysRequested(requestsOf('new-hire', batch.events));
    await this.accessChanges.onRequested(requestsOf('access-change', batch.events));
    await this.licensing.onRequested(requestsOf('saas-licensing', batch.events));
  }

  @EventPattern(AccountVerifiedV1.topic)
  async onAccountVerified(@Payload() batch: EventBatch<AccountVerifiedV1>): Promise<void> {
    await this.newHireAccess.onAccountsVerified(batch.events.filter((e) => e.journeyType === 'new-hire'));
    await this.licensing.onAccountVerified(batch.events.filter((e) => e.journeyType === 'saas-licensing'));
  }

  @EventPattern(DirectoryAccessChangedV1.topic)
  async onDirectoryAccessChanged(@Payload() batch: EventBatch<DirectoryAccessChangedV1>): Promise<void> {
    await this.accessChanges.onDirectoryChanged(batch.events.filter((e) => e.journeyType === 'access-change'));
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.onRetryRequested(retriesOf(NEW_HIRE_SAAS, batch.events));
    await this.accessChanges.onRetryRequested(retriesOf(APP_ACCESS, batch.events));
    await this.licensing.onRetryRequested(retriesOf(LICENCE, batch.events));
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.compensate(compensationsOf(NEW_HIRE_SAAS, batch.events));
    await this.accessChanges.compensate(compensationsOf(APP_ACCESS, batch.events));
    await this.licensing.compensate(compensationsOf(LICENCE, batch.events));
  }
}
