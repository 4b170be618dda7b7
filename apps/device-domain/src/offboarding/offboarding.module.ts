import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { OffboardingActions } from './offboarding.actions';
import { OffboardingRepository } from './offboarding.repository';
import { OffboardingService } from './offboarding.service';

@Module({
  imports: [ParticipantModule],
  providers: [OffboardingService, OffboardingActions, OffboardingRepository],
  exports: [OffboardingService],
})
export class OffboardingModule {}
