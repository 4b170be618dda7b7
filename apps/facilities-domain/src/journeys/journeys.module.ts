import { Module } from '@nestjs/common';

import { IssuanceModule } from '../issuance/issuance.module';
import { OffboardingModule } from '../offboarding/offboarding.module';
import { JourneyEventsHandler } from './journey-events.handler';

/** facilities's badge steps of every journey type (a new hire's badge, a leaver's badges revoked), behind one set of event handlers. */
@Module({
  imports: [IssuanceModule, OffboardingModule],
  controllers: [JourneyEventsHandler],
})
export class JourneysModule {}
