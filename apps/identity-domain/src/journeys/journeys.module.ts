import { Module } from '@nestjs/common';

import { AccessChangeModule } from '../access-change/access-change.module';
import { AccountCheckModule } from '../account-check/account-check.module';
import { OffboardingModule } from '../offboarding/offboarding.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { JourneyEventsHandler } from './journey-events.handler';

/** The identity steps of every journey type, behind one set of event handlers. */
@Module({
  imports: [ProvisioningModule, AccessChangeModule, AccountCheckModule, OffboardingModule],
  controllers: [JourneyEventsHandler],
})
export class JourneysModule {}
