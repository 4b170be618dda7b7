import { Module } from '@nestjs/common';

import { AccessModule } from '../access/access.module';
import { AppAccessChangeModule } from '../app-access-change/app-access-change.module';
import { LicensingModule } from '../licensing/licensing.module';
import { OffboardingModule } from '../offboarding/offboarding.module';
import { JourneyEventsHandler } from './journey-events.handler';

/** The SaaS steps of every journey type, behind one set of event handlers. */
@Module({
  imports: [AccessModule, AppAccessChangeModule, LicensingModule, OffboardingModule],
  controllers: [JourneyEventsHandler],
})
export class JourneysModule {}
