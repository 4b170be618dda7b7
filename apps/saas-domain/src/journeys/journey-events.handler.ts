import { AccountVerifiedV1, CompensationRequestedV1, DirectoryAccessChangedV1, type EventEnvelope, JourneyRequestedV1, startTopicsOf, StepRetryRequestedV1 } from '@closeloop/contracts';
import { compensationsOf, requestsFor, retriesOf } from '@closeloop/contracts';
import { type EventBatch, EventHandlers, refuseUntrackedDefinitions } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { NEW_HIRE_SAAS } from '../access/access.domain';
import { AccessService } from '../access/access.service';
import { APP_ACCESS } from '../app-access-change/app-access-change.domain';
import { AppAccessChangeService } from '../app-access-change/app-access-change.service';
import { LICENCE } from '../licensing/licensing.domain';
import { LicensingService } from '../licensing/licensing.service';
import { OFFBOARDING_APPS } from '../offboarding/offboarding.domain';
import { OffboardingService } from '../offboarding/offboarding.service';

/**
 * Hands each journey's events to the service that runs this domain's step of that journey type;
 * a device replacement has no SaaS step, so its events are left alone. An offboarding's step
 * starts on the request itself (no predecessor). identity's verified
 * account means a new hire's apps or a licence's seats, by the journey's type.
 */
@EventHandlers()
export class JourneyEventsHandler {
  constructor(
    private readonly newHireAccess: AccessService,
    private readonly accessChanges: AppAccessChangeService,
    private readonly licensing: LicensingService,
    private readonly offboarding: OffboardingService,
  ) {}

  @EventPattern(JourneyRequestedV1.topic)
  async onJourneyRequested(@Payload() batch: EventBatch<JourneyRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.onJourneysRequested(requestsFor(NEW_HIRE_SAAS, batch.events));
    await this.accessChanges.onRequested(requestsFor(APP_ACCESS, batch.events));
    await this.licensing.onRequested(requestsFor(LICENCE, batch.events));
    await this.offboarding.onRequested(requestsFor(OFFBOARDING_APPS, batch.events));
  }

  /**
   * A predecessor another owner runs is verified (the definitions say which: identity's account
   * for a new hire's apps and a licence's seats, the directory change for an app access change).
   */
  @EventPattern(startTopicsOf('saas'))
  async onPredecessorVerified(@Payload() batch: EventBatch): Promise<void> {
    const of = <E extends EventEnvelope>(topic: string, type: string) => (batch.topic === topic ? (batch.events as readonly E[]).filter((e) => e.journeyType === type) : []);
    await this.newHireAccess.onAccountsVerified(of<AccountVerifiedV1>(AccountVerifiedV1.topic, NEW_HIRE_SAAS.journeyType));
    await this.licensing.onAccountVerified(of<AccountVerifiedV1>(AccountVerifiedV1.topic, LICENCE.journeyType));
    await this.accessChanges.onDirectoryChanged(of<DirectoryAccessChangedV1>(DirectoryAccessChangedV1.topic, APP_ACCESS.journeyType));
  }

  @EventPattern(StepRetryRequestedV1.topic)
  async onRetryRequested(@Payload() batch: EventBatch<StepRetryRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.onRetryRequested(retriesOf(NEW_HIRE_SAAS, batch.events));
    await this.accessChanges.onRetryRequested(retriesOf(APP_ACCESS, batch.events));
    await this.licensing.onRetryRequested(retriesOf(LICENCE, batch.events));
    await this.offboarding.onRetryRequested(retriesOf(OFFBOARDING_APPS, batch.events));
  }

  @EventPattern(CompensationRequestedV1.topic)
  async onCompensationRequested(@Payload() batch: EventBatch<CompensationRequestedV1>): Promise<void> {
    refuseUntrackedDefinitions(batch.events);
    await this.newHireAccess.compensate(compensationsOf(NEW_HIRE_SAAS, batch.events));
    await this.accessChanges.compensate(compensationsOf(APP_ACCESS, batch.events));
    await this.licensing.compensate(compensationsOf(LICENCE, batch.events));
    await this.offboarding.compensate(compensationsOf(OFFBOARDING_APPS, batch.events));
  }
}
