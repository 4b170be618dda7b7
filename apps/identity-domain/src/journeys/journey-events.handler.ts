import { CompensationRequestedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { compensationsOf, requestsFor, retriesOf } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { DIRECTORY_ACCESS } from '../access-change/access-change.domain';
import { AccessChangeService } from '../access-change/access-change.service';
import { ACCOUNT_CHECK } from '../account-check/account-check.domain';
import { AccountCheckService } from '../account-check/account-check.service';
import { OFFBOARDING_ACCOUNT } from '../offboarding/offboarding.domain';
import { OffboardingService } from '../offboarding/offboarding.service';
import { NEW_HIRE_IDENTITY } from '../provisioning/provisioning.domain';
import { ProvisioningService } from '../provisioning/provisioning.service';

/**
 * Hands each journey's events to the service that runs this domain's step of that journey type,
 * when the definition the journey runs by has that step; a device replacement has no identity
 * step, so its events are left alone.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly accessChanges: AccessChangeService,
    private readonly accountChecks: AccountCheckService,
    private readonly offboardings: OffboardingService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.provisioning.provisionAccounts(requestsFor(NEW_HIRE_IDENTITY, batch.events));
    await this.accessChanges.change(requestsFor(DIRECTORY_ACCESS, batch.events));
    await this.accountChecks.check(requestsFor(ACCOUNT_CHECK, batch.events));
    await this.offboardings.takeBack(requestsFor(OFFBOARDING_ACCOUNT, batch.events));
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.provisioning.retry(retriesOf(NEW_HIRE_IDENTITY, batch.events));
    await this.accessChanges.retry(retriesOf(DIRECTORY_ACCESS, batch.events));
    await this.accountChecks.retry(retriesOf(ACCOUNT_CHECK, batch.events));
    await this.offboardings.retry(retriesOf(OFFBOARDING_ACCOUNT, batch.events));
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.provisioning.compensate(compensationsOf(NEW_HIRE_IDENTITY, batch.events));
    await this.accessChanges.compensate(compensationsOf(DIRECTORY_ACCESS, batch.events));
    await this.accountChecks.compensate(compensationsOf(ACCOUNT_CHECK, batch.events));
    await this.offboardings.compensate(compensationsOf(OFFBOARDING_ACCOUNT, batch.events));
  }
}
