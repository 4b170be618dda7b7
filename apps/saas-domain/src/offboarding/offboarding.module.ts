import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AppChangesRepository } from '../access/app-changes.repository';
import { OffboardingRepository } from './offboarding.repository';
import { OffboardingService } from './offboarding.service';

@Module({
  imports: [ParticipantModule],
  providers: [OffboardingService, OffboardingRepository, AppChangesRepository],
  exports: [OffboardingService],
})
export class OffboardingModule {}
