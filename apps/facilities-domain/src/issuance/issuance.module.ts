import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { BadgeStepsModule } from '../badge-steps/badge-steps.module';
import { IssuanceService } from './issuance.service';

@Module({
  imports: [ParticipantModule, BadgeStepsModule],
  providers: [IssuanceService],
  exports: [IssuanceService],
})
export class IssuanceModule {}
