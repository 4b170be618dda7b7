import { Module } from '@nestjs/common';

import { EnrolmentModule } from '../enrolment/enrolment.module';
import { OffboardingModule } from '../offboarding/offboarding.module';
import { ReplacementModule } from '../replacement/replacement.module';
import { JourneyEventsHandler } from './journey-events.handler';

/** The device steps of every journey type, behind one set of event handlers. */
@Module({
  imports: [EnrolmentModule, ReplacementModule, OffboardingModule],
  controllers: [JourneyEventsHandler],
})
export class JourneysModule {}
