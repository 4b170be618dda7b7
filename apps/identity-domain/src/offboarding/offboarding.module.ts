import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AccountStepsModule } from '../account-steps/account-steps.module';
import { OffboardingService } from './offboarding.service';

@Module({
  imports: [ParticipantModule, AccountStepsModule],
  providers: [OffboardingService],
  exports: [OffboardingService],
})
export class OffboardingModule {}
