import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { BadgeStepsModule } from '../badge-steps/badge-steps.module';
import { OffboardingService } from './offboarding.service';

@Module({
  imports: [ParticipantModule, BadgeStepsModule],
  providers: [OffboardingService],
  exports: [OffboardingService],
})
export class OffboardingModule {}
